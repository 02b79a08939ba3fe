#!/usr/bin/env bash
# imgctl's test command: installs the real peers the tests use (CNCF distribution registry,
# skopeo, umoci, buildah, htpasswd, openssl, debootstrap, jq) when missing, then runs the whole test suite.
# Needs Debian or Ubuntu (apt-get, run through sudo unless root) and a Rust toolchain.
# Each test starts its own registry processes on 127.0.0.1; nothing else is contacted except
# Debian's package mirror (apt, and debootstrap for the Debian root filesystem image).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || need+=(skopeo)
command -v umoci >/dev/null 2>&1 || need+=(umoci)
# the peer for `imgctl build` (tests/build.rs builds the same Dockerfile with it)
command -v buildah >/dev/null 2>&1 || need+=(buildah)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
# the GitHub Action's steps (tests/action.rs) read imgctl's JSON with jq
command -v jq >/dev/null 2>&1 || need+=(jq)
# scripts the tests run (demo.sh picks a free port with python3; tests/scripts.rs)
command -v python3 >/dev/null 2>&1 || need+=(python3)
# credentials tests: Secret Service (gnome-keyring under dbus-run-session), kernel keyutils
command -v gnome-keyring-daemon >/dev/null 2>&1 || need+=(gnome-keyring)
command -v dbus-run-session >/dev/null 2>&1 || need+=(dbus)
command -v keyctl >/dev/null 2>&1 || need+=(keyutils)
if [ ${#need[@]} -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 ||
    { echo "test.sh: missing ${need[*]} (Debian package names), and there is no apt-get to install them" >&2; exit 1; }
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

cargo test --locked "$@"
