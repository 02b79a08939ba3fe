#!/usr/bin/env bash
# Benchmark `imgctl build --push` against `buildah bud` + `buildah push` (vfs storage, chroot
# isolation: buildah's daemonless, rootless-capable setup) on a local CNCF distribution
# registry over loopback, for the training deck's Dockerfile (FROM a base in the same
# registry, COPY ./published /app, WORKDIR, EXPOSE, ENV, ENTRYPOINT) over a generated context
# of ~60 MB in ~200 files. Each run starts from empty tool state (a fresh buildah storage: a
# CI machine's first build) and a changed file (so each run uploads a new app layer); the tools
# alternate and medians are reported with peak RSS.
#
#   bench/build.sh [RUNS] [BASE_MIB]        # defaults: 5 runs, a base of 2 x 40 MiB layers
#   IMGCTL=path/to/imgctl bench/build.sh
#
# Needs: docker-registry, buildah, python3, curl, GNU time (/usr/bin/time). buildah with vfs
# and chroot isolation runs as root or as a user with /etc/subuid entries. Prints a Markdown
# table on stdout; progress on stderr.
set -euo pipefail

RUNS=${1:-5}
BASE_MIB=${2:-40}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
IMGCTL=${IMGCTL:-$ROOT/target/release/imgctl}
if [ ! -x "$IMGCTL" ]; then
  (cd "$ROOT" && cargo build --release >&2)
fi
for t in docker-registry buildah python3 curl /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "missing: $t" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/imgctl-bench-build.XXXXXX")
REG_PID=
cleanup() {
  [ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null
  wait 2>/dev/null || true
  # buildah's vfs storage may hold read-only directories.
  chmod -R u+w "$WORK" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { echo "[bench] $*" >&2; }
export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home/.config XDG_DATA_HOME=$WORK/home/.local/share
mkdir -p "$HOME"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
REG=127.0.0.1:$PORT
mkdir -p "$WORK/reg/storage"
cat >"$WORK/reg/config.yml" <<EOF
version: 0.1
log: { level: error, accesslog: { disabled: false } }
storage: { filesystem: { rootdirectory: $WORK/reg/storage }, delete: { enabled: true } }
http: { addr: $REG }
EOF
docker-registry serve "$WORK/reg/config.yml" >"$WORK/reg/access.log" 2>"$WORK/reg/registry.log" &
REG_PID=$!
for _ in $(seq 100); do curl -sf "http://$REG/v2/" >/dev/null 2>&1 && break; sleep 0.1; done

# The base: an OCI layout of two random layers plus a config with Env/Cmd, pushed to the
# registry; the context: ~200 files, ~60 MB (a few large incompressible "assemblies", many
# small text files), as a published .NET app looks.
python3 - "$WORK" "$BASE_MIB" <<'EOF'
import hashlib, io, json, os, random, sys, tarfile
work, mib = sys.argv[1], int(sys.argv[2])
out = os.path.join(work, "base"); blobs = os.path.join(out, "blobs", "sha256"); os.makedirs(blobs)
def put(b):
    d = hashlib.sha256(b).hexdigest(); open(os.path.join(blobs, d), "wb").write(b); return "sha256:" + d, len(b)
layers = []
for i in range(2):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        info = tarfile.TarInfo(f"usr/share/base-{i}.bin"); info.size = mib << 20
        t.addfile(info, io.BytesIO(os.urandom(info.size)))
    d, s = put(buf.getvalue())
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": s})
cfg = json.dumps({"architecture": "amd64", "os": "linux",
    "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["/bin/sh"]},
    "rootfs": {"type": "layers", "diff_ids": [l["digest"] for l in layers]},
    "history": [{"created_by": "base layer"}, {"created_by": "base layer"}]}).encode()
cd, cs = put(cfg)
m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
    "layers": layers}).encode()
md, ms = put(m)
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
    "digest": md, "size": ms, "annotations": {"org.opencontainers.image.ref.name": "8.0"}}]},
    open(os.path.join(out, "index.json"), "w"))
open(os.path.join(out, "oci-layout"), "w").write('{"imageLayoutVersion":"1.0.0"}')
ctx = os.path.join(work, "ctx"); pub = os.path.join(ctx, "published")
rnd = random.Random(7); total = 0
for i in range(8):
    d = os.path.join(pub); os.makedirs(d, exist_ok=True)
    n = 6 << 20; open(os.path.join(d, f"Lib{i}.dll"), "wb").write(os.urandom(n)); total += n
for i in range(192):
    d = os.path.join(pub, "wwwroot", f"dir{i % 12}"); os.makedirs(d, exist_ok=True)
    text = ("".join(rnd.choice("abcdefghij <>{};\n") for _ in range(64))) * rnd.randint(100, 130)
    open(os.path.join(d, f"file{i}.js"), "w").write(text); total += len(text)
