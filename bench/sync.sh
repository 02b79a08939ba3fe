#!/usr/bin/env bash
# Benchmark `imgctl sync` against `skopeo sync` on local CNCF distribution registries (Debian
# `docker-registry`) over loopback: a mirror of REPOS repositories x TAGS tags whose images share
# two base layers. A cold run of each tool into its own empty destination registry, then a warm
# (no-op) run of each; wall time and peak RSS (GNU time), requests from the registries' access
# logs, blob uploads per digest (each shared blob must cross once), CPU time of each tool and
# of the registries it talks to (from /proc), digests checked at the destinations.
#
#   bench/sync.sh [REPOS] [TAGS]                     # defaults: 50 x 20 = 1,000 images
#   IMGCTL=path/to/imgctl JOBS=8 bench/sync.sh
#   KEEP=1 bench/sync.sh 3 4                         # keep the registries' logs and files
#
# Needs: docker-registry, skopeo, python3, curl, GNU time (/usr/bin/time). Uses a few MiB per
# registry in $TMPDIR. Prints a Markdown table on stdout; progress on stderr.
set -euo pipefail

REPOS=${1:-50}
TAGS=${2:-20}
JOBS=${JOBS:-4}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
IMGCTL=${IMGCTL:-$ROOT/target/release/imgctl}
if [ ! -x "$IMGCTL" ]; then
  (cd "$ROOT" && cargo build --release >&2)
fi
for t in docker-registry skopeo python3 curl /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "missing: $t" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/imgctl-bench-sync.XXXXXX")
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${KEEP:-0}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
log() { echo "[bench] $*" >&2; }
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# A fresh HOME so neither tool reads user config, credentials or blob-info caches.
export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home/.config XDG_DATA_HOME=$WORK/home/.local/share
mkdir -p "$HOME"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_registry NAME: an empty registry on a free loopback port; its address in $NAME_ADDR,
# its access log in $WORK/NAME/access.log.
start_registry() {
  local name=$1 port dir
  port=$(free_port)
  dir=$WORK/$name
  mkdir -p "$dir/storage"
  cat >"$dir/config.yml" <<EOF
version: 0.1
log: { level: error, accesslog: { disabled: false } }
storage: { filesystem: { rootdirectory: $dir/storage }, delete: { enabled: true } }
http: { addr: 127.0.0.1:$port }
EOF
  docker-registry serve "$dir/config.yml" >"$dir/access.log" 2>"$dir/registry.log" &
  PIDS+=($!)
  printf -v "${name}_PID" '%s' "$!"
  for _ in $(seq 100); do
    if curl -sf "http://127.0.0.1:$port/v2/" >/dev/null 2>&1; then
      printf -v "${name}_ADDR" '%s' "127.0.0.1:$port"
      return 0
    fi
    sleep 0.1
  done
  echo "registry $name did not start" >&2; exit 1
}

# Runs a command under GNU time; appends "SECONDS MAXRSS_KIB CPU_SECONDS" to file $1.
measure() {
  local out=$1; shift
  sync
  /usr/bin/time -f "%e %M %U %S" -o "$WORK/time.txt" "$@" >"$WORK/cmd.out" 2>"$WORK/cmd.err" || {
    tail -n 20 "$WORK/cmd.err" >&2; echo "failed: $*" >&2; exit 1; }
  awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$WORK/time.txt" >>"$out"
  log "  $(basename "$out"): $(cut -d' ' -f1 "$WORK/time.txt") s, $(( $(cut -d' ' -f2 "$WORK/time.txt") / 1024 )) MiB"
}
lines() { wc -l <"$1"; }
# cpu PID: CPU seconds (user + system) process PID has used so far.
cpu() { awk -v t="$(getconf CLK_TCK)" '{printf "%.2f\n", ($14 + $15) / t}' "/proc/$1/stat"; }
# span FILE FROM TO: lines FROM+1..TO of FILE.
span() { sed -n "$(($2 + 1)),$3p" "$1"; }
# requests FILE FROM TO: API requests in lines FROM+1..TO of access log FILE.
requests() { span "$@" | grep -cE '"[A-Z]+ /v2/' || true; }
# by_kind FILE FROM TO: those requests counted by method and kind.
by_kind() {
  span "$@" | grep -oE '"[A-Z]+ /v2/[^ ]*' | sed 's/"//' |
    awk '{print $1" "(($2 ~ /blobs\/uploads/) ? (($2 ~ /mount=/) ? "mount" : "upload") : ($2 ~ /blobs\/sha256/) ? "blob" : ($2 ~ /manifests/) ? "manifest" : ($2 ~ /tags\/list/) ? "tags" : ($2 == "/v2/") ? "/v2/" : "other")}' |
    sort | uniq -c | awk '{printf "%s %s %s×%d", (NR>1?",":""), $2, $3, $1}'
}

