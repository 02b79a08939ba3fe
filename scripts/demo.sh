#!/usr/bin/env bash
# The main job in one command: start a throw-away CNCF distribution registry on 127.0.0.1,
# then copy the bundled image (examples/hello-layout) into it, pull it into a fresh local
# store, tag it, push it under a new name and retag it in the registry, printing each digest.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v docker-registry >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq docker-registry >/dev/null
fi
cargo build --quiet --release
imgctl=$PWD/target/release/imgctl

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/registry.yml" <<YAML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $work/registry}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$port}
YAML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
trap 'kill $registry_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.1; done

export IMGCTL_STORE=$work/store
reg=127.0.0.1:$port
set -x
"$imgctl" copy oci:examples/hello-layout:1.0 "docker://$reg/demo/hello:1.0"
"$imgctl" pull "$reg/demo/hello:1.0"
"$imgctl" tag "$reg/demo/hello:1.0" "$reg/demo/hello-copy:latest"
"$imgctl" push "$reg/demo/hello-copy:latest"
"$imgctl" tag "docker://$reg/demo/hello:1.0" stable
"$imgctl" tags "$reg/demo/hello"
"$imgctl" images
