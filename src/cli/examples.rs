//! Examples shown at the end of `imgctl COMMAND --help` and as the EXAMPLES section of each
//! man page (see `completion::man_pages`). Each constant starts with the `Examples:` heading
//! that `--help` prints; the man page drops that line and uses a `.SH EXAMPLES` heading.

/// The heading every example block starts with.
pub const HEADING: &str = "Examples:";

pub const PULL: &str = "Examples:
  # docker.io/library/alpine:3.20, host platform
  imgctl pull alpine:3.20
  imgctl pull --platform linux/arm64 localhost:5000/app:1
  # keep the whole image index
  imgctl pull --all-platforms localhost:5000/app:1
  imgctl pull localhost:5000/app@sha256:…        # by digest";

pub const PUSH: &str = "Examples:
  # to the registry it is named after
  imgctl push localhost:5000/app:1
  imgctl push app:1 registry.example.com/team/app:1
  imgctl push localhost:5000/app:1 oci-archive:/tmp/app.tar:1";

pub const TAG: &str = "Examples:
  # a new name in the store
  imgctl tag localhost:5000/app:1 registry.example.com/app:1
  # name an untagged image
  imgctl tag sha256:3f1c2a9b8d7e app:loaded
  # retag in the registry
  imgctl tag docker://localhost:5000/app:1 stable latest";

pub const COPY: &str = "Examples:
  imgctl copy docker://alpine:3.20 docker://localhost:5000/mirror/alpine:3.20
  # mounts, no bytes move
  imgctl copy --all localhost:5000/app:1 localhost:5000/other/app:1
  # a filtered index
  imgctl copy --platform linux/amd64,linux/arm64 SRC DST
  imgctl copy localhost:5000/app:1 oci:/tmp/layout:1
  imgctl copy oci-archive:app.tar:1 docker-archive:d.tar:localhost:5000/app:1
  # with signatures, SBOMs
  imgctl copy --referrers localhost:5000/app:1 localhost:5001/app:1
  imgctl copy --compress zstd localhost:5000/app:1 localhost:5000/app:1-zstd
  # an archive down a pipe, loaded on another machine
  imgctl copy store:app:1 docker-archive:/dev/stdout | ssh host imgctl load";

pub const IMAGES: &str = "Examples:
  imgctl images
  imgctl images --format json";

pub const RMI: &str = "Examples:
  imgctl rmi localhost:5000/app:1
  imgctl rmi sha256:3f1c2a9b8d7e          # every name of that image";

pub const TAGS: &str = "Examples:
  imgctl tags localhost:5000/app
  imgctl tags --format json alpine";

pub const LOGIN: &str = "Examples:
  imgctl login registry.example.com -u alice     # prompts for the password
  echo \"$TOKEN\" | imgctl login ghcr.io -u alice --password-stdin
  echo \"$REFRESH\" | imgctl login myreg.azurecr.io --identity-token-stdin
  # as --creds USER:PASS
  IMGCTL_USERNAME=alice IMGCTL_PASSWORD=\"$TOKEN\" imgctl login ghcr.io
  imgctl login --list";

pub const LOGOUT: &str = "Examples:
  imgctl logout registry.example.com
  imgctl logout --all";

pub const INSPECT: &str = "Examples:
  imgctl inspect alpine:3.20
  imgctl inspect --platform linux/arm64 localhost:5000/app:1
  imgctl inspect --raw localhost:5000/app:1 | jq .
  imgctl inspect --config oci:/tmp/layout:1
  imgctl inspect --layers docker-archive:app.tar";

pub const DIGEST: &str = "Examples:
  imgctl digest localhost:5000/app:1
  # the arm64 image of an index
  imgctl digest --platform linux/arm64 localhost:5000/app:1
  imgctl digest oci-archive:/tmp/app.tar:1";

pub const CATALOG: &str = "Examples:
  imgctl catalog localhost:5000";

pub const DELETE: &str = "Examples:
  imgctl delete localhost:5000/app@sha256:…
  # resolves the tag; every tag on that digest goes
  imgctl delete localhost:5000/app:old";

