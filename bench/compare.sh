#!/usr/bin/env bash
# Benchmark imgctl against skopeo on a local CNCF distribution registry (Debian
# `docker-registry`) over loopback: push, pull, same-registry copy, no-op re-push, peak RSS,
# start-up time and binary size. Runs the two tools alternately and reports medians.
# Floors for scale, measured in the same runs: the layers fetched by 4 parallel `curl` GETs
# into files (no hashing, no fsync) and pushed by 4 parallel `curl` monolithic PUTs.
#
#   bench/compare.sh [RUNS] [LAYER_MIB] [LAYERS]       # defaults: 6 runs, 4 x 256 MiB
#   BIG=1 bench/compare.sh                            # also a single 4 GiB layer (imgctl RSS)
#   IMGCTL=path/to/imgctl JOBS=4 bench/compare.sh
#
# Needs: docker-registry, skopeo, curl, python3, GNU time (/usr/bin/time). Uses ~6 GiB in $TMPDIR
# (~20 GiB with BIG=1). Prints a Markdown table on stdout; progress on stderr.
set -euo pipefail

RUNS=${1:-6}
LAYER_MIB=${2:-256}
LAYERS=${3:-4}
JOBS=${JOBS:-4}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
IMGCTL=${IMGCTL:-$ROOT/target/release/imgctl}
if [ ! -x "$IMGCTL" ]; then
  (cd "$ROOT" && cargo build --release >&2)
fi
for t in docker-registry skopeo curl python3 /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "missing: $t" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/imgctl-bench.XXXXXX")
REG_PID=
cleanup() { [ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
log() { echo "[bench] $*" >&2; }

# A fresh HOME so neither tool reads user config, credentials or blob-info caches.
export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home/.config XDG_DATA_HOME=$WORK/home/.local/share
mkdir -p "$HOME"

# ----- the image: LAYERS tar layers of LAYER_MIB MiB of random bytes -----
make_image() { # DIR LAYERS LAYER_MIB
  python3 - "$@" <<'EOF'
import hashlib, io, json, os, sys, tarfile
out, n, mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
blobs = os.path.join(out, "blobs", "sha256"); os.makedirs(blobs, exist_ok=True)
def put(data_or_path):
    h = hashlib.sha256()
    if isinstance(data_or_path, bytes):
        h.update(data_or_path); d = h.hexdigest()
        open(os.path.join(blobs, d), "wb").write(data_or_path); return d, len(data_or_path)
    with open(data_or_path, "rb") as f:
        for c in iter(lambda: f.read(1 << 20), b""): h.update(c)
    d = h.hexdigest(); os.rename(data_or_path, os.path.join(blobs, d))
    return d, os.path.getsize(os.path.join(blobs, d))
layers = []
for i in range(n):
    tmp = os.path.join(out, f"layer{i}.tar")
    with tarfile.open(tmp, "w") as t:
        info = tarfile.TarInfo(f"random-{i}.bin"); info.size = mib << 20
        class R(io.RawIOBase):
            left = info.size
            def readable(self): return True
            def readinto(self, b):
                k = min(len(b), self.left)
                if k == 0: return 0
                b[:k] = os.urandom(k); self.left -= k; return k
        t.addfile(info, io.BufferedReader(R(), 1 << 20))
    d, s = put(tmp)
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:" + d, "size": s})
cfg = json.dumps({"architecture": "amd64", "os": "linux",
                  "rootfs": {"type": "layers", "diff_ids": [l["digest"] for l in layers]}}).encode()
cd, cs = put(cfg)
m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + cd, "size": cs},
                "layers": layers}).encode()
md, ms = put(m)
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
           "digest": "sha256:" + md, "size": ms, "annotations": {"org.opencontainers.image.ref.name": "bench"}}]},
          open(os.path.join(out, "index.json"), "w"))
open(os.path.join(out, "oci-layout"), "w").write('{"imageLayoutVersion":"1.0.0"}')
print("sha256:" + md)
EOF
}

