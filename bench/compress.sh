#!/usr/bin/env bash
# Benchmark `imgctl copy --compress zstd` against `skopeo copy --dest-compress-format zstd`,
# registry → another repository of the same registry (a local CNCF distribution registry over
# loopback), on the image bench/compare.sh makes (defaults 4 x 256 MiB of random bytes = 1 GiB,
# uncompressed tar layers): wall time, throughput over the uncompressed bytes and peak RSS
# (GNU time), medians of RUNS alternating runs, as a Markdown table on stdout.
#
#   bench/compress.sh [RUNS] [LAYER_MIB] [LAYERS]
#   IMGCTL=path/to/imgctl FORMAT=gzip bench/compress.sh
#
# Needs: docker-registry, skopeo, python3, curl, GNU time. Uses ~3 x the image size in $TMPDIR.
set -euo pipefail

RUNS=${1:-3}
LAYER_MIB=${2:-256}
LAYERS=${3:-4}
FORMAT=${FORMAT:-zstd}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
IMGCTL=${IMGCTL:-$ROOT/target/release/imgctl}
if [ ! -x "$IMGCTL" ]; then
  (cd "$ROOT" && cargo build --release >&2)
fi
for t in docker-registry skopeo python3 curl /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "missing: $t" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/imgctl-bench-compress.XXXXXX")
REG_PID=
cleanup() { [ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
log() { echo "[bench] $*" >&2; }
export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home/.config XDG_DATA_HOME=$WORK/home/.local/share
mkdir -p "$HOME"

# The image maker of bench/compare.sh, so the benchmarks read the same kind of image.
eval "$(sed -n '/^make_image()/,/^}/p' "$ROOT/bench/compare.sh")"
make_image "$WORK/lay" "$LAYERS" "$LAYER_MIB" >/dev/null
BYTES=$((LAYERS * LAYER_MIB * 1048576))

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
REG=127.0.0.1:$PORT
mkdir -p "$WORK/reg/storage"
cat >"$WORK/reg/config.yml" <<EOF
version: 0.1
log: { level: error }
storage: { filesystem: { rootdirectory: $WORK/reg/storage }, delete: { enabled: true } }
http: { addr: $REG }
EOF
docker-registry serve "$WORK/reg/config.yml" >/dev/null 2>"$WORK/reg/registry.log" &
REG_PID=$!
for _ in $(seq 100); do curl -sf "http://$REG/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
"$IMGCTL" --progress none copy "oci:$WORK/lay:bench" "docker://$REG/src:1" >/dev/null
log "image: $LAYERS x $LAYER_MIB MiB in $REG/src:1; converting to $FORMAT"

# skopeo's blob-info cache (per user; root's is under /var/lib/containers/cache) remembers that
# a source blob was already converted and where; forgotten before each skopeo run.
clear_skopeo_cache() {
  rm -rf "$HOME/.local/share/containers/cache"
  if [ "$(id -u)" -eq 0 ]; then rm -f /var/lib/containers/cache/blob-info-cache-v1.*; fi
}

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

: >"$WORK/t.imgctl"; : >"$WORK/t.skopeo"
for i in $(seq "$RUNS"); do
  run_imgctl() { log "run $i: imgctl"; measure "$WORK/t.imgctl" "$IMGCTL" --progress none copy --compress "$FORMAT" "docker://$REG/src:1" "docker://$REG/img$i:1"; }
  # skopeo's blob-info cache would otherwise reuse the zstd blobs of its earlier run (a copy
  # of the same source), skipping the work being measured.
  run_skopeo() { log "run $i: skopeo"; clear_skopeo_cache; measure "$WORK/t.skopeo" skopeo --insecure-policy copy --src-tls-verify=false --dest-tls-verify=false --dest-compress-format "$FORMAT" "docker://$REG/src:1" "docker://$REG/sko$i:1"; }
  if (( i % 2 )); then run_skopeo; run_imgctl; else run_imgctl; run_skopeo; fi
done

# Both results hold the asked compression.
for repo in img1 sko1; do
  curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REG/v2/$repo/manifests/1" |
    python3 -c "import json,sys; m=json.load(sys.stdin); t={l['mediaType'] for l in m['layers']}; sys.exit(0 if all(x.endswith('$FORMAT') for x in t) else 'layers of $repo: %s' % t)"
done

TI=$(col "$WORK/t.imgctl" 1 | median); TS=$(col "$WORK/t.skopeo" 1 | median)
RI=$(( $(maxcol "$WORK/t.imgctl" 2) / 1024 )); RS=$(( $(maxcol "$WORK/t.skopeo" 2) / 1024 ))
python3 - "$TI" "$TS" "$RI" "$RS" "$BYTES" "$FORMAT" "$RUNS" "$LAYERS" "$LAYER_MIB" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)" <<'EOF'
import sys, datetime
ti, ts, ri, rs, b = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
fmt, runs, n, mib, load, cores = sys.argv[6:12]
print(f"Registry → registry with layers recompressed to {fmt} ({n} x {mib} MiB of random bytes), medians of {runs}, {cores} cores, load {load}, {datetime.date.today()}:")
print()
print(f"| | imgctl copy --compress {fmt} | skopeo copy --dest-compress-format {fmt} | ratio |")
print("|---|---|---|---|")
print(f"| time | {ti:.2f} s ({b/ti/1048576:.0f} MiB/s) | {ts:.2f} s ({b/ts/1048576:.0f} MiB/s) | **{ti/ts:.2f}** |")
print(f"| peak RSS | {ri} MiB | {rs} MiB | |")
EOF
