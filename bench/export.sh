#!/usr/bin/env bash
# Benchmark `imgctl export` on an OCI layout of LAYERS tar layers of LAYER_MIB MiB of random
# bytes (the image bench/compare.sh makes; defaults 4 x 256 MiB = 1 GiB): throughput of the
# flattened tar written to a file, and peak RSS (GNU time), as a Markdown table on stdout.
#
#   bench/export.sh [LAYER_MIB] [LAYERS]
#   IMGCTL=path/to/imgctl bench/export.sh
#
# Needs: python3, GNU time (/usr/bin/time). Uses ~2 x the image size in $TMPDIR.
set -euo pipefail

LAYER_MIB=${1:-256}
LAYERS=${2:-4}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
IMGCTL=${IMGCTL:-$ROOT/target/release/imgctl}
if [ ! -x "$IMGCTL" ]; then
  (cd "$ROOT" && cargo build --release >&2)
fi
for t in python3 /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "missing: $t" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/imgctl-bench-export.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home/.config XDG_DATA_HOME=$WORK/home/.local/share
mkdir -p "$HOME"

# The image maker of bench/compare.sh, so both benchmarks read the same kind of image.
eval "$(sed -n '/^make_image()/,/^}/p' "$ROOT/bench/compare.sh")"
make_image "$WORK/lay" "$LAYERS" "$LAYER_MIB" >/dev/null

start=$(date +%s.%N)
/usr/bin/time -v -o "$WORK/time" "$IMGCTL" -q export "oci:$WORK/lay:bench" -o "$WORK/rootfs.tar"
end=$(date +%s.%N)
rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time")
bytes=$(stat -c %s "$WORK/rootfs.tar")
python3 - "$start" "$end" "$bytes" "$rss" "$LAYERS" "$LAYER_MIB" <<'PY'
import sys
s, e, b, rss, n, mib = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
t = e - s
print("| image | export tar | time | throughput | peak RSS |")
print("|---|---|---|---|---|")
print(f"| {n} x {mib} MiB tar layers | {b / 2**20:.0f} MiB | {t:.2f} s | {b / 2**20 / t:.0f} MiB/s | {rss / 1024:.1f} MiB |")
PY