# ----- a registry with empty storage -----
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
REG=127.0.0.1:$PORT
start_registry() {
  [ -n "$REG_PID" ] && { kill "$REG_PID"; wait "$REG_PID" 2>/dev/null || true; }
  rm -rf "$WORK/reg"; mkdir -p "$WORK/reg/storage"
  cat >"$WORK/reg/config.yml" <<EOF
version: 0.1
log: { level: error, accesslog: { disabled: false } }
storage: { filesystem: { rootdirectory: $WORK/reg/storage }, delete: { enabled: true } }
http: { addr: $REG }
EOF
  docker-registry serve "$WORK/reg/config.yml" >"$WORK/reg/access.log" 2>"$WORK/reg/registry.log" &
  REG_PID=$!
  for _ in $(seq 100); do
    curl -sf "http://$REG/v2/" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "registry did not start" >&2; exit 1
}

# Runs a command under GNU time; appends "SECONDS MAXRSS_KIB" to file $1.
# Dirty pages of the previous run are flushed first (`sync`), so neither tool pays for the
# other's disk writeback (imgctl fsyncs its blobs before naming them; skopeo leaves that to the
# kernel, which would otherwise flush during the next tool's run).
measure() {
  local out=$1; shift
  sync
  /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/cmd.err" || {
    cat "$WORK/cmd.err" >&2; echo "failed: $*" >&2; exit 1; }
  cat "$WORK/time.txt" >>"$out"
  log "  $(basename "$out"): $(cut -d' ' -f1 "$WORK/time.txt") s, $(( $(cut -d' ' -f2 "$WORK/time.txt") / 1024 )) MiB"
}
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }
col() { awk -v c="$2" '{print $c}' "$1"; }
maxcol() { awk -v c="$2" 'BEGIN{m=0} {if ($c>m) m=$c} END{print m}' "$1"; }
IMG=(--progress none --jobs "$JOBS")
SKO=(skopeo --insecure-policy)

log "building a ${LAYERS} x ${LAYER_MIB} MiB image"
DIGEST=$(make_image "$WORK/src" "$LAYERS" "$LAYER_MIB")
SIZE=$(du -sb "$WORK/src/blobs" | cut -f1)
log "image $DIGEST ($SIZE bytes)"
LAYER_DIGESTS=$(python3 -c 'import json, sys
m = json.load(open(sys.argv[1]))
print(" ".join(l["digest"] for l in m["layers"]))' "$WORK/src/blobs/sha256/${DIGEST#sha256:}")

# The floors: what moving the layers' bytes costs with curl, in parallel, one process per
# layer. Pull: GETs into files (no hashing, no fsync). Push: per layer an upload session
# (POST) and one streamed monolithic PUT of the file (the registry hashes what it receives).
pull_floor() { # REPOSITORY DIR
  local d p pids=()
  rm -rf "$2"; mkdir -p "$2"
  for d in $LAYER_DIGESTS; do
    curl -sf -o "$2/${d#sha256:}" "http://$REG/v2/$1/blobs/$d" & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
}
push_floor() { # REPOSITORY
  local d p pids=()
  for d in $LAYER_DIGESTS; do
    (
      loc=$(curl -sf -X POST -D - -o /dev/null "http://$REG/v2/$1/blobs/uploads/" |
        tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
      case $loc in http*) ;; *) loc=http://$REG$loc ;; esac
      case $loc in *\?*) loc="$loc&digest=$d" ;; *) loc="$loc?digest=$d" ;; esac
      curl -sf -o /dev/null -T "$WORK/src/blobs/sha256/${d#sha256:}" \
        -H 'Content-Type: application/octet-stream' "$loc"
    ) & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
}
export -f pull_floor push_floor
export REG LAYER_DIGESTS WORK

# ----- push: fresh registry per run, alternating -----
: >"$WORK/push.imgctl"; : >"$WORK/push.skopeo"; : >"$WORK/push.floor"
for i in $(seq "$RUNS"); do
  start_registry
  push_skopeo() {
    log "push run $i: skopeo"
    measure "$WORK/push.skopeo" "${SKO[@]}" copy --dest-tls-verify=false "oci:$WORK/src:bench" "docker://$REG/sko:v1"
  }
  push_imgctl() {
    log "push run $i: imgctl"
    measure "$WORK/push.imgctl" "$IMGCTL" "${IMG[@]}" copy "oci:$WORK/src:bench" "docker://$REG/img:v1"
  }
  push_curl() {
    log "push run $i: floor (4 parallel curl PUT)"
    measure "$WORK/push.floor" bash -c "push_floor floor$i"
  }
  # Whatever runs right after skopeo is measurably slower (on this registry, even after
  # `sync`), so the floor runs first, and imgctl and skopeo alternate after it.
  push_curl
  if (( i % 2 )); then push_skopeo; push_imgctl; else push_imgctl; push_skopeo; fi