pub const SAVE: &str = "Examples:
  imgctl save localhost:5000/app:1 localhost:5000/db:2 -o images.tar
  imgctl save app:1 -o - | gzip > app.tar.gz";

pub const LOAD: &str = "Examples:
  imgctl load -i images.tar
  gunzip -c app.tar.gz | imgctl load";

pub const COMPLETION: &str = "Examples:
  imgctl completion bash > ~/.local/share/bash-completion/completions/imgctl
  imgctl completion zsh > \"${fpath[1]}/_imgctl\"
  imgctl completion fish > ~/.config/fish/completions/imgctl.fish";

pub const MAN: &str = "Examples:
  imgctl man --dir ~/.local/share/man/man1 && man imgctl-copy";

pub const SYNC: &str = "Examples:
  imgctl sync mirror.yaml --dry-run
  imgctl sync mirror.yaml --keep-going --format json
  # one job of a CI matrix
  imgctl sync mirror.yaml --shard 2/4 --progress plain
  imgctl sync mirror.yaml --shard 2/4 --format json > shard-2.json
  # one report of all shards; exit 8 if an image failed
  imgctl sync --merge-reports shard-*.json
  # at most 10 requests a second to each registry
  imgctl sync mirror.yaml --max-rps 10";

pub const RATELIMIT: &str = "Examples:
  imgctl ratelimit
  imgctl ratelimit docker.io/library/nginx:latest";

pub const PRUNE: &str = "Examples:
  # after a failed pull, or when the disk is full
  imgctl prune
  imgctl prune --format json";

pub const MUTATE: &str = r#"Examples:
  # new digest, same tag
  imgctl mutate localhost:5000/app:1 --env MODE=prod --label team=web
  # the result under another tag
  imgctl mutate localhost:5000/app:1 -t localhost:5000/app:2 --entrypoint /app
  imgctl mutate localhost:5000/app:1 --entrypoint '["/app","--serve"]'
  imgctl mutate localhost:5000/app:1 --cmd '["serve","--port=8080"]' --user 1000
  imgctl mutate localhost:5000/app:1 --expose 8080/tcp --workdir /srv
  # one platform of an index; the others are kept byte for byte
  imgctl mutate --platform linux/arm64 localhost:5000/app:1 --annotation a.b=arm
  imgctl mutate oci:/tmp/layout:1 -t oci:/tmp/layout:2 --created now"#;

pub const APPEND: &str = "Examples:
  # a directory, packed at /
  imgctl append localhost:5000/app:1 -f ./rootfs-extra/
  imgctl append localhost:5000/app:1 -f certs.tar.gz -t localhost:5000/app:2
  # two layers, bottom first, on one platform of an index
  imgctl append localhost:5000/app:1 -f a.tar -f b.tgz --platform linux/arm64
  imgctl append oci:/tmp/layout:1 -f overlay.tar -t oci:/tmp/layout:2";

pub const BLOB: &str = "Examples:
  # verified, written atomically
  imgctl blob localhost:5000/app@sha256:3f1c… -o config.json
  imgctl blob localhost:5000/app@sha256:3f1c… | tar -tzf -
  # prints sha256:…
  imgctl blob --put localhost:5000/app layer.tar.gz
  tar -cz etc | imgctl blob --put localhost:5000/app -          # from stdin";

pub const INDEX: &str = "Examples:
  # two single-platform images → one index (copied into app's repository first)
  imgctl index create localhost:5000/app:1 localhost:5000/a:amd64 oci:/tmp/arm:1
  imgctl index create --annotation a.b=multi localhost:5000/app:2 oci:/tmp/amd:1
  imgctl index add localhost:5000/app:1 localhost:5000/app:1-s390x
  imgctl index remove localhost:5000/app:1 --platform linux/s390x
  # an OCI layout, no registry
  imgctl index create oci:/tmp/multi:1 oci:/tmp/amd:1 oci:/tmp/arm:1
  imgctl index add store:app:1 store:app:1-s390x";
