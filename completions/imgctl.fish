# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_imgctl_global_optspecs
    string join \n v/verbose q/quiet progress= format= store= jobs= retries= max-rps= timeout= ca-file= insecure cert-file= key-file= creds= chunk-size= config-dir= u/username= password-stdin h/help V/version
end

function __fish_imgctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_imgctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_imgctl_using_subcommand
    set -l cmd (__fish_imgctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c imgctl -n "__fish_imgctl_needs_command" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_needs_command" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_needs_command" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_needs_command" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_needs_command" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_needs_command" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_needs_command" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_needs_command" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_needs_command" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_needs_command" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_needs_command" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_needs_command" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_needs_command" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_needs_command" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_needs_command" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_needs_command" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_needs_command" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_needs_command" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_needs_command" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "build" -d 'Build an image from a Dockerfile without RUN (no daemon; base layers are never downloaded)'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "pull" -d 'Pull an image from a registry into the local store'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "push" -d 'Push an image from the local store to a registry (or to any location)'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "tag" -d 'Name an image in the store (like docker tag), or retag in a registry: tag docker://REF NEWTAG…'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "copy" -d 'Copy an image between any two locations: registries, OCI layouts and archives, the local store'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "images" -d 'List the images in the local store'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "rmi" -d 'Remove images from the local store (blobs nothing else uses are deleted)'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "tags" -d 'List the tags of a repository in a registry'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "login" -d 'Verify and store credentials for a registry (OS keychain), or list them (--list)'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "logout" -d 'Remove stored credentials'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "inspect" -d 'Show an image or index: digest, tags, platform, config, layers (or its exact bytes)'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "digest" -d 'Print the digest of the manifest or index a location names'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "catalog" -d 'List the repositories of a registry'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "delete" -d 'Delete a manifest from a registry (by digest; a tag is resolved first)'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "save" -d 'Write images of the local store to a docker-archive (docker save)'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "load" -d 'Load the images of a docker-archive or OCI archive into the local store (docker load)'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "completion" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "man" -d 'Write man pages into DIR (or print imgctl.1)'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "sync" -d 'Mirror images between registries per a YAML file (see README, "Sync")'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "ratelimit" -d 'Show Docker Hub\'s pull rate limit (a manifest HEAD, which does not count against it)'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "prune" -d 'Remove partial downloads, stale temp files and unused blobs from the local store'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "mutate" -d 'Change an image\'s config (entrypoint, cmd, env, labels, user, workdir, ports, created) and annotations'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "append" -d 'Add layers (tars, tar.gz files or directories) on top of an image, with history and diff_ids'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "blob" -d 'Print or save one blob of a repository (digest-verified), or upload a file as a blob (--put)'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "index" -d 'Make or change an image index at any location (registry, OCI layout, archive, store): create, add, remove'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "export" -d 'Write an image\'s flattened root filesystem as one tar (whiteouts applied)'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "files" -d 'List an image\'s file tree with the layer that wrote each entry, or what one layer adds, changes and deletes; per-layer sizes'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "diff" -d 'Files added, removed and changed between two images (by content digest; nothing unpacked)'
complete -c imgctl -n "__fish_imgctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -s f -l file -d 'The Dockerfile [default: CONTEXT/Dockerfile]; `-` reads it from stdin' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -s t -l tag -d 'Name the image: into the local store (default), or pushed with --push; repeatable' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -l build-arg -d 'Set a build argument (an ARG\'s value)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -l label -d 'Set a label on the image\'s config (after the Dockerfile\'s LABELs)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -l platform -d 'Build for these platforms (OS/ARCH[/VARIANT], comma-separated); several give an image index [default: the host\'s]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -l target -d 'Build this stage (a name or index) instead of the last' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -l output -d 'Also write the image to LOCATION (oci:DIR[:TAG], oci-archive:FILE, docker-archive:FILE[:REF], docker://REF)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -l iidfile -d 'Write the image\'s digest to FILE' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -l push -d 'Push the image to each --tag\'s registry instead of the local store'
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand build" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand pull" -l platform -d 'Platform(s) to pick from an image index: OS/ARCH[/VARIANT], or a comma list for a filtered index [default: linux and the host\'s architecture]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand pull" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand pull" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand pull" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand pull" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand pull" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand pull" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand pull" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand pull" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand pull" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand pull" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand pull" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand pull" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand pull" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand pull" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand pull" -l all-platforms -l all -d 'Copy the whole image index, every platform'
complete -c imgctl -n "__fish_imgctl_using_subcommand pull" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand pull" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand pull" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand pull" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand pull" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand pull" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand push" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand push" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand push" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand push" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand push" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand push" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand push" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand push" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand push" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand push" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand push" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand push" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand push" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand push" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand push" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand push" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand push" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand push" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand push" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand push" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand tag" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand tag" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand tag" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand tag" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand tag" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand tag" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand tag" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand tag" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand tag" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand tag" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand tag" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand tag" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand tag" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand tag" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand tag" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand tag" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand tag" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand tag" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand tag" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand tag" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l platform -d 'Platform(s) to pick from an image index: OS/ARCH[/VARIANT], or a comma list for a filtered index [default: linux and the host\'s architecture]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l src-creds -d 'Credentials for the source registry' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l dest-creds -d 'Credentials for the destination registry' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l src-ca-file -d 'Extra CA file for the source registry' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l dest-ca-file -d 'Extra CA file for the destination registry' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l compress -d 'Recompress the layers while copying: gzip, zstd or none (new layer digests; diff_ids unchanged)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l compress-level -d 'Compression level for --compress (gzip 0-9, default 6; zstd 1-22, default 3)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l all-platforms -l all -d 'Copy the whole image index, every platform'
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l src-insecure -d 'Skip TLS verification for the source registry'
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l dest-insecure -d 'Skip TLS verification for the destination registry'
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l referrers -d 'Copy the image\'s referrers too (signatures, SBOMs, attestations; cosign digest tags)'
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand copy" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand images" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand images" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand images" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand images" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand images" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand images" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand images" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand images" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand images" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand images" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand images" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand images" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand images" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand images" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand images" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand images" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand images" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand images" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand images" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand images" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand rmi" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand rmi" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand rmi" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand rmi" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand rmi" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand rmi" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand rmi" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand rmi" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand rmi" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand rmi" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand rmi" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand rmi" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand rmi" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand rmi" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand rmi" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand rmi" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand rmi" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand rmi" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand rmi" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand rmi" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand tags" -l page-size -d 'Tags per request (`?n=`); the registry may ignore it [default: the registry\'s]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand tags" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand tags" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand tags" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand tags" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand tags" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand tags" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand tags" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand tags" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand tags" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand tags" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand tags" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand tags" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand tags" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand tags" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand tags" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand tags" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand tags" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand tags" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand tags" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand tags" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -s p -l password -d 'Password on the command line: insecure (process list, shell history); prefer --password-stdin' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -l identity-token-stdin -d 'Read an OAuth2 identity/refresh token from stdin (e.g. ACR\'s, with -u 00000000-0000-0000-0000-000000000000)'
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -l list -d 'List the registries imgctl holds credentials for (never the secrets)'
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -l to-docker-config -d 'Store in docker\'s config.json (base64, not encrypted; mode 0600) instead of the OS keychain'
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -l require-keychain -d 'Fail when no keychain is reachable, instead of falling back to docker\'s config.json (not encrypted); env: true/false, 1/0, yes/no'
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand login" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand logout" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand logout" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand logout" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand logout" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand logout" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand logout" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand logout" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand logout" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand logout" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand logout" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand logout" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand logout" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand logout" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand logout" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand logout" -l all -d 'Log out of every registry imgctl holds credentials for'
complete -c imgctl -n "__fish_imgctl_using_subcommand logout" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand logout" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand logout" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand logout" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand logout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand logout" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -l platform -d 'Inspect this platform\'s image of an index: OS/ARCH[/VARIANT]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -l raw -d 'Print the manifest bytes exactly as stored'
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -l config -d 'Print the config blob exactly as stored'
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -l layers -d 'Show the layer history (created by, size, empty layers)'
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand inspect" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand digest" -l platform -d 'The digest of this platform\'s image in an index: OS/ARCH[/VARIANT] [default: the index\'s own digest]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand digest" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand digest" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand digest" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand digest" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand digest" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand digest" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand digest" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand digest" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand digest" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand digest" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand digest" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand digest" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand digest" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand digest" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand digest" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand digest" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand digest" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand digest" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand digest" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand digest" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand catalog" -l page-size -d 'Repositories per request (`?n=`)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand catalog" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand catalog" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand catalog" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand catalog" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand catalog" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand catalog" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand catalog" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand catalog" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand catalog" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand catalog" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand catalog" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand catalog" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand catalog" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand catalog" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand catalog" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand catalog" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand catalog" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand catalog" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand catalog" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand catalog" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand delete" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand delete" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand delete" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand delete" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand delete" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand delete" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand delete" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand delete" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand delete" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand delete" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand delete" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand delete" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand delete" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand delete" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand delete" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand delete" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand delete" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand delete" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand delete" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand save" -s o -l output -d 'Archive file to write; - for stdout' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand save" -l platform -d 'Platform to save from an index: OS/ARCH[/VARIANT] [default: the host\'s]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand save" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand save" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand save" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand save" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand save" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand save" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand save" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand save" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand save" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand save" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand save" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand save" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand save" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand save" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand save" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand save" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand save" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand save" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand save" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand save" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand load" -s i -l input -d 'Archive file to read; - for stdin [default: stdin, like docker load]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand load" -l platform -d 'Platform to load from an index: OS/ARCH[/VARIANT] [default: the host\'s]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand load" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand load" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand load" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand load" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand load" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand load" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand load" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand load" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand load" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand load" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand load" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand load" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand load" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand load" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand load" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand load" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand load" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand load" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand load" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand load" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand completion" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand completion" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand completion" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand completion" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand completion" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand completion" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand completion" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand completion" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand completion" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand completion" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand completion" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand completion" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand completion" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand completion" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand completion" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand completion" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand completion" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand completion" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand completion" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand completion" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand man" -l dir -d 'Directory to write imgctl.1 and imgctl-COMMAND.1 into' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand man" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand man" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand man" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand man" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand man" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand man" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand man" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand man" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand man" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand man" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand man" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand man" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand man" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand man" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand man" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand man" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand man" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand man" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand man" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -l shard -d 'Run only shard K of N: every N-th image of the plan, starting at the K-th' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -l merge-reports -d 'Merge the JSON reports of a plan\'s shards (`--format json sync --shard K/N`, one per shard) into one report, and exit as the whole sync would have (0, or 8 when an image failed); runs nothing' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -l dry-run -d 'Print the plan (what would be copied or skipped) and change nothing'
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -l keep-going -d 'Go on with the other images when one fails (exit code 8 if any failed)'
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -l referrers -d 'Copy referrers for every mapping (as `referrers: true`)'
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand sync" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand ratelimit" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand ratelimit" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand ratelimit" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand ratelimit" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand ratelimit" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand ratelimit" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand ratelimit" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand ratelimit" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand ratelimit" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand ratelimit" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand ratelimit" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand ratelimit" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand ratelimit" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand ratelimit" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand ratelimit" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand ratelimit" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand ratelimit" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand ratelimit" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand ratelimit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand ratelimit" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand prune" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand prune" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand prune" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand prune" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand prune" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand prune" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand prune" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand prune" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand prune" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand prune" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand prune" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand prune" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand prune" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand prune" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand prune" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand prune" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand prune" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand prune" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand prune" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand prune" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -s t -l tag -d 'Where to write the result [default: SOURCE itself: a new digest under the same tag]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l entrypoint -d 'New entrypoint: a JSON array (`["/app","--serve"]`) or words split like a shell; \'\' clears it' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l cmd -d 'New default arguments (Cmd), as --entrypoint; \'\' clears them' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l env -d 'Set an environment variable (replaces the same KEY in place)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l env-rm -d 'Remove an environment variable' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l label -d 'Set a config label' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l label-rm -d 'Remove a config label' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l annotation -d 'Set a manifest annotation (also on the index when SOURCE is one)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l user -d 'Set the user (NAME, UID, UID:GID)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l workdir -d 'Set the working directory' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l expose -d 'Expose a port (PORT/PROTO, e.g. 8080/tcp; a bare PORT means tcp)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l created -d 'Set the creation time: an RFC 3339 date-time or `now`' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l platform -d 'Change only these platforms of an index (OS/ARCH[/VARIANT], comma-separated) [default: all]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand mutate" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand append" -s f -l file -d 'A layer to add on top: a tar, a gzip-compressed tar (kept byte for byte) or a directory (packed with its contents at /); repeat for several layers, bottom first' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand append" -s t -l tag -d 'Where to write the result [default: SOURCE itself: a new digest under the same tag]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand append" -l platform -d 'Add the layers only to these platforms of an index (OS/ARCH[/VARIANT], comma-separated) [default: all]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand append" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand append" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand append" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand append" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand append" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand append" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand append" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand append" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand append" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand append" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand append" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand append" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand append" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand append" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand append" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand append" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand append" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand append" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand append" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand append" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand blob" -s o -l output -d 'Where to write the blob: a file (written atomically once verified) or - for stdout [default: -]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand blob" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand blob" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand blob" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand blob" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand blob" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand blob" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand blob" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand blob" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand blob" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand blob" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand blob" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand blob" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand blob" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand blob" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand blob" -l put -d 'Upload FILE (or stdin: -) to the repository REPO (no tag: a blob has none) as a blob and print its digest'
complete -c imgctl -n "__fish_imgctl_using_subcommand blob" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand blob" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand blob" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand blob" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand blob" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand blob" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -f -a "create" -d 'Make an index at DST from single-platform images (copied into DST\'s repository first)'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -f -a "add" -d 'Add images to the index at DST (an entry of the same platform is replaced)'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -f -a "remove" -d 'Remove a platform\'s image from the index at DST'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and not __fish_seen_subcommand_from create add remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from create" -l annotation -d 'Set an annotation on the index' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from create" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from create" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from create" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from create" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from create" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from create" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from create" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from create" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from create" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from create" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from create" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from create" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from create" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from create" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from create" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from create" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from create" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from create" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from add" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from add" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from add" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from add" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from add" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from add" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from add" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from add" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from add" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from add" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from add" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from add" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from add" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from add" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from add" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from add" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from add" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from add" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from remove" -l platform -d 'The platform to remove: OS/ARCH[/VARIANT]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from remove" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from remove" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from remove" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from remove" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from remove" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from remove" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from remove" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from remove" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from remove" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from remove" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from remove" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from remove" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from remove" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from remove" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from remove" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from remove" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from help" -f -a "create" -d 'Make an index at DST from single-platform images (copied into DST\'s repository first)'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add images to the index at DST (an entry of the same platform is replaced)'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a platform\'s image from the index at DST'
complete -c imgctl -n "__fish_imgctl_using_subcommand index; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c imgctl -n "__fish_imgctl_using_subcommand export" -s o -l output -d 'Write the tar to FILE (replaced atomically), or `-` for stdout [default: stdout when it is not a terminal]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand export" -l platform -d 'The platform\'s image of an index: OS/ARCH[/VARIANT] [default: the host\'s]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand export" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand export" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand export" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand export" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand export" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand export" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand export" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand export" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand export" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand export" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand export" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand export" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand export" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand export" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand export" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand export" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand export" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand export" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand export" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand files" -l layer -d 'What layer N (0 = the bottom one) adds (A), changes (M: the path existed below) and deletes (D: whiteouts, opaque directories)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand files" -l platform -d 'The platform\'s image of an index: OS/ARCH[/VARIANT] [default: the host\'s]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand files" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand files" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand files" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand files" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand files" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand files" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand files" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand files" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand files" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand files" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand files" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand files" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand files" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand files" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand files" -s l -l long -d 'Also owner (uid:gid), modification time and link targets'
complete -c imgctl -n "__fish_imgctl_using_subcommand files" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand files" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand files" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand files" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand files" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand files" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand diff" -l platform -d 'The platform\'s image of an index, for both: OS/ARCH[/VARIANT] [default: the host\'s]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand diff" -l progress -d 'Progress style on stderr' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
tty\t'Bars'
plain\t'One aggregate line every few seconds: bytes, rate, ETA, images done (IMGCTL_PROGRESS_INTERVAL seconds, default 5)'
none\t'Nothing'
json\t'Newline-delimited JSON events on stderr'"
complete -c imgctl -n "__fish_imgctl_using_subcommand diff" -l format -d 'Result format on stdout' -r -f -a "text\t'Human-readable (a digest, a table)'
json\t'One JSON document'"
complete -c imgctl -n "__fish_imgctl_using_subcommand diff" -l store -d 'Local image store (an OCI image layout) [default: the platform data dir]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand diff" -l jobs -d 'Concurrent blob transfers' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand diff" -l retries -d 'Retries per request on connect errors, timeouts, 408, 429 and 5xx' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand diff" -l max-rps -d 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand diff" -l timeout -d 'Idle timeout in seconds: a connection that moves nothing for this long fails' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand diff" -l ca-file -d 'Extra trusted root certificate (PEM); repeatable' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand diff" -l cert-file -d 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand diff" -l key-file -d 'Private key (PEM) of --cert-file' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand diff" -l creds -d 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand diff" -l chunk-size -d 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand diff" -l config-dir -d 'imgctl\'s config dir (credential index) [default: the platform config dir + /imgctl]' -r -F
complete -c imgctl -n "__fish_imgctl_using_subcommand diff" -s u -l username -d 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)' -r
complete -c imgctl -n "__fish_imgctl_using_subcommand diff" -s v -l verbose -d 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter'
complete -c imgctl -n "__fish_imgctl_using_subcommand diff" -s q -l quiet -d 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors'
complete -c imgctl -n "__fish_imgctl_using_subcommand diff" -l insecure -d 'Skip TLS verification and allow plain HTTP (test registries only)'
complete -c imgctl -n "__fish_imgctl_using_subcommand diff" -l password-stdin -d 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)'
complete -c imgctl -n "__fish_imgctl_using_subcommand diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imgctl -n "__fish_imgctl_using_subcommand diff" -s V -l version -d 'Print version'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "build" -d 'Build an image from a Dockerfile without RUN (no daemon; base layers are never downloaded)'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "pull" -d 'Pull an image from a registry into the local store'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "push" -d 'Push an image from the local store to a registry (or to any location)'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "tag" -d 'Name an image in the store (like docker tag), or retag in a registry: tag docker://REF NEWTAG…'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "copy" -d 'Copy an image between any two locations: registries, OCI layouts and archives, the local store'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "images" -d 'List the images in the local store'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "rmi" -d 'Remove images from the local store (blobs nothing else uses are deleted)'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "tags" -d 'List the tags of a repository in a registry'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "login" -d 'Verify and store credentials for a registry (OS keychain), or list them (--list)'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "logout" -d 'Remove stored credentials'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "inspect" -d 'Show an image or index: digest, tags, platform, config, layers (or its exact bytes)'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "digest" -d 'Print the digest of the manifest or index a location names'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "catalog" -d 'List the repositories of a registry'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "delete" -d 'Delete a manifest from a registry (by digest; a tag is resolved first)'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "save" -d 'Write images of the local store to a docker-archive (docker save)'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "load" -d 'Load the images of a docker-archive or OCI archive into the local store (docker load)'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "completion" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "man" -d 'Write man pages into DIR (or print imgctl.1)'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "sync" -d 'Mirror images between registries per a YAML file (see README, "Sync")'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "ratelimit" -d 'Show Docker Hub\'s pull rate limit (a manifest HEAD, which does not count against it)'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "prune" -d 'Remove partial downloads, stale temp files and unused blobs from the local store'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "mutate" -d 'Change an image\'s config (entrypoint, cmd, env, labels, user, workdir, ports, created) and annotations'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "append" -d 'Add layers (tars, tar.gz files or directories) on top of an image, with history and diff_ids'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "blob" -d 'Print or save one blob of a repository (digest-verified), or upload a file as a blob (--put)'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "index" -d 'Make or change an image index at any location (registry, OCI layout, archive, store): create, add, remove'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "export" -d 'Write an image\'s flattened root filesystem as one tar (whiteouts applied)'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "files" -d 'List an image\'s file tree with the layer that wrote each entry, or what one layer adds, changes and deletes; per-layer sizes'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "diff" -d 'Files added, removed and changed between two images (by content digest; nothing unpacked)'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and not __fish_seen_subcommand_from build pull push tag copy images rmi tags login logout inspect digest catalog delete save load completion man sync ratelimit prune mutate append blob index export files diff help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and __fish_seen_subcommand_from index" -f -a "create" -d 'Make an index at DST from single-platform images (copied into DST\'s repository first)'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and __fish_seen_subcommand_from index" -f -a "add" -d 'Add images to the index at DST (an entry of the same platform is replaced)'
complete -c imgctl -n "__fish_imgctl_using_subcommand help; and __fish_seen_subcommand_from index" -f -a "remove" -d 'Remove a platform\'s image from the index at DST'
