#!/usr/bin/env bash
# The main job in one command: start a throw-away CNCF distribution registry on 127.0.0.1,
# then copy the bundled image (examples/hello-layout) into it, pull it into a fresh local
# store, tag it, push it under a new name, retag it in the registry and list the tags and the
# store, printing each digest.
#
# Needs: Debian or Ubuntu (apt-get installs docker-registry, python3 and curl when missing,
# through sudo unless run as root), a Rust toolchain (cargo), and about 1 GB of disk for the
# release build in target/ (or $CARGO_TARGET_DIR). Everything it creates lives in one temp dir
# (registry storage, the store, logs), removed when it exits, also on failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'demo: %s\n' "$*" >&2; }

need=()
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 ||
    { say "missing ${need[*]}, and there is no apt-get to install them: install them first"; exit 1; }
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  say "installing ${need[*]} with apt-get"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/imgctl-demo.XXXXXX")
registry_pid=""
cleanup() {
  if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap '{ set +x; } 2>/dev/null; cleanup' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

target_dir=${CARGO_TARGET_DIR:-$PWD/target}
say "building imgctl: cargo build --release into $target_dir (the first build takes a few minutes)"
cargo build --locked --release
imgctl=$target_dir/release/imgctl
[ -x "$imgctl" ] || { say "cargo build finished but $imgctl is missing"; exit 1; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/registry.yml" <<YAML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $work/registry}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$port}
YAML
say "starting a throw-away registry: docker-registry serve on 127.0.0.1:$port"
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
up=0
for _ in $(seq 100); do
  if curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1; then up=1; break; fi
  kill -0 "$registry_pid" 2>/dev/null || break
  sleep 0.1
done
if [ "$up" -ne 1 ]; then
  say "the registry did not come up on 127.0.0.1:$port; its log:"
  sed 's/^/  /' "$work/registry.log" >&2
  exit 1
fi

export IMGCTL_STORE=$work/store
reg=127.0.0.1:$port
say "running imgctl (local store: $IMGCTL_STORE)"
set -x
"$imgctl" copy oci:examples/hello-layout:1.0 "docker://$reg/demo/hello:1.0"
"$imgctl" pull "$reg/demo/hello:1.0"
"$imgctl" tag "$reg/demo/hello:1.0" "$reg/demo/hello-copy:latest"
"$imgctl" push "$reg/demo/hello-copy:latest"
"$imgctl" tag "docker://$reg/demo/hello:1.0" stable
"$imgctl" tags "$reg/demo/hello"
"$imgctl" images
