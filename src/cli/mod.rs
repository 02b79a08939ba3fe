//! The command line (docs/CLI.md): clap definitions and a thin dispatch over the library.

mod append;
mod archive;
mod blob;
mod build;
mod completion;
mod examples;
mod export;
mod files;
mod index;
mod inspect;
mod login;
mod mutate;
mod query;
mod store;
mod sync;
mod transfer;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use imgctl::auth::CredentialChain;
use imgctl::auth::{CredentialProvider, Secret};
use imgctl::error::{Error, Result};
use imgctl::progress::{Mode, Reporter};
use imgctl::registry::{Client, ClientOptions, UploadStrategy};

/// imgctl: pull, push, tag and copy container images without a daemon.
#[derive(Parser, Debug)]
#[command(
    name = "imgctl",
    version,
    about,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,
    #[command(subcommand)]
    pub command: Command,
}

/// Prints `v` as one pretty-printed JSON document on stdout (every command's `--format json`).
pub fn print_json(v: &serde_json::Value) -> Result<()> {
    outln!(
        "{}",
        serde_json::to_string_pretty(v).map_err(|e| Error::other(e.to_string()))?
    );
    Ok(())
}

/// Progress styles.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgressArg {
    /// Bars on a terminal, plain lines otherwise.
    Auto,
    /// Bars.
    Tty,
    /// One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5).
    Plain,
    /// Nothing.
    None,
    /// Newline-delimited JSON events on stderr.
    Json,
}

/// Result formats on stdout.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatArg {
    /// Human-readable (a digest, a table).
    Text,
    /// One JSON document.
    Json,
}

/// Options shared by every command (shown under "Global options" in each command's help).
#[derive(Args, Debug)]
#[command(next_help_heading = "Global options")]
pub struct GlobalOpts {
    /// More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Progress style on stderr.
    #[arg(
        long,
        global = true,
        value_enum,
        env = "IMGCTL_PROGRESS",
        default_value = "auto"
    )]
    pub progress: ProgressArg,
    /// Result format on stdout.
    #[arg(long, global = true, value_enum, default_value = "text")]
    pub format: FormatArg,
    /// Local image store (an OCI image layout) [default: the platform data dir]
    #[arg(long, global = true, env = "IMGCTL_STORE", value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// Concurrent blob transfers.
    #[arg(long, global = true, env = "IMGCTL_JOBS", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: u16,
    /// Retries per request on connect errors, timeouts, 408, 429 and 5xx.
    #[arg(long, global = true, default_value_t = 3)]
    pub retries: u32,
    /// Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]
    #[arg(long, global = true, value_name = "N", value_parser = parse_max_rps, allow_negative_numbers = true)]
    pub max_rps: Option<f64>,
    /// The request limiters of this run, one per host, shared by all its clients.
    #[arg(skip)]
    pub limiters: imgctl::registry::Limiters,
    /// Idle timeout in seconds: a connection that moves nothing for this long fails.
    #[arg(long, global = true, default_value_t = 60, value_name = "SECS")]
    pub timeout: u64,
    /// Extra trusted root certificate (PEM); repeatable.
    #[arg(long = "ca-file", global = true, value_name = "FILE")]
    pub ca_files: Vec<PathBuf>,
    /// Skip TLS verification and allow plain HTTP (test registries only).
    #[arg(long, global = true)]
    pub insecure: bool,
    /// Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d.
    #[arg(long, global = true, value_name = "FILE", requires = "key_file")]
    pub cert_file: Option<PathBuf>,
    /// Private key (PEM) of --cert-file.
    #[arg(long, global = true, value_name = "FILE", requires = "cert_file")]
    pub key_file: Option<PathBuf>,
    /// Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given).
    #[arg(
        long,
        global = true,
        value_name = "USER[:PASS]",
        hide_env_values = true
    )]
    pub creds: Option<String>,
    /// Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT.
    #[arg(long, global = true, value_name = "BYTES")]
    pub chunk_size: Option<u64>,
    /// imgctl's config dir (credential index) [default: the platform config dir + /imgctl]
    #[arg(long, global = true, env = "IMGCTL_CONFIG_DIR", value_name = "DIR")]
    pub config_dir: Option<PathBuf>,
    /// Username for every registry the command touches; the password comes from --password-stdin (login: the account to store).
    #[arg(
        short = 'u',
        long,
        global = true,
        value_name = "USER",
        conflicts_with = "creds"
    )]
    pub username: Option<String>,
    /// Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store).
    #[arg(long, global = true, conflicts_with = "creds")]
    pub password_stdin: bool,
    /// The password read by --password-stdin.
    #[arg(skip)]
    pub stdin_password: StdinPassword,
}

