
use builtin;
use str;

set edit:completion:arg-completer[imgctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'imgctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'imgctl'= {
            cand --progress 'Progress style on stderr'
            cand --format 'Result format on stdout'
            cand --store 'Local image store (an OCI image layout) [default: the platform data dir]'
            cand --jobs 'Concurrent blob transfers'
            cand --retries 'Retries per request on connect errors, timeouts, 408, 429 and 5xx'
            cand --timeout 'Idle timeout in seconds: a connection that moves nothing for this long fails'
            cand --ca-file 'Extra trusted root certificate (PEM); repeatable'
            cand --creds 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD'
            cand --chunk-size 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT'
            cand -v 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand --verbose 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand -q 'No progress, only results and errors'
            cand --quiet 'No progress, only results and errors'
            cand --insecure 'Skip TLS verification and allow plain HTTP (test registries only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand pull 'Pull an image from a registry into the local store'
            cand push 'Push an image from the local store to a registry'
            cand tag 'Name an image in the store (like docker tag), or retag in a registry: tag docker://REF NEWTAG…'
            cand copy 'Copy an image between any two locations (docker://, oci:, oci-archive:, docker-archive:, or the store)'
            cand images 'List the images in the local store'
            cand rmi 'Remove images from the local store (blobs nothing else uses are deleted)'
            cand tags 'List the tags of a repository in a registry'
            cand inspect 'Show an image or index: digest, tags, platform, config, layers (or its exact bytes)'
            cand digest 'Print the digest of the manifest or index a location names'
            cand catalog 'List the repositories of a registry'
            cand delete 'Delete a manifest from a registry (by digest; a tag is resolved first)'
            cand save 'Write images of the local store to a docker-archive (docker save)'
            cand load 'Load the images of a docker-archive into the local store (docker load)'
            cand completion 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
            cand man 'Write man pages into DIR (or print imgctl.1)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'imgctl;pull'= {
            cand --platform 'Platform(s) to pick from an image index: OS/ARCH[/VARIANT], or a comma list for a filtered index [default: linux and the host''s architecture]'
            cand --progress 'Progress style on stderr'
            cand --format 'Result format on stdout'
            cand --store 'Local image store (an OCI image layout) [default: the platform data dir]'
            cand --jobs 'Concurrent blob transfers'
            cand --retries 'Retries per request on connect errors, timeouts, 408, 429 and 5xx'
            cand --timeout 'Idle timeout in seconds: a connection that moves nothing for this long fails'
            cand --ca-file 'Extra trusted root certificate (PEM); repeatable'
            cand --creds 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD'
            cand --chunk-size 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT'
            cand --all-platforms 'Copy the whole image index, every platform'
            cand --all 'Copy the whole image index, every platform'
            cand -v 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand --verbose 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand -q 'No progress, only results and errors'
            cand --quiet 'No progress, only results and errors'
            cand --insecure 'Skip TLS verification and allow plain HTTP (test registries only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'imgctl;push'= {
            cand --progress 'Progress style on stderr'
            cand --format 'Result format on stdout'
            cand --store 'Local image store (an OCI image layout) [default: the platform data dir]'
            cand --jobs 'Concurrent blob transfers'
            cand --retries 'Retries per request on connect errors, timeouts, 408, 429 and 5xx'
            cand --timeout 'Idle timeout in seconds: a connection that moves nothing for this long fails'
            cand --ca-file 'Extra trusted root certificate (PEM); repeatable'
            cand --creds 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD'
            cand --chunk-size 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT'
            cand -v 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand --verbose 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand -q 'No progress, only results and errors'
            cand --quiet 'No progress, only results and errors'
            cand --insecure 'Skip TLS verification and allow plain HTTP (test registries only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'imgctl;tag'= {
            cand --progress 'Progress style on stderr'
            cand --format 'Result format on stdout'
            cand --store 'Local image store (an OCI image layout) [default: the platform data dir]'
            cand --jobs 'Concurrent blob transfers'
            cand --retries 'Retries per request on connect errors, timeouts, 408, 429 and 5xx'
            cand --timeout 'Idle timeout in seconds: a connection that moves nothing for this long fails'
            cand --ca-file 'Extra trusted root certificate (PEM); repeatable'
            cand --creds 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD'
            cand --chunk-size 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT'
            cand -v 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand --verbose 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand -q 'No progress, only results and errors'
            cand --quiet 'No progress, only results and errors'
            cand --insecure 'Skip TLS verification and allow plain HTTP (test registries only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'imgctl;copy'= {
            cand --platform 'Platform(s) to pick from an image index: OS/ARCH[/VARIANT], or a comma list for a filtered index [default: linux and the host''s architecture]'
            cand --src-creds 'Credentials for the source registry'
            cand --dest-creds 'Credentials for the destination registry'
            cand --src-ca-file 'Extra CA file for the source registry'
            cand --dest-ca-file 'Extra CA file for the destination registry'
            cand --progress 'Progress style on stderr'
            cand --format 'Result format on stdout'
            cand --store 'Local image store (an OCI image layout) [default: the platform data dir]'
            cand --jobs 'Concurrent blob transfers'
            cand --retries 'Retries per request on connect errors, timeouts, 408, 429 and 5xx'
            cand --timeout 'Idle timeout in seconds: a connection that moves nothing for this long fails'
            cand --ca-file 'Extra trusted root certificate (PEM); repeatable'
            cand --creds 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD'
            cand --chunk-size 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT'
            cand --all-platforms 'Copy the whole image index, every platform'
            cand --all 'Copy the whole image index, every platform'
            cand --src-insecure 'Skip TLS verification for the source registry'
            cand --dest-insecure 'Skip TLS verification for the destination registry'
            cand -v 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand --verbose 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand -q 'No progress, only results and errors'
            cand --quiet 'No progress, only results and errors'
            cand --insecure 'Skip TLS verification and allow plain HTTP (test registries only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'imgctl;images'= {
            cand --progress 'Progress style on stderr'
            cand --format 'Result format on stdout'
            cand --store 'Local image store (an OCI image layout) [default: the platform data dir]'
            cand --jobs 'Concurrent blob transfers'
            cand --retries 'Retries per request on connect errors, timeouts, 408, 429 and 5xx'
            cand --timeout 'Idle timeout in seconds: a connection that moves nothing for this long fails'
            cand --ca-file 'Extra trusted root certificate (PEM); repeatable'
            cand --creds 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD'
            cand --chunk-size 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT'
            cand -v 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand --verbose 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand -q 'No progress, only results and errors'
            cand --quiet 'No progress, only results and errors'
            cand --insecure 'Skip TLS verification and allow plain HTTP (test registries only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'imgctl;rmi'= {
            cand --progress 'Progress style on stderr'
            cand --format 'Result format on stdout'
            cand --store 'Local image store (an OCI image layout) [default: the platform data dir]'
            cand --jobs 'Concurrent blob transfers'
            cand --retries 'Retries per request on connect errors, timeouts, 408, 429 and 5xx'
            cand --timeout 'Idle timeout in seconds: a connection that moves nothing for this long fails'
            cand --ca-file 'Extra trusted root certificate (PEM); repeatable'
            cand --creds 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD'
            cand --chunk-size 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT'
            cand -v 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand --verbose 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand -q 'No progress, only results and errors'
            cand --quiet 'No progress, only results and errors'
            cand --insecure 'Skip TLS verification and allow plain HTTP (test registries only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'imgctl;tags'= {
            cand --progress 'Progress style on stderr'
            cand --format 'Result format on stdout'
            cand --store 'Local image store (an OCI image layout) [default: the platform data dir]'
            cand --jobs 'Concurrent blob transfers'
            cand --retries 'Retries per request on connect errors, timeouts, 408, 429 and 5xx'
            cand --timeout 'Idle timeout in seconds: a connection that moves nothing for this long fails'
            cand --ca-file 'Extra trusted root certificate (PEM); repeatable'
            cand --creds 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD'
            cand --chunk-size 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT'
            cand -v 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand --verbose 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand -q 'No progress, only results and errors'
            cand --quiet 'No progress, only results and errors'
            cand --insecure 'Skip TLS verification and allow plain HTTP (test registries only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'imgctl;inspect'= {
            cand --platform 'Inspect this platform''s image of an index: OS/ARCH[/VARIANT]'
            cand --progress 'Progress style on stderr'
            cand --format 'Result format on stdout'
            cand --store 'Local image store (an OCI image layout) [default: the platform data dir]'
            cand --jobs 'Concurrent blob transfers'
            cand --retries 'Retries per request on connect errors, timeouts, 408, 429 and 5xx'
            cand --timeout 'Idle timeout in seconds: a connection that moves nothing for this long fails'
            cand --ca-file 'Extra trusted root certificate (PEM); repeatable'
            cand --creds 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD'
            cand --chunk-size 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT'
            cand --raw 'Print the manifest bytes exactly as stored'
            cand --config 'Print the config blob exactly as stored'
            cand --layers 'Show the layer history (created by, size, empty layers)'
            cand -v 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand --verbose 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand -q 'No progress, only results and errors'
            cand --quiet 'No progress, only results and errors'
            cand --insecure 'Skip TLS verification and allow plain HTTP (test registries only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'imgctl;digest'= {
            cand --progress 'Progress style on stderr'
            cand --format 'Result format on stdout'
            cand --store 'Local image store (an OCI image layout) [default: the platform data dir]'
            cand --jobs 'Concurrent blob transfers'
            cand --retries 'Retries per request on connect errors, timeouts, 408, 429 and 5xx'
            cand --timeout 'Idle timeout in seconds: a connection that moves nothing for this long fails'
            cand --ca-file 'Extra trusted root certificate (PEM); repeatable'
            cand --creds 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD'
            cand --chunk-size 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT'
            cand -v 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand --verbose 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand -q 'No progress, only results and errors'
            cand --quiet 'No progress, only results and errors'
            cand --insecure 'Skip TLS verification and allow plain HTTP (test registries only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'imgctl;catalog'= {
            cand --progress 'Progress style on stderr'
            cand --format 'Result format on stdout'
            cand --store 'Local image store (an OCI image layout) [default: the platform data dir]'
            cand --jobs 'Concurrent blob transfers'
            cand --retries 'Retries per request on connect errors, timeouts, 408, 429 and 5xx'
            cand --timeout 'Idle timeout in seconds: a connection that moves nothing for this long fails'
            cand --ca-file 'Extra trusted root certificate (PEM); repeatable'
            cand --creds 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD'
            cand --chunk-size 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT'
            cand -v 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand --verbose 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand -q 'No progress, only results and errors'
            cand --quiet 'No progress, only results and errors'
            cand --insecure 'Skip TLS verification and allow plain HTTP (test registries only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'imgctl;delete'= {
            cand --progress 'Progress style on stderr'
            cand --format 'Result format on stdout'
            cand --store 'Local image store (an OCI image layout) [default: the platform data dir]'
            cand --jobs 'Concurrent blob transfers'
            cand --retries 'Retries per request on connect errors, timeouts, 408, 429 and 5xx'
            cand --timeout 'Idle timeout in seconds: a connection that moves nothing for this long fails'
            cand --ca-file 'Extra trusted root certificate (PEM); repeatable'
            cand --creds 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD'
            cand --chunk-size 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT'
            cand -v 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand --verbose 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand -q 'No progress, only results and errors'
            cand --quiet 'No progress, only results and errors'
            cand --insecure 'Skip TLS verification and allow plain HTTP (test registries only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'imgctl;save'= {
            cand -o 'Archive file to write'
            cand --output 'Archive file to write'
            cand --platform 'Platform to save from an index: OS/ARCH[/VARIANT] [default: the host''s]'
            cand --progress 'Progress style on stderr'
            cand --format 'Result format on stdout'
            cand --store 'Local image store (an OCI image layout) [default: the platform data dir]'
            cand --jobs 'Concurrent blob transfers'
            cand --retries 'Retries per request on connect errors, timeouts, 408, 429 and 5xx'
            cand --timeout 'Idle timeout in seconds: a connection that moves nothing for this long fails'
            cand --ca-file 'Extra trusted root certificate (PEM); repeatable'
            cand --creds 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD'
            cand --chunk-size 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT'
            cand -v 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand --verbose 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand -q 'No progress, only results and errors'
            cand --quiet 'No progress, only results and errors'
            cand --insecure 'Skip TLS verification and allow plain HTTP (test registries only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'imgctl;load'= {
            cand -i 'Archive file to read'
            cand --input 'Archive file to read'
            cand --platform 'Platform to load from an index: OS/ARCH[/VARIANT] [default: the host''s]'
            cand --progress 'Progress style on stderr'
            cand --format 'Result format on stdout'
            cand --store 'Local image store (an OCI image layout) [default: the platform data dir]'
            cand --jobs 'Concurrent blob transfers'
            cand --retries 'Retries per request on connect errors, timeouts, 408, 429 and 5xx'
            cand --timeout 'Idle timeout in seconds: a connection that moves nothing for this long fails'
            cand --ca-file 'Extra trusted root certificate (PEM); repeatable'
            cand --creds 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD'
            cand --chunk-size 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT'
            cand -v 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand --verbose 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand -q 'No progress, only results and errors'
            cand --quiet 'No progress, only results and errors'
            cand --insecure 'Skip TLS verification and allow plain HTTP (test registries only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'imgctl;completion'= {
            cand --progress 'Progress style on stderr'
            cand --format 'Result format on stdout'
            cand --store 'Local image store (an OCI image layout) [default: the platform data dir]'
            cand --jobs 'Concurrent blob transfers'
            cand --retries 'Retries per request on connect errors, timeouts, 408, 429 and 5xx'
            cand --timeout 'Idle timeout in seconds: a connection that moves nothing for this long fails'
            cand --ca-file 'Extra trusted root certificate (PEM); repeatable'
            cand --creds 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD'
            cand --chunk-size 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT'
            cand -v 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand --verbose 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand -q 'No progress, only results and errors'
            cand --quiet 'No progress, only results and errors'
            cand --insecure 'Skip TLS verification and allow plain HTTP (test registries only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'imgctl;man'= {
            cand --dir 'Directory to write imgctl.1 and imgctl-COMMAND.1 into'
            cand --progress 'Progress style on stderr'
            cand --format 'Result format on stdout'
            cand --store 'Local image store (an OCI image layout) [default: the platform data dir]'
            cand --jobs 'Concurrent blob transfers'
            cand --retries 'Retries per request on connect errors, timeouts, 408, 429 and 5xx'
            cand --timeout 'Idle timeout in seconds: a connection that moves nothing for this long fails'
            cand --ca-file 'Extra trusted root certificate (PEM); repeatable'
            cand --creds 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD'
            cand --chunk-size 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT'
            cand -v 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand --verbose 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
            cand -q 'No progress, only results and errors'
            cand --quiet 'No progress, only results and errors'
            cand --insecure 'Skip TLS verification and allow plain HTTP (test registries only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'imgctl;help'= {
            cand pull 'Pull an image from a registry into the local store'
            cand push 'Push an image from the local store to a registry'
            cand tag 'Name an image in the store (like docker tag), or retag in a registry: tag docker://REF NEWTAG…'
            cand copy 'Copy an image between any two locations (docker://, oci:, oci-archive:, docker-archive:, or the store)'
            cand images 'List the images in the local store'
            cand rmi 'Remove images from the local store (blobs nothing else uses are deleted)'
            cand tags 'List the tags of a repository in a registry'
            cand inspect 'Show an image or index: digest, tags, platform, config, layers (or its exact bytes)'
            cand digest 'Print the digest of the manifest or index a location names'
            cand catalog 'List the repositories of a registry'
            cand delete 'Delete a manifest from a registry (by digest; a tag is resolved first)'
            cand save 'Write images of the local store to a docker-archive (docker save)'
            cand load 'Load the images of a docker-archive into the local store (docker load)'
            cand completion 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
            cand man 'Write man pages into DIR (or print imgctl.1)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'imgctl;help;pull'= {
        }
        &'imgctl;help;push'= {
        }
        &'imgctl;help;tag'= {
        }
        &'imgctl;help;copy'= {
        }
        &'imgctl;help;images'= {
        }
        &'imgctl;help;rmi'= {
        }
        &'imgctl;help;tags'= {
        }
        &'imgctl;help;inspect'= {
        }
        &'imgctl;help;digest'= {
        }
        &'imgctl;help;catalog'= {
        }
        &'imgctl;help;delete'= {
        }
        &'imgctl;help;save'= {
        }
        &'imgctl;help;load'= {
        }
        &'imgctl;help;completion'= {
        }
        &'imgctl;help;man'= {
        }
        &'imgctl;help;help'= {
        }
    ]
    $completions[$command]
}
