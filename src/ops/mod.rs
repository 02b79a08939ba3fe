//! Library operations the command line composes (docs/DESIGN.md §2): each takes parsed
//! arguments and returns data; printing, prompts and exit codes stay in `cli/`. They sit above
//! the engine ([`crate::copy`]), the transports, the store and the registry client, and
//! below the CLI only.
//!
//! - [`append`]: `append`'s layers packed from files and pushed onto each platform image;
//! - [`retag`]: name a registry manifest with more tags, without moving blobs;
//! - [`blob`]: one blob out of or into a registry repository;
//! - [`edit`]: the traversal every image edit shares (`mutate`, `build`, …);
//! - [`index`]: `index create|add|remove` over a registry repository;
//! - [`inspect`]: what `inspect` and `digest` show, as data;
//! - [`load`]: archive detection and the names `load` gives its images;
//! - [`login`]: the credential-storage transaction of `login` and `logout`;
//! - [`referrers`]: `copy --referrers` between two registries;
//! - [`store`]: queries and edits of the local store (`images`, `rmi`, `tag`, bare names);

pub mod append;
pub mod blob;
pub mod edit;
pub mod index;
pub mod inspect;
pub mod load;
pub mod login;
pub mod referrers;
pub mod retag;
pub mod store;
pub mod uploads;