/// The password `--password-stdin` read, once per run. `Debug` never prints it.
#[derive(Default)]
pub struct StdinPassword(std::sync::OnceLock<String>);

impl std::fmt::Debug for StdinPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "<redacted>"
        } else {
            "None"
        })
    }
}

/// Whether `path` names the process's standard input.
fn is_stdin_path(path: &str) -> bool {
    matches!(path, "-" | "/dev/stdin" | "/dev/fd/0" | "/proc/self/fd/0")
}

/// Whether `cmd` reads its own data from stdin (an archive or a config given as `-` or
/// `/dev/stdin`), which `--password-stdin` would then swallow.
fn reads_stdin(cmd: &Command) -> bool {
    let location = |l: &str| {
        let path = l.split_once(':').map(|(_, p)| p).unwrap_or(l);
        is_stdin_path(path) || is_stdin_path(path.split(':').next().unwrap_or(path))
    };
    match cmd {
        Command::Copy { source, .. } => location(source),
        Command::Inspect { location: l, .. } | Command::Digest { location: l, .. } => location(l),
        Command::Load { input, .. } => input
            .as_ref()
            .is_none_or(|i| is_stdin_path(&i.to_string_lossy())),
        Command::Sync {
            config: Some(config),
            ..
        } => is_stdin_path(&config.to_string_lossy()),
        _ => false,
    }
}

impl GlobalOpts {
    /// The progress reporter these options ask for.
    pub fn reporter(&self) -> Reporter {
        if self.quiet {
            return Reporter::new(Mode::None);
        }
        Reporter::with_interval(
            match self.progress {
                ProgressArg::Auto => Mode::auto(),
                ProgressArg::Tty => Mode::Tty,
                ProgressArg::Plain => Mode::Plain,
                ProgressArg::None => Mode::None,
                ProgressArg::Json => Mode::Json,
            },
            progress_interval(),
        )
    }

    /// The local store directory.
    pub fn store_dir(&self) -> Result<PathBuf> {
        if let Some(s) = &self.store {
            return Ok(s.clone());
        }
        dirs::data_dir()
            .map(|d| d.join("imgctl").join("store"))
            .ok_or_else(|| {
                Error::usage("cannot find a data directory for the store; pass --store DIR")
            })
    }