pub const EXPORT: &str = "Examples:
  imgctl export localhost:5000/app:1 -o rootfs.tar
  imgctl export oci:/tmp/lay:1 --platform linux/arm64 | tar -t
  imgctl export store:app:1 -o - | tar -x -C rootfs/";

pub const FILES: &str = "Examples:
  # the tree, each entry with its layer; sizes per layer
  imgctl files localhost:5000/app:1
  # one subtree, with owner, mtime and link targets
  imgctl files localhost:5000/app:1 /etc --long
  # what layer 2 adds (A), changes (M) and deletes (D)
  imgctl files oci:/tmp/lay:1 --layer 2
  imgctl files store:app:1 --format json | jq '.layers[] | {index, tarSize}'";

pub const DIFF: &str = "Examples:
  # A, D and M lines sorted by path
  imgctl diff localhost:5000/app:1 localhost:5000/app:2
  imgctl diff store:app:1 oci:/tmp/lay:1 --platform linux/arm64
  imgctl diff app:1 app:2 --format json | jq -r '.changed[].path'";

// Each BUILD line fits 80 columns (clap wraps longer ones mid-command): comments go on their
// own line above the command.
pub const BUILD: &str = "Examples:
  # into the local store; then: imgctl push localhost:5000/app:1
  imgctl build -t localhost:5000/app:1 .
  # straight to the registry, the base layers mounted or streamed
  imgctl build -t localhost:5000/app:1 --push .
  cat Dockerfile.web | imgctl build -f - -t app:dev ./site
  # an image index: one image per platform
  imgctl build --platform linux/amd64,linux/arm64 --push -t localhost:5000/app .
  imgctl build --target runtime --build-arg VERSION=1.2 --output oci:out:1 .
  # the same digest for the same files, on any machine
  SOURCE_DATE_EPOCH=0 imgctl build --iidfile id.txt -t app:1 .";

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every visible subcommand has examples, and every example command line parses (the
    /// words from `imgctl` up to a shell `|`, `>`, `&&` or `#` comment; a line that is only a
    /// comment describes the next).
    #[test]
    fn every_command_has_examples_that_parse() {
        let cmd = super::super::Cli::command();
        for sub in cmd
            .get_subcommands()
            .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        {
            let help = sub
                .get_after_long_help()
                .unwrap_or_else(|| panic!("{} has no examples", sub.get_name()))
                .to_string();
            let mut lines = help.lines();
            assert_eq!(lines.next(), Some(HEADING));
            for l in lines.filter(|l| !l.trim_start().starts_with('#')) {
                let argv: Vec<&str> = l
                    .split_whitespace()
                    .skip_while(|w| *w != "imgctl")
                    .take_while(|w| !["|", ">", "&&", "#"].contains(w))
                    .collect();
                assert_eq!(argv.get(1), Some(&sub.get_name()), "{l}");
                if let Err(e) = cmd.clone().try_get_matches_from(&argv) {
                    panic!("example does not parse: {l}\n{e}");
                }
            }
        }
    }

    /// Every command's `--help` at 80 columns shows each example line whole (none is wrapped
    /// in the middle of a command, so each can be pasted), and so at 100.
    #[test]
    fn examples_are_not_wrapped() {
        let mut bad = Vec::new();
        for width in [80, 100] {
            let mut cmd = super::super::Cli::command().term_width(width);
            cmd.build();
            for sub in cmd
                .get_subcommands()
                .filter(|s| !s.is_hide_set() && s.get_name() != "help")
            {
                let mut sub = sub.clone();
                let Some(examples) = sub.get_after_long_help().map(|h| h.to_string()) else {
                    continue;
                };
                let help = sub.render_long_help().to_string();
                for l in examples.lines().skip(1) {
                    if !help.lines().any(|h| h == l) {
                        bad.push(format!("{} at {width}: {l}", sub.get_name()));
                    }
                }
            }
        }
        assert!(bad.is_empty(), "wrapped example lines:\n{}", bad.join("\n"));
    }
}
