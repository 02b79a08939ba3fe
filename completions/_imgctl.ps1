
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'imgctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'imgctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'imgctl' {
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('pull', 'pull', [CompletionResultType]::ParameterValue, 'Pull an image from a registry into the local store')
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Push an image from the local store to a registry (or to any location)')
            [CompletionResult]::new('tag', 'tag', [CompletionResultType]::ParameterValue, 'Name an image in the store (like docker tag), or retag in a registry: tag docker://REF NEWTAG…')
            [CompletionResult]::new('copy', 'copy', [CompletionResultType]::ParameterValue, 'Copy an image between any two locations: registries, OCI layouts and archives, the local store')
            [CompletionResult]::new('images', 'images', [CompletionResultType]::ParameterValue, 'List the images in the local store')
            [CompletionResult]::new('rmi', 'rmi', [CompletionResultType]::ParameterValue, 'Remove images from the local store (blobs nothing else uses are deleted)')
            [CompletionResult]::new('tags', 'tags', [CompletionResultType]::ParameterValue, 'List the tags of a repository in a registry')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Verify and store credentials for a registry (OS keychain), or list them (--list)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove stored credentials')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show an image or index: digest, tags, platform, config, layers (or its exact bytes)')
            [CompletionResult]::new('digest', 'digest', [CompletionResultType]::ParameterValue, 'Print the digest of the manifest or index a location names')
            [CompletionResult]::new('catalog', 'catalog', [CompletionResultType]::ParameterValue, 'List the repositories of a registry')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a manifest from a registry (by digest; a tag is resolved first)')
            [CompletionResult]::new('save', 'save', [CompletionResultType]::ParameterValue, 'Write images of the local store to a docker-archive (docker save)')
            [CompletionResult]::new('load', 'load', [CompletionResultType]::ParameterValue, 'Load the images of a docker-archive or OCI archive into the local store (docker load)')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write man pages into DIR (or print imgctl.1)')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Mirror images between registries per a YAML file (see README, "Sync")')
            [CompletionResult]::new('ratelimit', 'ratelimit', [CompletionResultType]::ParameterValue, 'Show Docker Hub''s pull rate limit (a manifest HEAD, which does not count against it)')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Remove partial downloads, stale temp files and unused blobs from the local store')
            [CompletionResult]::new('mutate', 'mutate', [CompletionResultType]::ParameterValue, 'Change an image''s config (entrypoint, cmd, env, labels, user, workdir, ports, created) and annotations')
            [CompletionResult]::new('append', 'append', [CompletionResultType]::ParameterValue, 'Add layers (tars, tar.gz files or directories) on top of an image, with history and diff_ids')
            [CompletionResult]::new('blob', 'blob', [CompletionResultType]::ParameterValue, 'Print or save one blob of a repository (digest-verified), or upload a file as a blob (--put)')
            [CompletionResult]::new('index', 'index', [CompletionResultType]::ParameterValue, 'Make or change an image index in a registry: create, add, remove')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write an image''s flattened root filesystem as one tar (whiteouts applied)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'imgctl;pull' {
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Platform(s) to pick from an image index: OS/ARCH[/VARIANT], or a comma list for a filtered index [default: linux and the host''s architecture]')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--all-platforms', '--all-platforms', [CompletionResultType]::ParameterName, 'Copy the whole image index, every platform')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Copy the whole image index, every platform')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;push' {
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;tag' {
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;copy' {
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Platform(s) to pick from an image index: OS/ARCH[/VARIANT], or a comma list for a filtered index [default: linux and the host''s architecture]')
            [CompletionResult]::new('--src-creds', '--src-creds', [CompletionResultType]::ParameterName, 'Credentials for the source registry')
            [CompletionResult]::new('--dest-creds', '--dest-creds', [CompletionResultType]::ParameterName, 'Credentials for the destination registry')
            [CompletionResult]::new('--src-ca-file', '--src-ca-file', [CompletionResultType]::ParameterName, 'Extra CA file for the source registry')
            [CompletionResult]::new('--dest-ca-file', '--dest-ca-file', [CompletionResultType]::ParameterName, 'Extra CA file for the destination registry')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--all-platforms', '--all-platforms', [CompletionResultType]::ParameterName, 'Copy the whole image index, every platform')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Copy the whole image index, every platform')
            [CompletionResult]::new('--src-insecure', '--src-insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification for the source registry')
            [CompletionResult]::new('--dest-insecure', '--dest-insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification for the destination registry')
            [CompletionResult]::new('--referrers', '--referrers', [CompletionResultType]::ParameterName, 'Copy the image''s referrers too (signatures, SBOMs, attestations; cosign digest tags)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;images' {
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;rmi' {
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;tags' {
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'Tags per request (`?n=`); the registry may ignore it [default: the registry''s]')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;login' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Password on the command line: insecure (process list, shell history); prefer --password-stdin')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password on the command line: insecure (process list, shell history); prefer --password-stdin')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--identity-token-stdin', '--identity-token-stdin', [CompletionResultType]::ParameterName, 'Read an OAuth2 identity/refresh token from stdin (e.g. ACR''s, with -u 00000000-0000-0000-0000-000000000000)')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'List the registries imgctl holds credentials for (never the secrets)')
            [CompletionResult]::new('--to-docker-config', '--to-docker-config', [CompletionResultType]::ParameterName, 'Store in docker''s config.json (base64, not encrypted; mode 0600) instead of the OS keychain')
            [CompletionResult]::new('--require-keychain', '--require-keychain', [CompletionResultType]::ParameterName, 'Fail when no keychain is reachable, instead of falling back to docker''s config.json (not encrypted); env: true/false, 1/0, yes/no')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;logout' {
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Log out of every registry imgctl holds credentials for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;inspect' {
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Inspect this platform''s image of an index: OS/ARCH[/VARIANT]')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Print the manifest bytes exactly as stored')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Print the config blob exactly as stored')
            [CompletionResult]::new('--layers', '--layers', [CompletionResultType]::ParameterName, 'Show the layer history (created by, size, empty layers)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;digest' {
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'The digest of this platform''s image in an index: OS/ARCH[/VARIANT] [default: the index''s own digest]')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;catalog' {
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'Repositories per request (`?n=`)')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;delete' {
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;save' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Archive file to write; - for stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Archive file to write; - for stdout')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Platform to save from an index: OS/ARCH[/VARIANT] [default: the host''s]')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;load' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Archive file to read; - for stdin [default: stdin, like docker load]')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'Archive file to read; - for stdin [default: stdin, like docker load]')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Platform to load from an index: OS/ARCH[/VARIANT] [default: the host''s]')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;completion' {
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;man' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Directory to write imgctl.1 and imgctl-COMMAND.1 into')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;sync' {
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'Run only shard K of N: every N-th image of the plan, starting at the K-th')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan (what would be copied or skipped) and change nothing')
            [CompletionResult]::new('--keep-going', '--keep-going', [CompletionResultType]::ParameterName, 'Go on with the other images when one fails (exit code 8 if any failed)')
            [CompletionResult]::new('--referrers', '--referrers', [CompletionResultType]::ParameterName, 'Copy referrers for every mapping (as `referrers: true`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;ratelimit' {
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;prune' {
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;mutate' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Where to write the result [default: SOURCE itself: a new digest under the same tag]')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Where to write the result [default: SOURCE itself: a new digest under the same tag]')
            [CompletionResult]::new('--entrypoint', '--entrypoint', [CompletionResultType]::ParameterName, 'New entrypoint: a JSON array (`["/app","--serve"]`) or words split like a shell; '''' clears it')
            [CompletionResult]::new('--cmd', '--cmd', [CompletionResultType]::ParameterName, 'New default arguments (Cmd), as --entrypoint; '''' clears them')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Set an environment variable (replaces the same KEY in place)')
            [CompletionResult]::new('--env-rm', '--env-rm', [CompletionResultType]::ParameterName, 'Remove an environment variable')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'Set a config label')
            [CompletionResult]::new('--label-rm', '--label-rm', [CompletionResultType]::ParameterName, 'Remove a config label')
            [CompletionResult]::new('--annotation', '--annotation', [CompletionResultType]::ParameterName, 'Set a manifest annotation (also on the index when SOURCE is one)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Set the user (NAME, UID, UID:GID)')
            [CompletionResult]::new('--workdir', '--workdir', [CompletionResultType]::ParameterName, 'Set the working directory')
            [CompletionResult]::new('--expose', '--expose', [CompletionResultType]::ParameterName, 'Expose a port (PORT/PROTO, e.g. 8080/tcp; a bare PORT means tcp)')
            [CompletionResult]::new('--created', '--created', [CompletionResultType]::ParameterName, 'Set the creation time: an RFC 3339 date-time or `now`')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Change only these platforms of an index (OS/ARCH[/VARIANT], comma-separated) [default: all]')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;append' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A layer to add on top: a tar, a gzip-compressed tar (kept byte for byte) or a directory (packed with its contents at /); repeat for several layers, bottom first')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'A layer to add on top: a tar, a gzip-compressed tar (kept byte for byte) or a directory (packed with its contents at /); repeat for several layers, bottom first')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Where to write the result [default: SOURCE itself: a new digest under the same tag]')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Where to write the result [default: SOURCE itself: a new digest under the same tag]')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Add the layers only to these platforms of an index (OS/ARCH[/VARIANT], comma-separated) [default: all]')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;blob' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to write the blob: a file (written atomically once verified) or - for stdout [default: -]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Where to write the blob: a file (written atomically once verified) or - for stdout [default: -]')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--put', '--put', [CompletionResultType]::ParameterName, 'Upload FILE to the repository as a blob and print its digest')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;index' {
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Make an index at DST from single-platform images (copied into DST''s repository first)')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add images to the index at DST (an entry of the same platform is replaced)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a platform''s image from the index at DST')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'imgctl;index;create' {
            [CompletionResult]::new('--annotation', '--annotation', [CompletionResultType]::ParameterName, 'Set an annotation on the index')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;index;add' {
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;index;remove' {
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'The platform to remove: OS/ARCH[/VARIANT]')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;index;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Make an index at DST from single-platform images (copied into DST''s repository first)')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add images to the index at DST (an entry of the same platform is replaced)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a platform''s image from the index at DST')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'imgctl;index;help;create' {
            break
        }
        'imgctl;index;help;add' {
            break
        }
        'imgctl;index;help;remove' {
            break
        }
        'imgctl;index;help;help' {
            break
        }
        'imgctl;export' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the tar to FILE (replaced atomically), or `-` for stdout [default: stdout when it is not a terminal]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the tar to FILE (replaced atomically), or `-` for stdout [default: stdout when it is not a terminal]')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'The platform''s image of an index: OS/ARCH[/VARIANT] [default: the host''s]')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress style on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Result format on stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Local image store (an OCI image layout) [default: the platform data dir]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent blob transfers')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request on connect errors, timeouts, 408, 429 and 5xx')
            [CompletionResult]::new('--max-rps', '--max-rps', [CompletionResultType]::ParameterName, 'Requests per second to each registry host (token server too) without its own `max-rps` in config.toml; one bucket per host shared by every request of the run [default: 0, unlimited]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Idle timeout in seconds: a connection that moves nothing for this long fails')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); repeatable')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'Client certificate (PEM, leaf first) for registries that require mutual TLS; with --key-file. Per host: cert-file in config.toml, client.cert in certs.d')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert-file')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'Credentials for every registry the command touches (USER[:PASS]); or IMGCTL_USERNAME and IMGCTL_PASSWORD (login: the credentials to store, unless -u/-p/--password-stdin are given)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Upload blobs in chunks of at most this many bytes (PATCH) instead of one PUT')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'imgctl''s config dir (credential index) [default: the platform config dir + /imgctl]')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username for every registry the command touches; the password comes from --password-stdin (login: the account to store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logging on stderr (-v: debug, -vv: trace); never secrets. IMGCTL_LOG sets a tracing filter')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress or informational messages (Tagged …, Loaded …); only results, warnings and errors')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS verification and allow plain HTTP (test registries only)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password (or access token) for --username from stdin, once, before the command runs (login: the secret to store)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'imgctl;help' {
            [CompletionResult]::new('pull', 'pull', [CompletionResultType]::ParameterValue, 'Pull an image from a registry into the local store')
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Push an image from the local store to a registry (or to any location)')
            [CompletionResult]::new('tag', 'tag', [CompletionResultType]::ParameterValue, 'Name an image in the store (like docker tag), or retag in a registry: tag docker://REF NEWTAG…')
            [CompletionResult]::new('copy', 'copy', [CompletionResultType]::ParameterValue, 'Copy an image between any two locations: registries, OCI layouts and archives, the local store')
            [CompletionResult]::new('images', 'images', [CompletionResultType]::ParameterValue, 'List the images in the local store')
            [CompletionResult]::new('rmi', 'rmi', [CompletionResultType]::ParameterValue, 'Remove images from the local store (blobs nothing else uses are deleted)')
            [CompletionResult]::new('tags', 'tags', [CompletionResultType]::ParameterValue, 'List the tags of a repository in a registry')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Verify and store credentials for a registry (OS keychain), or list them (--list)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove stored credentials')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show an image or index: digest, tags, platform, config, layers (or its exact bytes)')
            [CompletionResult]::new('digest', 'digest', [CompletionResultType]::ParameterValue, 'Print the digest of the manifest or index a location names')
            [CompletionResult]::new('catalog', 'catalog', [CompletionResultType]::ParameterValue, 'List the repositories of a registry')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a manifest from a registry (by digest; a tag is resolved first)')
            [CompletionResult]::new('save', 'save', [CompletionResultType]::ParameterValue, 'Write images of the local store to a docker-archive (docker save)')
            [CompletionResult]::new('load', 'load', [CompletionResultType]::ParameterValue, 'Load the images of a docker-archive or OCI archive into the local store (docker load)')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write man pages into DIR (or print imgctl.1)')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Mirror images between registries per a YAML file (see README, "Sync")')
            [CompletionResult]::new('ratelimit', 'ratelimit', [CompletionResultType]::ParameterValue, 'Show Docker Hub''s pull rate limit (a manifest HEAD, which does not count against it)')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Remove partial downloads, stale temp files and unused blobs from the local store')
            [CompletionResult]::new('mutate', 'mutate', [CompletionResultType]::ParameterValue, 'Change an image''s config (entrypoint, cmd, env, labels, user, workdir, ports, created) and annotations')
            [CompletionResult]::new('append', 'append', [CompletionResultType]::ParameterValue, 'Add layers (tars, tar.gz files or directories) on top of an image, with history and diff_ids')
            [CompletionResult]::new('blob', 'blob', [CompletionResultType]::ParameterValue, 'Print or save one blob of a repository (digest-verified), or upload a file as a blob (--put)')
            [CompletionResult]::new('index', 'index', [CompletionResultType]::ParameterValue, 'Make or change an image index in a registry: create, add, remove')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write an image''s flattened root filesystem as one tar (whiteouts applied)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'imgctl;help;pull' {
            break
        }
        'imgctl;help;push' {
            break
        }
        'imgctl;help;tag' {
            break
        }
        'imgctl;help;copy' {
            break
        }
        'imgctl;help;images' {
            break
        }
        'imgctl;help;rmi' {
            break
        }
        'imgctl;help;tags' {
            break
        }
        'imgctl;help;login' {
            break
        }
        'imgctl;help;logout' {
            break
        }
        'imgctl;help;inspect' {
            break
        }
        'imgctl;help;digest' {
            break
        }
        'imgctl;help;catalog' {
            break
        }
        'imgctl;help;delete' {
            break
        }
        'imgctl;help;save' {
            break
        }
        'imgctl;help;load' {
            break
        }
        'imgctl;help;completion' {
            break
        }
        'imgctl;help;man' {
            break
        }
        'imgctl;help;sync' {
            break
        }
        'imgctl;help;ratelimit' {
            break
        }
        'imgctl;help;prune' {
            break
        }
        'imgctl;help;mutate' {
            break
        }
        'imgctl;help;append' {
            break
        }
        'imgctl;help;blob' {
            break
        }
        'imgctl;help;index' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Make an index at DST from single-platform images (copied into DST''s repository first)')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add images to the index at DST (an entry of the same platform is replaced)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a platform''s image from the index at DST')
            break
        }
        'imgctl;help;index;create' {
            break
        }
        'imgctl;help;index;add' {
            break
        }
        'imgctl;help;index;remove' {
            break
        }
        'imgctl;help;export' {
            break
        }
        'imgctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