done

# ----- pull: from the last registry, fresh destination per run -----
: >"$WORK/pull.imgctl"; : >"$WORK/pull.skopeo"; : >"$WORK/pull.floor"
for i in $(seq "$RUNS"); do
  rm -rf "$WORK/out-sko" "$WORK/store" "$WORK/out-curl"
  pull_skopeo() {
    log "pull run $i: skopeo"
    measure "$WORK/pull.skopeo" "${SKO[@]}" copy --src-tls-verify=false "docker://$REG/img:v1" "oci:$WORK/out-sko:bench"
  }
  pull_imgctl() {
    log "pull run $i: imgctl"
    measure "$WORK/pull.imgctl" "$IMGCTL" "${IMG[@]}" --store "$WORK/store" pull "$REG/img:v1"
  }
  pull_curl() {
    log "pull run $i: floor (4 parallel curl GET)"
    measure "$WORK/pull.floor" bash -c "pull_floor img '$WORK/out-curl'"
  }
  pull_curl
  if (( i % 2 )); then pull_skopeo; pull_imgctl; else pull_imgctl; pull_skopeo; fi
done
for d in $LAYER_DIGESTS; do
  [ "$(sha256sum "$WORK/out-curl/${d#sha256:}" | cut -d' ' -f1)" = "${d#sha256:}" ] \
    || { echo "the floor's download of $d differs" >&2; exit 1; }
done
rm -rf "$WORK/out-curl"
[ "$("$IMGCTL" --store "$WORK/store" images --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["digest"])')" = "$DIGEST" ] \
  || { echo "pulled digest differs" >&2; exit 1; }

# ----- same-registry copy (cross-repository mount) -----
: >"$WORK/copy.imgctl"; : >"$WORK/copy.skopeo"
for i in $(seq "$RUNS"); do
  measure "$WORK/copy.skopeo" "${SKO[@]}" copy --src-tls-verify=false --dest-tls-verify=false "docker://$REG/img:v1" "docker://$REG/sko-copy$i:v1"
  before=$(grep -cE '"(PUT|PATCH) /v2/[^ ]*/blobs/uploads/[^ ]*' "$WORK/reg/access.log" || true)
  measure "$WORK/copy.imgctl" "$IMGCTL" "${IMG[@]}" copy "docker://$REG/img:v1" "docker://$REG/img-copy$i:v1"
  after=$(grep -cE '"(PUT|PATCH) /v2/[^ ]*/blobs/uploads/[^ ]*' "$WORK/reg/access.log" || true)
  COPY_UPLOADS=$((after - before))
done

# ----- no-op re-push: count requests -----
before=$(wc -l <"$WORK/reg/access.log")
: >"$WORK/noop.imgctl"
measure "$WORK/noop.imgctl" "$IMGCTL" "${IMG[@]}" copy "oci:$WORK/src:bench" "docker://$REG/img:v1"
NOOP_REQS=$(tail -n +"$((before + 1))" "$WORK/reg/access.log" | grep -oE '"[A-Z]+ /v2/[^ ]*' | sed 's/"//' |
  awk '{split($2,p,"/"); k=$1" "(($2 ~ /blobs\/sha256/) ? "blob" : ($2 ~ /manifests/) ? "manifest" : $2); c[k]++} END {for (k in c) printf "%s×%d ", k, c[k]}')

# ----- start-up and size -----
START_MS=$(python3 - "$IMGCTL" <<'EOF'
import subprocess, sys, time
t = []
for _ in range(30):
    s = time.perf_counter(); subprocess.run([sys.argv[1], "--version"], stdout=subprocess.DEVNULL); t.append(time.perf_counter() - s)
t.sort(); print(f"{t[len(t)//2]*1000:.1f}")
EOF
)
BIN_SIZE=$(stat -c %s "$IMGCTL")

# ----- optional: one 4 GiB layer, imgctl peak RSS -----
BIG_ROWS=""
if [ "${BIG:-0}" = 1 ]; then
  rm -rf "$WORK/out-sko" "$WORK/store"
  log "building a 1 x 4096 MiB image"
  make_image "$WORK/big" 1 4096 >/dev/null
  start_registry
  : >"$WORK/big.push"; : >"$WORK/big.pull"; : >"$WORK/big.copy"
  measure "$WORK/big.push" "$IMGCTL" "${IMG[@]}" copy "oci:$WORK/big:bench" "docker://$REG/big:v1"
  measure "$WORK/big.pull" "$IMGCTL" "${IMG[@]}" --store "$WORK/store" pull "$REG/big:v1"
  measure "$WORK/big.copy" "$IMGCTL" "${IMG[@]}" copy "docker://$REG/big:v1" "oci:$WORK/big-out:bench"
  BIG_ROWS=$(printf '| 1 × 4 GiB push (imgctl) | %s s | | | | %s MiB | |\n| 1 × 4 GiB pull (imgctl) | %s s | | | | %s MiB | |\n| 1 × 4 GiB registry → oci: (imgctl) | %s s | | | | %s MiB | |' \
    "$(col "$WORK/big.push" 1)" "$(( $(col "$WORK/big.push" 2) / 1024 ))" \
    "$(col "$WORK/big.pull" 1)" "$(( $(col "$WORK/big.pull" 2) / 1024 ))" \
    "$(col "$WORK/big.copy" 1)" "$(( $(col "$WORK/big.copy" 2) / 1024 ))")
fi

row() { # NAME FILE_IMGCTL FILE_SKOPEO [FILE_FLOOR]
  local a b f=
  a=$(col "$2" 1 | median); b=$(col "$3" 1 | median)
  [ -n "${4:-}" ] && f=$(python3 -c "print(f'{$a/$(col "$4" 1 | median):.2f}')")
  printf '| %s | %s s | %s s | %s | %s | %s MiB | %s MiB |\n' "$1" "$a" "$b" \
    "$(python3 -c "print(f'{$a/$b:.2f}')")" "$f" \
    "$(( $(maxcol "$2" 2) / 1024 ))" "$(( $(maxcol "$3" 2) / 1024 ))"
}
floor_row() { # NAME FILE
  printf '| %s | %s s | | | | | |\n' "$1" "$(col "$2" 1 | median)"
}

echo
echo "imgctl $("$IMGCTL" --version | awk '{print $2}') vs $(skopeo --version); ${LAYERS} × ${LAYER_MIB} MiB random tar layers ($SIZE bytes), docker-registry $(dpkg-query -W -f '${Version}' docker-registry 2>/dev/null || echo '?') on loopback, --jobs $JOBS, median of $RUNS alternating runs, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| operation | imgctl | skopeo | ratio | imgctl / floor | imgctl peak RSS | skopeo peak RSS |"
echo "|---|---|---|---|---|---|---|"
row "push (oci: → registry)" "$WORK/push.imgctl" "$WORK/push.skopeo" "$WORK/push.floor"
row "pull (registry → store / oci:)" "$WORK/pull.imgctl" "$WORK/pull.skopeo" "$WORK/pull.floor"
floor_row "push floor (4 parallel curl PUT, monolithic)" "$WORK/push.floor"
floor_row "pull floor (4 parallel curl GET into files, no hashing, no fsync)" "$WORK/pull.floor"
row "copy to another repository, same registry" "$WORK/copy.imgctl" "$WORK/copy.skopeo"
printf '| no-op re-push (imgctl) | %s s | | | | %s MiB | |\n' "$(col "$WORK/noop.imgctl" 1)" "$(( $(col "$WORK/noop.imgctl" 2) / 1024 ))"
[ -n "$BIG_ROWS" ] && echo "$BIG_ROWS"
echo
echo "- same-registry copy: blob upload requests (PUT/PATCH) by imgctl: $COPY_UPLOADS (cross-repository mounts)"
echo "- no-op re-push, requests by imgctl: $NOOP_REQS"
echo "- \`imgctl --version\` start-up: $START_MS ms (median of 30); release binary: $BIN_SIZE bytes"