open(os.path.join(ctx, "Dockerfile"), "w").write(
    "FROM BASE\nCOPY ./published /app\nWORKDIR /app\nEXPOSE 5000/tcp\n"
    "ENV ASPNETCORE_URLS http://*:5000\nENTRYPOINT [\"dotnet\", \"test.dll\"]\n")
print(total, file=sys.stderr)
EOF
sed -i "s#FROM BASE#FROM $REG/dotnet/aspnet:8.0#" "$WORK/ctx/Dockerfile"
FILES=$(find "$WORK/ctx/published" -type f | wc -l)
CTX_BYTES=$(du -sb "$WORK/ctx/published" | cut -f1)
"$IMGCTL" --progress none copy "oci:$WORK/base:8.0" "docker://$REG/dotnet/aspnet:8.0" >/dev/null
log "context: $FILES files, $CTX_BYTES bytes; base: 2 x $BASE_MIB MiB in $REG"

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

# buildah: bud then push, timed together as one script (both are the user's build+push).
cat >"$WORK/buildah.sh" <<EOF
#!/usr/bin/env bash
set -euo pipefail
S=(--storage-driver vfs --root "\$1/root" --runroot "\$1/run")
buildah "\${S[@]}" bud --isolation chroot --tls-verify=false --format oci -q -t "$REG/app-buildah:\$2" "$WORK/ctx" >/dev/null
buildah "\${S[@]}" push --tls-verify=false -q "$REG/app-buildah:\$2" "docker://$REG/app-buildah:\$2"
EOF
chmod +x "$WORK/buildah.sh"

: >"$WORK/t.imgctl"; : >"$WORK/t.buildah"
for i in $(seq "$RUNS"); do
  # A new file per run: each tool's app layer is new to the registry every time (no skip).
  echo "build $i $(date +%s%N)" >"$WORK/ctx/published/build-id.txt"
  run_buildah() {
    log "run $i: buildah bud + push"
    chmod -R u+w "$WORK/bstore" 2>/dev/null || true; rm -rf "$WORK/bstore"; mkdir -p "$WORK/bstore"
    measure "$WORK/t.buildah" /usr/bin/env bash "$WORK/buildah.sh" "$WORK/bstore" "r$i"
  }
  run_imgctl() {
    log "run $i: imgctl build --push"
    measure "$WORK/t.imgctl" "$IMGCTL" --progress none build --push -t "$REG/app-imgctl:r$i" "$WORK/ctx"
  }
  if (( i % 2 )); then run_buildah; run_imgctl; else run_imgctl; run_buildah; fi
done

# The two results agree on what matters: the same config fields and the app's files.
python3 - "$REG" "$RUNS" <<'EOF'
import json, sys, urllib.request
reg, runs = sys.argv[1], sys.argv[2]
def get(repo, ref, accept):
    r = urllib.request.Request(f"http://{reg}/v2/{repo}/{ref}", headers={"Accept": accept})
    return json.load(urllib.request.urlopen(r))
mt = "application/vnd.oci.image.manifest.v1+json"
out = {}
for tool in ("imgctl", "buildah"):
    m = get(f"app-{tool}", f"manifests/r{runs}", mt)
    c = get(f"app-{tool}", "blobs/" + m["config"]["digest"], "*/*")["config"]
    out[tool] = {k: c.get(k) for k in ("Env", "WorkingDir", "ExposedPorts", "Entrypoint", "Cmd")}
    out[tool]["layers"] = len(m["layers"])
if out["imgctl"] != out["buildah"]:
    print("configs differ:", json.dumps(out, indent=1), file=sys.stderr); sys.exit(1)
print("configs agree:", json.dumps(out["imgctl"]), file=sys.stderr)
EOF

TI=$(col "$WORK/t.imgctl" 1 | median); TB=$(col "$WORK/t.buildah" 1 | median)
RI=$(( $(maxcol "$WORK/t.imgctl" 2) / 1024 )); RB=$(( $(maxcol "$WORK/t.buildah" 2) / 1024 ))
RATIO=$(python3 -c "print(f'{$TI/$TB:.2f}')")
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
echo "Build + push of the deck's Dockerfile ($FILES files, $((CTX_BYTES / 1000000)) MB context; base 2 x $BASE_MIB MiB in the same registry), medians of $RUNS, $(nproc) cores, load $LOAD, $(date -u +%Y-%m-%d):"
echo
echo "| | imgctl build --push | buildah bud + push (vfs, chroot) | ratio |"
echo "|---|---|---|---|"
echo "| time | ${TI} s | ${TB} s | **${RATIO}** |"
echo "| peak RSS | ${RI} MiB | ${RB} MiB (largest process) | |"