# ----- the source: REPOS x TAGS images over the registry API -----
start_registry src
log "filling $src_ADDR with $REPOS x $TAGS images (2 shared base layers + 1 unique layer each)"
python3 - "$src_ADDR" "$REPOS" "$TAGS" >"$WORK/generated.txt" <<'EOF'
# Pushes REPOS repositories bench/rNN with TAGS tags tNN each. Every image: two base layers
# shared by all images (2 MiB and 1 MiB of random bytes), one small unique layer, its own
# config. Base layers are uploaded once, then mounted into the other repositories.
import hashlib, http.client, io, json, os, sys, tarfile, threading
addr, repos, tags = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
local = threading.local()
def conn():
    if not hasattr(local, "c"):
        local.c = http.client.HTTPConnection(addr, timeout=60)
    return local.c
def req(method, path, body=None, headers={}):
    c = conn()
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse(); data = r.read()
    return r.status, r.headers, data
def sha(b): return "sha256:" + hashlib.sha256(b).hexdigest()
def tar(name, data):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        info = tarfile.TarInfo(name); info.size = len(data); info.mtime = 0
        t.addfile(info, io.BytesIO(data))
    return buf.getvalue()
blob_sizes = {}
def upload(repo, data):
    d = sha(data)
    blob_sizes[d] = len(data)
    s, h, _ = req("POST", f"/v2/{repo}/blobs/uploads/")
    assert s == 202, (s, repo)
    loc = h["Location"]; loc = loc[loc.index("/v2/"):] if "/v2/" in loc else loc
    sep = "&" if "?" in loc else "?"
    s, _, body = req("PUT", f"{loc}{sep}digest={d}", data, {"Content-Type": "application/octet-stream", "Content-Length": str(len(data))})
    assert s == 201, (s, body)
    return {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": len(data)}
def mount(repo, frm, desc):
    s, _, _ = req("POST", f"/v2/{repo}/blobs/uploads/?mount={desc['digest']}&from={frm}")
    assert s == 201, (s, repo)
base = [tar("base/one.bin", os.urandom(2 << 20)), tar("base/two.bin", os.urandom(1 << 20))]
names = [f"bench/r{r:02d}" for r in range(repos)]
base_desc = [upload(names[0], b) for b in base]
for n in names[1:]:
    for b in base_desc: mount(n, names[0], b)
def image(repo, tag, seed):
    layer = upload(repo, tar(f"app/{repo.replace('/', '-')}-{tag}.bin", os.urandom(4096)))
    layers = base_desc + [layer]
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Labels": {"image": f"{repo}:{tag}"}},
                      "rootfs": {"type": "layers", "diff_ids": [l["digest"] for l in layers]}}).encode()
    c = upload(repo, cfg); c["mediaType"] = "application/vnd.oci.image.config.v1+json"
    m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": c, "layers": layers}).encode()
    s, _, body = req("PUT", f"/v2/{repo}/manifests/{tag}", m, {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    assert s == 201, (s, body)
    return sha(m)
out, lock = [], threading.Lock()
def worker(rs):
    for r in rs:
        for t in range(tags):
            d = image(names[r], f"t{t:02d}", r * tags + t)
            with lock: out.append(f"{names[r]}:t{t:02d} {d}")
threads = [threading.Thread(target=worker, args=(range(k, repos, 4),)) for k in range(4)]
for t in threads: t.start()
for t in threads: t.join()
assert len(out) == repos * tags
sizes = {b["digest"]: b["size"] for b in base_desc}
sizes.update(blob_sizes)
print("base", *[b["digest"] for b in base_desc], sum(sizes.values()))
print("\n".join(sorted(out)))
EOF
read -r _ BASE1 BASE2 BLOB_BYTES < <(head -n 1 "$WORK/generated.txt")
tail -n +2 "$WORK/generated.txt" >"$WORK/images.txt"
IMAGES=$(lines "$WORK/images.txt")
log "$IMAGES images, base layers $BASE1 $BASE2; $BLOB_BYTES bytes of distinct blobs"

# ----- the two configurations: every tag of every repository -----
start_registry dimg
start_registry dsko
{
  echo "mappings:"
  for r in $(seq 0 $((REPOS - 1))); do
    printf '  - {source: %s/bench/r%02d, destination: %s/mirror/r%02d, tags: all}\n' "$src_ADDR" "$r" "$dimg_ADDR" "$r"
  done
} >"$WORK/mirror.yaml"
{
  echo "$src_ADDR:"
  echo "  tls-verify: false"
  echo "  images-by-tag-regex:"
  for r in $(seq 0 $((REPOS - 1))); do printf '    bench/r%02d: ".*"\n' "$r"; done
} >"$WORK/skopeo.yaml"

IMG=("$IMGCTL" --progress none --jobs "$JOBS" --format json sync "$WORK/mirror.yaml")
# Without --scoped, skopeo writes bench/rNN to DEST/rNN, the paths imgctl writes.
SKO=(skopeo --insecure-policy sync --src yaml --dest docker --dest-tls-verify=false --preserve-digests "$WORK/skopeo.yaml" "$dsko_ADDR/mirror")

# run NAME DEST_REGISTRY COMMAND...: measured, with the requests it made to the source and
# destination registries (files NAME.time, NAME.src, NAME.dst, NAME.srckinds, NAME.dstkinds).
run() {
  local name=$1 dst=$2; shift 2
  local s0 d0 s1 d1 c0 dpid
  dpid=${dst}_PID
  s0=$(lines "$WORK/src/access.log"); d0=$(lines "$WORK/$dst/access.log")
  c0=$(python3 -c "print($(cpu "$src_PID") + $(cpu "${!dpid}"))")
  log "$name"
  measure "$WORK/$name.time" "$@"
  sleep 0.5 # the access log is written after the response
  python3 -c "print(f'{$(cpu "$src_PID") + $(cpu "${!dpid}") - $c0:.1f}')" >"$WORK/$name.regcpu"
  s1=$(lines "$WORK/src/access.log"); d1=$(lines "$WORK/$dst/access.log")
  requests "$WORK/src/access.log" "$s0" "$s1" >"$WORK/$name.src"
  requests "$WORK/$dst/access.log" "$d0" "$d1" >"$WORK/$name.dst"
  by_kind "$WORK/src/access.log" "$s0" "$s1" >"$WORK/$name.srckinds"
  by_kind "$WORK/$dst/access.log" "$d0" "$d1" >"$WORK/$name.dstkinds"
  DLINES[$name]="$d0 $d1"
  SLINES[$name]="$s0 $s1"
}
declare -A DLINES SLINES
run cold.imgctl dimg "${IMG[@]}"
cp "$WORK/cmd.out" "$WORK/cold.imgctl.json"
run cold.skopeo dsko "${SKO[@]}"
run warm.imgctl dimg "${IMG[@]}"
cp "$WORK/cmd.out" "$WORK/warm.imgctl.json"
run warm.skopeo dsko "${SKO[@]}"

# ----- checks -----
python3 - "$WORK/cold.imgctl.json" "$WORK/warm.imgctl.json" "$IMAGES" <<'EOF' >&2
import json, sys
cold, warm, n = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
assert cold["summary"]["copied"] == n and cold["summary"]["failed"] == 0, cold["summary"]
assert warm["summary"]["skipped"] == n and warm["summary"]["copied"] == 0, warm["summary"]
print(f"[bench] imgctl: cold {cold['summary']['copied']} copied, warm {warm['summary']['skipped']} skipped")
EOF
# Completed uploads (PUT …?digest=) per digest at a destination during a run.
uploads_of() { # NAME DEST DIGEST
  span "$WORK/$2/access.log" ${DLINES[$1]} | grep -E '"PUT /v2/[^ ]*/blobs/uploads/' |
    grep -c "digest=${3/:/%3A}\|digest=$3" || true
}
all_uploads() { # NAME DEST
  span "$WORK/$2/access.log" ${DLINES[$1]} | grep -cE '"PUT /v2/[^ ]*/blobs/uploads/' || true
}
src_gets_of() { # NAME DIGEST: blob GETs of DIGEST at the source during run NAME
  span "$WORK/src/access.log" ${SLINES[$1]} | grep -cE "\"GET /v2/[^ ]*/blobs/$2 " || true
}
BLOBS=$((2 + 2 * IMAGES)) # 2 shared base layers, a unique layer and a config per image
for tool in imgctl skopeo; do
  dst=dimg; [ $tool = skopeo ] && dst=dsko
  printf -v "UP_$tool" '%s' "$(all_uploads cold.$tool $dst)"
  printf -v "BASEUP_$tool" '%s/%s' "$(uploads_of cold.$tool $dst "$BASE1")" "$(uploads_of cold.$tool $dst "$BASE2")"
  printf -v "BASEGET_$tool" '%s/%s' "$(src_gets_of cold.$tool "$BASE1")" "$(src_gets_of cold.$tool "$BASE2")"
done
SHARED_ONCE=yes
[ "$BASEUP_imgctl" = 1/1 ] && [ "$BASEGET_imgctl" = 1/1 ] && [ "$UP_imgctl" = "$BLOBS" ] || SHARED_ONCE=NO

# A sample of digests at both destinations (every 37th image, and the last).
MISMATCH=0; CHECKED=0
check_digest() { # REG REPO TAG WANT
  curl -sfI -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$1/v2/$2/manifests/$3" |
    tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest" {print $2}'
}
while read -r ref digest; do
  repo=${ref%%:*}; tag=${ref##*:}; r=mirror/${repo#bench/}
  for reg in "$dimg_ADDR" "$dsko_ADDR"; do
    got=$(check_digest "$reg" "$r" "$tag")
    CHECKED=$((CHECKED + 1))
    [ "$got" = "$digest" ] || { MISMATCH=$((MISMATCH + 1)); log "digest mismatch at $reg/$r:$tag: $got, want $digest"; }
  done
done < <(awk 'NR % 37 == 1' "$WORK/images.txt"; tail -n 1 "$WORK/images.txt")
[ "$MISMATCH" = 0 ] || { echo "$MISMATCH of $CHECKED sampled digests differ" >&2; exit 1; }
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ----- the table -----
t() { cut -d' ' -f1 "$WORK/$1.time"; }
rss() { echo $(( $(cut -d' ' -f2 "$WORK/$1.time") / 1024 )); }
cpus() { cut -d' ' -f3 "$WORK/$1.time"; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
per() { python3 -c "print(f'{$1/$2:.2f}')"; }
reqs() { echo $(( $(cat "$WORK/$1.src") + $(cat "$WORK/$1.dst") )); }
echo
echo "imgctl $("$IMGCTL" --version | awk '{print $2}') vs $(skopeo --version); $REPOS repositories × $TAGS tags = $IMAGES images (2 shared base layers of 2 and 1 MiB + a 4 KiB layer and a config each; $BLOB_BYTES bytes of distinct blobs), docker-registry $(dpkg-query -W -f '${Version}' docker-registry 2>/dev/null || echo '?') on loopback, imgctl --jobs $JOBS, one run each, $(nproc) cores, load $LOAD_START at the start, $LOAD_END at the end, $(date -u +%Y-%m-%d)"
echo
echo "| run | imgctl sync | skopeo sync | ratio | imgctl peak RSS | skopeo peak RSS | imgctl requests (source + destination) | skopeo requests | CPU: imgctl / its registries | CPU: skopeo / its registries |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for r in cold warm; do
  printf '| %s | %s s | %s s | %s | %s MiB | %s MiB | %s + %s | %s + %s | %s s / %s s | %s s / %s s |\n' "$r" \
    "$(t $r.imgctl)" "$(t $r.skopeo)" "$(ratio "$(t $r.imgctl)" "$(t $r.skopeo)")" \
    "$(rss $r.imgctl)" "$(rss $r.skopeo)" \
    "$(cat "$WORK/$r.imgctl.src")" "$(cat "$WORK/$r.imgctl.dst")" \
    "$(cat "$WORK/$r.skopeo.src")" "$(cat "$WORK/$r.skopeo.dst")" \
    "$(cpus $r.imgctl)" "$(cat "$WORK/$r.imgctl.regcpu")" "$(cpus $r.skopeo)" "$(cat "$WORK/$r.skopeo.regcpu")"
done
echo
W=$(reqs warm.imgctl)
echo "- warm run, imgctl: $W requests = $(per "$W" "$IMAGES") per image, or 2 per image + $(per "$((W - 2 * IMAGES))" "$REPOS") per repository; source:$(cat "$WORK/warm.imgctl.srckinds"); destination:$(cat "$WORK/warm.imgctl.dstkinds")"
WS=$(reqs warm.skopeo)
echo "- warm run, skopeo: $WS requests = $(per "$WS" "$IMAGES") per image; source:$(cat "$WORK/warm.skopeo.srckinds"); destination:$(cat "$WORK/warm.skopeo.dstkinds")"
echo "- cold run, blob uploads completed at the destination: imgctl $UP_imgctl, skopeo $UP_skopeo (distinct blobs: $BLOBS); each shared base layer uploaded imgctl $BASEUP_imgctl, skopeo $BASEUP_skopeo times, downloaded from the source imgctl $BASEGET_imgctl, skopeo $BASEGET_skopeo times; every shared blob crossed once (imgctl): $SHARED_ONCE"
echo "- cold run, imgctl requests: source:$(cat "$WORK/cold.imgctl.srckinds"); destination:$(cat "$WORK/cold.imgctl.dstkinds")"
echo "- cold run, skopeo requests: source:$(cat "$WORK/cold.skopeo.srckinds"); destination:$(cat "$WORK/cold.skopeo.dstkinds")"
echo "- digests checked at both destinations: $CHECKED sampled manifests, $MISMATCH differ"
COLD_RATIO=$(ratio "$(t cold.imgctl)" "$(t cold.skopeo)")
RSS_MAX=$(( $(rss cold.imgctl) > $(rss warm.imgctl) ? $(rss cold.imgctl) : $(rss warm.imgctl) ))
goal() { if python3 -c "import sys; sys.exit(0 if $1 else 1)"; then echo met; else echo MISSED; fi; }
echo "- goals: cold ≤ 0.35 × skopeo: $(goal "$COLD_RATIO <= 0.35") ($COLD_RATIO); warm ≤ 2 s: $(goal "$(t warm.imgctl) <= 2") ($(t warm.imgctl) s); warm ≤ 2 requests per image + 2 per repository: $(goal "$W <= 2 * $IMAGES + 2 * $REPOS") ($W ≤ $((2 * IMAGES + 2 * REPOS))); peak RSS ≤ 40 MiB: $(goal "$RSS_MAX <= 40") ($RSS_MAX MiB); every shared blob crosses once: $SHARED_ONCE"