    /// Reads the password of `--username USER --password-stdin` from stdin (all of it, minus
    /// trailing CR/LF), once, before `cmd` runs; `login` reads its own. Errors (Usage): one
    /// flag without the other, stdin a terminal or empty, or `cmd` reading its data from stdin.
    pub fn read_stdin_password(&self, cmd: &Command) -> Result<()> {
        if matches!(cmd, Command::Login(_)) {
            return Ok(());
        }
        match (&self.username, self.password_stdin) {
            (None, false) => return Ok(()),
            (None, true) => return Err(Error::usage("--password-stdin needs --username USER")),
            (Some(_), false) => {
                return Err(Error::usage(
                    "--username needs --password-stdin (or use --creds, or imgctl login)",
                ));
            }
            (Some(u), true) if u.is_empty() => return Err(Error::usage("empty --username")),
            _ => {}
        }
        if reads_stdin(cmd) {
            return Err(Error::usage(
                "--password-stdin: this command reads its data from stdin already; use imgctl login or IMGCTL_USERNAME/IMGCTL_PASSWORD",
            ));
        }
        use std::io::{IsTerminal as _, Read as _};
        if std::io::stdin().is_terminal() {
            return Err(Error::usage(
                "--password-stdin: stdin is a terminal; pipe the password in (e.g. printf '%s' \"$TOKEN\" | imgctl …)",
            ));
        }
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| Error::usage(format!("cannot read the password from stdin: {e}")))?;
        let s = s.trim_end_matches(['\n', '\r']);
        if s.is_empty() {
            return Err(Error::usage("--password-stdin: no password on stdin"));
        }
        let _ = self.stdin_password.0.set(s.to_string());
        Ok(())
    }

    /// Credentials from `flag`, else `--creds`, else `--username` with the password read by
    /// `--password-stdin`, else IMGCTL_USERNAME/IMGCTL_PASSWORD.
    fn credentials(&self, flag: Option<&str>) -> Result<Option<Secret>> {
        if let Some(c) = flag.or(self.creds.as_deref()) {
            let mut creds = Secret::parse(c)
                .ok_or_else(|| Error::usage("invalid credentials: expected USER[:PASS]"))?;
            if !c.contains(':') {
                // `--creds USER`: ask on a terminal; never go on to a 401 with an empty password.
                if !login::interactive() {
                    return Err(Error::usage(
                        "no password: use --creds USER:PASS, --password-stdin, or imgctl login",
                    ));
                }
                creds.set_secret(
                    rpassword::prompt_password(format!("Password for {c}: "))
                        .map_err(|e| Error::usage(format!("cannot read the password: {e}")))?,
                );
            }
            return Ok(Some(creds));
        }
        if let (Some(u), Some(p)) = (&self.username, self.stdin_password.0.get()) {
            return Ok(Some(Secret::from_pair(u, p.clone())));
        }
        match (
            std::env::var("IMGCTL_USERNAME"),
            std::env::var("IMGCTL_PASSWORD"),
        ) {
            (Ok(u), Ok(p)) if !u.is_empty() => Ok(Some(Secret::from_pair(&u, p))),
            (Ok(u), Err(_)) if !u.is_empty() => Err(Error::usage(
                "IMGCTL_USERNAME is set but IMGCTL_PASSWORD is not",
            )),
            _ => Ok(None),
        }
    }

    /// imgctl's config dir: `--config-dir`, `IMGCTL_CONFIG_DIR`, or the platform default.
    pub fn config_dir(&self) -> Result<PathBuf> {
        match &self.config_dir {
            Some(d) => Ok(d.clone()),
            None => imgctl::auth::config_dir(),
        }
    }

    /// A registry client for one side of a transfer; `side` overrides credentials, CA files
    /// and TLS checks where given. Credentials follow the lookup chain of
    /// [`imgctl::auth`]: flags, env, imgctl's login, docker and containers configs.
    pub fn client(&self, side: &SideOpts) -> Result<Client> {
        self.client_with(self.credential_chain(side.creds.as_deref())?, side)
    }

    /// Like [`GlobalOpts::client`] with credentials from `credentials`.
    pub fn client_with(
        &self,
        credentials: Arc<dyn CredentialProvider>,
        side: &SideOpts,
    ) -> Result<Client> {
        Client::new(self.client_options(credentials, side)?)
    }

    /// The stored-credential lookup chain (flags, env, imgctl's login, docker and containers
    /// configs) with `flag` as the highest-priority credentials.
    pub fn credential_chain(&self, flag: Option<&str>) -> Result<Arc<dyn CredentialProvider>> {
        let fixed = self.credentials(flag)?;
        Ok(Arc::new(CredentialChain::new(fixed, self.config_dir()?)))
    }

    /// The client options of the global flags and `side`'s overrides: TLS, upload strategy,
    /// retries, timeout, per-registry `config.toml` from the config dir.
    pub fn client_options(
        &self,
        credentials: Arc<dyn CredentialProvider>,
        side: &SideOpts,
    ) -> Result<ClientOptions> {
        let mut ca_files = self.ca_files.clone();
        ca_files.extend(side.ca_files.iter().cloned());
        Ok(ClientOptions {
            insecure: self.insecure || side.insecure,
            ca_files,
            client_cert: self.cert_file.clone().zip(self.key_file.clone()),
            certs_d: imgctl::settings::certs_d_roots(),
            credentials,
            upload: match self.chunk_size {
                Some(0) => return Err(Error::usage("--chunk-size must be positive")),
                Some(n) => UploadStrategy::Chunked(n),
                None => UploadStrategy::Auto,
            },
            retries: self.retries,
            max_rps: self.max_rps,
            limiters: self.limiters.clone(),
            timeout: Duration::from_secs(self.timeout.max(1)),
            config: Arc::new(imgctl::settings::Config::load(&self.config_dir()?)?),
        })
    }
}

/// `--max-rps N`: requests per second, 0 or more (fractions allowed).
fn parse_max_rps(s: &str) -> std::result::Result<f64, String> {
    let n: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number of requests per second"))?;
    imgctl::settings::check_max_rps(n)
}

/// Seconds between plain progress lines / JSON progress events: IMGCTL_PROGRESS_INTERVAL, default 5.
fn progress_interval() -> Duration {
    std::env::var("IMGCTL_PROGRESS_INTERVAL")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(imgctl::progress::DEFAULT_INTERVAL)
}

/// Per-side overrides (for `copy`).
#[derive(Debug, Default, Clone)]
pub struct SideOpts {
    pub creds: Option<String>,
    pub ca_files: Vec<PathBuf>,
    pub insecure: bool,
}

/// Platform selection flags.
#[derive(Args, Debug, Clone)]
pub struct PlatformOpts {
    /// Platform(s) to pick from an image index: OS/ARCH[/VARIANT], or a comma list for a filtered index [default: linux and the host's architecture]
    #[arg(
        long,
        value_name = "OS/ARCH[/VARIANT]",
        conflicts_with = "all_platforms"
    )]
    pub platform: Option<String>,
    /// Copy the whole image index, every platform.
    #[arg(long, visible_alias = "all")]
    pub all_platforms: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Build an image from a Dockerfile without RUN (no daemon; base layers are never downloaded).
    #[command(after_long_help = examples::BUILD)]
    Build(build::BuildArgs),
    /// Pull an image from a registry into the local store.
    #[command(after_long_help = examples::PULL)]
    Pull {
        /// Image reference, e.g. alpine:3.20 or localhost:5000/app@sha256:…
        reference: String,
        #[command(flatten)]
        platforms: PlatformOpts,
    },
    /// Push an image from the local store to a registry (or to any location).
    #[command(after_long_help = examples::PUSH)]
    Push {
        /// The image in the store: REF, store:REF or store:sha256:…
        reference: String,
        /// Where to push it: REF, docker://REF, oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:REF] [default: the same reference in its registry]
        destination: Option<String>,
    },
    /// Name an image in the store (like docker tag), or retag in a registry: tag docker://REF NEWTAG…
    #[command(after_long_help = examples::TAG)]
    Tag {
        /// Store image (REF, sha256:… or a digest prefix), or docker://REF for a registry retag.
        source: String,
        /// New name(s): a reference in the store, or tags for a registry retag.
        #[arg(required = true)]
        targets: Vec<String>,
    },
    /// Copy an image between any two locations: registries, OCI layouts and archives, the local store.
    ///
    /// Locations: REF or docker://REF (registry), oci:DIR[:TAG], oci-archive:FILE[:TAG],
    /// docker-archive:FILE[:REF], store:REF or store:sha256:DIGEST (imgctl's local store).
    #[command(after_long_help = examples::COPY)]
    Copy {
        /// Source location, e.g. docker://alpine:3.20, oci:/tmp/lay:1, store:app:1
        source: String,
        /// Destination location, e.g. oci-archive:/tmp/app.tar:1, localhost:5000/app:1
        destination: String,
        #[command(flatten)]
        platforms: PlatformOpts,
        /// Credentials for the source registry.
        #[arg(long, value_name = "USER[:PASS]")]
        src_creds: Option<String>,
        /// Credentials for the destination registry.
        #[arg(long, value_name = "USER[:PASS]")]
        dest_creds: Option<String>,
        /// Extra CA file for the source registry.
        #[arg(long, value_name = "FILE")]
        src_ca_file: Vec<PathBuf>,
        /// Extra CA file for the destination registry.
        #[arg(long, value_name = "FILE")]
        dest_ca_file: Vec<PathBuf>,
        /// Skip TLS verification for the source registry.
        #[arg(long)]
        src_insecure: bool,
        /// Skip TLS verification for the destination registry.
        #[arg(long)]
        dest_insecure: bool,
        /// Copy the image's referrers too (signatures, SBOMs, attestations; cosign digest tags).
        #[arg(long)]
        referrers: bool,
        /// Recompress the layers while copying: gzip, zstd or none (new layer digests; diff_ids unchanged)
        #[arg(long, value_name = "gzip|zstd|none")]
        compress: Option<String>,
        /// Compression level for --compress (gzip 0-9, default 6; zstd 1-22, default 3)
        #[arg(long, value_name = "N", requires = "compress")]
        compress_level: Option<i32>,
    },
    /// List the images in the local store.
    #[command(after_long_help = examples::IMAGES)]
    Images,
    /// Remove images from the local store (blobs nothing else uses are deleted).
    #[command(after_long_help = examples::RMI)]
    Rmi {
        /// Image references, or digests (sha256:…, or a prefix of at least 12 hex digits).
        #[arg(required = true)]
        references: Vec<String>,
    },
    /// List the tags of a repository in a registry.
    #[command(after_long_help = examples::TAGS)]
    Tags {
        /// Repository, e.g. localhost:5000/app
        repository: String,
        /// Tags per request (`?n=`); the registry may ignore it [default: the registry's]
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        page_size: Option<u32>,
    },
    /// Verify and store credentials for a registry (OS keychain), or list them (--list).
    #[command(after_long_help = examples::LOGIN)]
    Login(login::LoginArgs),
    /// Remove stored credentials.
    #[command(after_long_help = examples::LOGOUT)]
    Logout(login::LogoutArgs),
    /// Show an image or index: digest, tags, platform, config, layers (or its exact bytes).
    #[command(after_long_help = examples::INSPECT)]
    Inspect {
        /// Location: REF (registry), docker://REF, oci:PATH[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:REF], store:REF
        location: String,
        /// Print the manifest bytes exactly as stored.
        #[arg(long, conflicts_with_all = ["config", "layers"])]
        raw: bool,
        /// Print the config blob exactly as stored.
        #[arg(long, conflicts_with = "layers")]
        config: bool,
        /// Show the layer history (created by, size, empty layers).
        #[arg(long)]
        layers: bool,
        /// Inspect this platform's image of an index: OS/ARCH[/VARIANT]
        #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
        platform: Option<String>,
    },
    /// Print the digest of the manifest or index a location names.
    #[command(after_long_help = examples::DIGEST)]
    Digest {
        /// Location (REF, docker://REF, oci:…, oci-archive:…, docker-archive:…, store:…).
        location: String,
        /// The digest of this platform's image in an index: OS/ARCH[/VARIANT] [default: the index's own digest]
        #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
        platform: Option<String>,
    },
    /// List the repositories of a registry.
    #[command(after_long_help = examples::CATALOG)]
    Catalog {
        /// Registry, e.g. localhost:5000
        registry: String,
        /// Repositories per request (`?n=`)
        #[arg(long, value_name = "N", default_value_t = imgctl::registry::CATALOG_PAGE_SIZE,
              value_parser = clap::value_parser!(u32).range(1..))]
        page_size: u32,
    },
    /// Delete a manifest from a registry (by digest; a tag is resolved first).
    #[command(after_long_help = examples::DELETE)]
    Delete {
        /// Reference, e.g. localhost:5000/app@sha256:… or localhost:5000/app:v1
        reference: String,
    },
    /// Write images of the local store to a docker-archive (docker save).
    #[command(after_long_help = examples::SAVE)]
    Save {
        /// Images in the store.
        #[arg(required = true)]
        references: Vec<String>,
        /// Archive file to write; - for stdout.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Platform to save from an index: OS/ARCH[/VARIANT] [default: the host's]
        #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
        platform: Option<String>,
    },
    /// Load the images of a docker-archive or OCI archive into the local store (docker load).
    #[command(after_long_help = examples::LOAD)]
    Load {
        /// Archive file to read; - for stdin [default: stdin, like docker load]
        #[arg(short, long, value_name = "FILE")]
        input: Option<PathBuf>,
        /// Platform to load from an index: OS/ARCH[/VARIANT] [default: the host's]
        #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
        platform: Option<String>,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(after_long_help = examples::COMPLETION)]
    Completion {
        /// Shell.
        shell: clap_complete::Shell,
    },
    /// Write man pages into DIR (or print imgctl.1).
    #[command(after_long_help = examples::MAN)]
    Man {
        /// Directory to write imgctl.1 and imgctl-COMMAND.1 into.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Mirror images between registries per a YAML file (see README, "Sync").
    #[command(after_long_help = examples::SYNC)]
    Sync {
        /// The sync configuration (YAML).
        #[arg(required_unless_present = "merge_reports")]
        config: Option<PathBuf>,
        /// Print the plan (what would be copied or skipped) and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Go on with the other images when one fails (exit code 8 if any failed).
        #[arg(long)]
        keep_going: bool,
        /// Run only shard K of N: every N-th image of the plan, starting at the K-th.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// Copy referrers for every mapping (as `referrers: true`).
        #[arg(long)]
        referrers: bool,
        /// Merge the JSON reports of a plan's shards (`--format json sync --shard K/N`, one per shard) into one report, and exit as the whole sync would have (0, or 8 when an image failed); runs nothing.
        #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with_all = ["config", "dry_run", "keep_going", "shard", "referrers"])]
        merge_reports: Vec<PathBuf>,
    },
    /// Show Docker Hub's pull rate limit (a manifest HEAD, which does not count against it).
    #[command(after_long_help = examples::RATELIMIT)]
    Ratelimit {
        /// Image to ask about [default: docker.io/ratelimitpreview/test:latest]
        reference: Option<String>,
    },
    /// Remove partial downloads, stale temp files and unused blobs from the local store.
    #[command(after_long_help = examples::PRUNE)]
    Prune,
    /// Change an image's config (entrypoint, cmd, env, labels, user, workdir, ports, created) and annotations.
    #[command(after_long_help = examples::MUTATE)]
    Mutate(mutate::MutateArgs),
    /// Add layers (tars, tar.gz files or directories) on top of an image, with history and diff_ids.
    #[command(after_long_help = examples::APPEND)]
    Append(append::AppendArgs),
    /// Print or save one blob of a repository (digest-verified), or upload a file as a blob (--put).
    #[command(after_long_help = examples::BLOB)]
    Blob(blob::BlobArgs),
    /// Make or change an image index at any location (registry, OCI layout, archive, store): create, add, remove.
    #[command(after_long_help = examples::INDEX)]
    Index(index::IndexArgs),
    /// Write an image's flattened root filesystem as one tar (whiteouts applied).
    #[command(after_long_help = examples::EXPORT)]
    Export(export::ExportArgs),
    /// List an image's file tree with the layer that wrote each entry, or what one layer adds, changes and deletes; per-layer sizes.
    #[command(after_long_help = examples::FILES)]
    Files(files::FilesArgs),
    /// Files added, removed and changed between two images (by content digest; nothing unpacked).
    #[command(after_long_help = examples::DIFF)]
    Diff(files::DiffArgs),
}

/// Runs the parsed command line; the value is the process exit code.
pub async fn run(cli: Cli) -> Result<()> {
    let bare_locations: Vec<&str> = match &cli.command {
        Command::Pull { reference, .. } => vec![reference],
        Command::Inspect { location, .. } | Command::Digest { location, .. } => vec![location],
        Command::Copy { source, .. } => vec![source],
        _ => vec![],
    };
    run_command(&cli).await.map_err(|e| {
        // `inspect layout` with a directory `layout` here went to Docker Hub: say so
        match bare_locations
            .iter()
            .find_map(|s| imgctl::location::local_path_hint(s))
        {
            Some(h) if e.hint().is_none() && e.kind() != imgctl::error::ErrorKind::Usage => {
                e.with_hint(h)
            }
            _ => e,
        }
    })
}

async fn run_command(cli: &Cli) -> Result<()> {
    let g = &cli.global;
    g.read_stdin_password(&cli.command)?;
    match &cli.command {
        Command::Pull {
            reference,
            platforms,
        } => transfer::pull(g, reference, platforms).await,
        Command::Push {
            reference,
            destination,
        } => transfer::push(g, reference, destination.as_deref()).await,
        Command::Copy {
            source,
            destination,
            platforms,
            src_creds,
            dest_creds,
            src_ca_file,
            dest_ca_file,
            src_insecure,
            dest_insecure,
            referrers,
            compress,
            compress_level,
        } => {
            let src = SideOpts {
                creds: src_creds.clone(),
                ca_files: src_ca_file.clone(),
                insecure: *src_insecure,
            };
            let dst = SideOpts {
                creds: dest_creds.clone(),
                ca_files: dest_ca_file.clone(),
                insecure: *dest_insecure,
            };
            // Checked before the copy: an archive written to stdout moves the result to stderr.
            let to_stderr = transfer::destination_on_stdout(destination);
            let compress = compress.as_deref().map(|c| (c, *compress_level));
            let mut result =
                transfer::copy(g, source, destination, platforms, &src, &dst, compress).await?;
            if *referrers {
                let stats =
                    sync::copy_referrers(g, source, destination, &src, &dst, &g.reporter()).await?;
                result["referrers"] = serde_json::to_value(stats)?;
            }
            transfer::print_result(g, &result, to_stderr)
        }
        Command::Tag { source, targets } => store::tag(g, source, targets).await,
        Command::Images => store::images(g),
        Command::Rmi { references } => store::rmi(g, references),
        Command::Tags {
            repository,
            page_size,
        } => store::tags(g, repository, *page_size).await,
        Command::Login(a) => login::login(g, a).await,
        Command::Logout(a) => login::logout(g, a).await,
        Command::Inspect {
            location,
            raw,
            config,
            layers,
            platform,
        } => {
            let view = match (raw, config, layers) {
                (true, _, _) => inspect::View::Raw,
                (_, true, _) => inspect::View::Config,
                (_, _, true) => inspect::View::Layers,
                _ => inspect::View::Summary,
            };
            inspect::inspect(g, location, view, platform.as_deref()).await
        }
        Command::Digest { location, platform } => {
            query::digest(g, location, platform.as_deref()).await
        }
        Command::Catalog {
            registry,
            page_size,
        } => query::catalog(g, registry, *page_size).await,
        Command::Delete { reference } => query::delete(g, reference).await,
        Command::Save {
            references,
            output,
            platform,
        } => archive::save(g, references, output, platform.as_deref()).await,
        Command::Load { input, platform } => {
            archive::load(g, input.as_deref(), platform.as_deref()).await
        }
        Command::Completion { shell } => completion::completion(*shell),
        Command::Man { dir } => completion::man(dir.as_deref()),
        Command::Sync { merge_reports, .. } if !merge_reports.is_empty() => {
            sync::merge_reports(g, merge_reports)
        }
        Command::Sync {
            config,
            dry_run,
            keep_going,
            shard,
            referrers,
            ..
        } => {
            let a = sync::SyncArgs {
                config: config.as_deref().expect("clap requires CONFIG"),
                dry_run: *dry_run,
                keep_going: *keep_going,
                shard: shard.as_deref(),
                referrers: *referrers,
            };
            sync::sync(g, &a).await
        }
        Command::Ratelimit { reference } => sync::ratelimit(g, reference.as_deref()).await,
        Command::Prune => store::prune(g),
        Command::Build(a) => build::build(g, a).await,
        Command::Mutate(a) => mutate::mutate(g, a)
            .await
            .map_err(|e| hint_store_image(g, &a.source, e)),
        Command::Append(a) => append::append(g, a)
            .await
            .map_err(|e| hint_store_image(g, &a.source, e)),
        Command::Blob(a) => blob::blob(g, a).await,
        Command::Index(a) => index::index(g, a).await,
        Command::Export(a) => export::export(g, a).await,
        Command::Files(a) => files::files(g, a).await,
        Command::Diff(a) => files::diff(g, a).await,
    }
}

/// For the edits that read a bare `REF` from its registry and write the result back under it
/// (mutate, append; the read-only commands take the store's image, as `inspect` does): when
/// that failed as not found or unreachable and the local store has an image of that name, the
/// hint says so and names `store:REF`, the image a user who just built or pulled it means.
fn hint_store_image(g: &GlobalOpts, source: &str, e: Error) -> Error {
    use imgctl::error::ErrorKind;
    if !matches!(e.kind(), ErrorKind::NotFound | ErrorKind::Network) {
        return e;
    }
    let Ok(dir) = g.store_dir() else {
        return e;
    };
    let Ok((imgctl::location::Location::Store(r), true)) =
        imgctl::ops::inspect::resolve_bare(source, Some(&dir))
    else {
        return e;
    };
    let store =
        format!("the local store has {r}: name it store:{r} (a bare name is the registry's here)");
    let hint = match e.hint_text() {
        Some(h) => format!("{h}; {store}"),
        None => store,
    };
    e.with_hint(hint)
}
