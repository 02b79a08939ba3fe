#!/usr/bin/env bash
# Build a real Debian (minbase) root filesystem as an OCI image layout, for use
# as "real input" by imgctl's integration tests.
#
# Usage: scripts/debian-image.sh OUT_LAYOUT_DIR [TAG]
#
#   OUT_LAYOUT_DIR  OCI image layout directory (created if missing; an existing
#                   layout gets TAG added next to its other tags).
#   TAG             tag (org.opencontainers.image.ref.name) to create.
#                   Default: bookworm.
#
# The resulting image has two layers:
#   1. the debootstrap --variant=minbase rootfs;
#   2. a small delta that adds /etc/imgctl-test and deletes /etc/motd, so the
#      layer contains a whiteout (etc/.wh.motd).
#
# stdout: exactly one line, the manifest digest (sha256:...). Logs go to stderr.
# If OUT_LAYOUT_DIR already contains TAG, its digest is printed immediately.
#
# Must run as root (debootstrap, and root-owned files/device nodes in the
# rootfs). Needs debootstrap, umoci, skopeo; installed with apt-get if missing.
#
# Environment:
#   IMGCTL_TEST_CACHE      cache dir (default: $HOME/.cache/imgctl-test); the
#                          debootstrapped rootfs tarball is kept here, so only
#                          the first run needs the network.
#   IMGCTL_DEBIAN_MIRROR   Debian mirror (default: the one apt uses for SUITE,
#                          else http://deb.debian.org/debian).
#   IMGCTL_DEBIAN_SUITE    Debian suite (default: bookworm).
#   IMGCTL_DEBIAN_REFRESH  set to 1 to ignore the cached rootfs tarball.
#   SOURCE_DATE_EPOCH      timestamp for image/history "created" and for the
#                          files written in layer 2 (default: mtime of the
#                          cached rootfs tarball, which makes rebuilds from the
#                          same cache produce the same digest).
set -euo pipefail

PROG=${0##*/}
SUITE=${IMGCTL_DEBIAN_SUITE:-bookworm}
VARIANT=minbase
DEFAULT_MIRROR=http://deb.debian.org/debian
CACHE_DIR=${IMGCTL_TEST_CACHE:-${HOME:-/root}/.cache/imgctl-test}

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }

usage() {
	cat >&2 <<EOF
usage: $PROG OUT_LAYOUT_DIR [TAG]

Build a Debian $SUITE ($VARIANT) OCI image layout at OUT_LAYOUT_DIR tagged TAG
(default: $SUITE) and print its manifest digest on stdout. Run as root.
Cache: \${IMGCTL_TEST_CACHE:-\$HOME/.cache/imgctl-test} (currently $CACHE_DIR)
EOF
}

# ---------------------------------------------------------------- arguments --
case ${1:-} in
-h | --help) usage; exit 0 ;;
esac
if [[ $# -lt 1 || $# -gt 2 || -z ${1:-} ]]; then
	usage
	exit 2
fi
OUT=$(realpath -m -- "$1")
TAG=${2:-$SUITE}
[[ $OUT != *:* ]] || die "OUT_LAYOUT_DIR must not contain ':' (skopeo/umoci use it as the tag separator): $OUT"
[[ $TAG =~ ^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$ ]] || die "invalid tag '$TAG' (want [A-Za-z0-9_][A-Za-z0-9._-]{0,99})"

START=$SECONDS

# Print the manifest digest of OUT:TAG if it exists (and is readable), else fail.
image_digest() {
	[[ -f $OUT/index.json ]] || return 1
	command -v skopeo >/dev/null 2>&1 || return 1
	skopeo inspect --format '{{.Digest}}' "oci:$OUT:$TAG" 2>/dev/null
}

# ------------------------------------------------------- idempotent fast path --
if digest=$(image_digest) && [[ -n $digest ]]; then
	log "$OUT already contains tag '$TAG'; nothing to do"
	printf '%s\n' "$digest"
	exit 0
fi

# -------------------------------------------------------------- prerequisites --
[[ $EUID -eq 0 ]] || die "must be run as root (debootstrap needs root and the rootfs contains root-owned files and device nodes); try: sudo $0 $*"

missing=()
for tool in debootstrap:debootstrap umoci:umoci skopeo:skopeo jq:jq wget:wget flock:util-linux; do
	command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
if ((${#missing[@]})); then
	log "installing missing packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update >&2 || die "apt-get update failed"
	apt-get install -y --no-install-recommends "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
fi

DPKG_ARCH=$(dpkg --print-architecture)
case $DPKG_ARCH in
amd64 | arm64 | s390x | riscv64) OCI_ARCH=$DPKG_ARCH ;;
armhf | armel) OCI_ARCH=arm ;;
i386) OCI_ARCH=386 ;;
ppc64el) OCI_ARCH=ppc64le ;;
mips64el) OCI_ARCH=mips64le ;;
*) OCI_ARCH=$DPKG_ARCH ;;
esac

# Mirror that apt uses for "$SUITE" (deb822 *.sources or one-line *.list).
apt_mirror() {
	local f
	local -a files=()
	[[ -f /etc/apt/sources.list ]] && files+=(/etc/apt/sources.list)
	for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[[ -f $f ]] && files+=("$f")
	done
	((${#files[@]})) || return 1
	awk -v suite="$SUITE" '
		function ok(u) { return u ~ /^https?:\/\// }
		function flush(   i, n, s, u) {
			if (types ~ /(^|[ \t])deb([ \t]|$)/ && tolower(enabled) != "no") {
				n = split(suites, s, /[ \t]+/)
				for (i = 1; i <= n; i++) if (s[i] == suite) {
					split(uris, u, /[ \t]+/)
					if (ok(u[1])) { print u[1]; found = 1; exit }
				}
			}
			types = suites = uris = enabled = ""
		}
		FNR == 1 { flush(); deb822 = (FILENAME ~ /\.sources$/) }
		deb822 {
			if ($0 ~ /^[ \t]*$/) { flush(); next }
			if ($0 ~ /^#/) next
			k = tolower($1); v = $0; sub(/^[^:]*:[ \t]*/, "", v); sub(/[ \t]+$/, "", v)
			if (k == "types:") types = v
			else if (k == "suites:") suites = v
			else if (k == "uris:") uris = v
			else if (k == "enabled:") enabled = v
			next
		}
		$1 == "deb" {
			i = 2
			if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
			if ($(i + 1) == suite && ok($i)) { print $i; found = 1; exit }
		}
		END { if (!found) flush() }
	' "${files[@]}" | head -n1 | sed 's:/*$::'
}

MIRROR=${IMGCTL_DEBIAN_MIRROR:-}
if [[ -z $MIRROR ]]; then
	MIRROR=$(apt_mirror 2>/dev/null || true)
	MIRROR=${MIRROR:-$DEFAULT_MIRROR}
fi

# ----------------------------------------------------------- temp + cleanup --
mkdir -p "$CACHE_DIR"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/imgctl-debian.XXXXXX")
TMPTAG=""
CREATED_OUT=0
FINISHED=0

cleanup() {
	local rc=$? m
	set +e
	if [[ $FINISHED -eq 0 && -n $TMPTAG && -f $OUT/index.json ]]; then
		umoci rm --image "$OUT:$TMPTAG" >/dev/null 2>&1
		umoci gc --layout "$OUT" >/dev/null 2>&1
	fi
	if [[ $FINISHED -eq 0 && $CREATED_OUT -eq 1 ]]; then
		rm -rf -- "$OUT"
	fi
	# debootstrap mounts proc/sys inside the target; never rm -rf through a mount.
	if [[ -d $WORK ]]; then
		while read -r m; do
			umount -l "$m" 2>/dev/null
		done < <(awk -v w="$WORK" 'index($2, w "/") == 1 { print $2 }' /proc/mounts | sort -r)
		rm -rf --one-file-system -- "$WORK"
	fi
	if ((rc != 0)); then
		log "FAILED (exit $rc) after $((SECONDS - START))s"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# One build at a time per cache dir (parallel test runners may race).
exec 9>"$CACHE_DIR/.lock"
if ! flock -n 9; then
	log "waiting for lock $CACHE_DIR/.lock (another build is running)"
	flock 9
fi
if digest=$(image_digest) && [[ -n $digest ]]; then
	log "$OUT gained tag '$TAG' while we waited; nothing to do"
	printf '%s\n' "$digest"
	FINISHED=1
	exit 0
fi

# ------------------------------------------------- 1. debootstrap (cached) --
CACHE_TAR=$CACHE_DIR/debian-$SUITE-$VARIANT-$DPKG_ARCH.rootfs.tar
if [[ -s $CACHE_TAR && ${IMGCTL_DEBIAN_REFRESH:-0} != 1 ]]; then
	log "using cached rootfs $CACHE_TAR ($(du -h "$CACHE_TAR" | cut -f1))"
else
	log "no cached rootfs (or IMGCTL_DEBIAN_REFRESH=1); running debootstrap --variant=$VARIANT $SUITE from $MIRROR (takes a few minutes)"
	wget_rc=0
	wget -q -T 20 -t 2 -O /dev/null "$MIRROR/dists/$SUITE/Release" || wget_rc=$?
	case $wget_rc in
	0) ;;
	8) die "Debian mirror $MIRROR answered with an HTTP error for dists/$SUITE/Release (wrong mirror URL or suite?); set IMGCTL_DEBIAN_MIRROR" ;;
	*) die "cannot reach Debian mirror $MIRROR (wget exit $wget_rc fetching $MIRROR/dists/$SUITE/Release); check network access or set IMGCTL_DEBIAN_MIRROR" ;;
	esac
	ROOTFS=$WORK/rootfs
	DB_LOG=$WORK/debootstrap.log
	db_start=$SECONDS
	if ! debootstrap --variant="$VARIANT" --arch="$DPKG_ARCH" "$SUITE" "$ROOTFS" "$MIRROR" 2>&1 |
		tee "$DB_LOG" | sed -u 's/^/  debootstrap: /' >&2; then
		if [[ -f $ROOTFS/debootstrap/debootstrap.log ]]; then
			tail -n 20 "$ROOTFS/debootstrap/debootstrap.log" | sed 's/^/  debootstrap.log: /' >&2
		fi
		if grep -qiE "Failed getting release file|Couldn't download|Failed to download|Couldn't retrieve|unable to resolve|Connection refused|Network is unreachable|timed out" "$DB_LOG" "$ROOTFS/debootstrap/debootstrap.log" 2>/dev/null; then
			die "debootstrap could not download from the Debian mirror $MIRROR; check network access or set IMGCTL_DEBIAN_MIRROR"
		fi
		die "debootstrap --variant=$VARIANT $SUITE $ROOTFS $MIRROR failed (see log above)"
	fi
	log "debootstrap finished in $((SECONDS - db_start))s"

	# Drop host-specific and cache files so the rootfs only depends on the mirror.
	rm -rf -- "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin \
		"$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/cache/ldconfig/aux-cache
	rm -f -- "$ROOTFS/etc/resolv.conf"
	printf 'localhost\n' >"$ROOTFS/etc/hostname"
	chmod 0644 "$ROOTFS/etc/hostname"
	for m in proc sys dev/pts; do
		if mountpoint -q "$ROOTFS/$m"; then umount -l "$ROOTFS/$m"; fi
	done

	log "caching rootfs tarball at $CACHE_TAR"
	tar -C "$ROOTFS" --numeric-owner --xattrs --xattrs-include='*' --one-file-system \
		-cpf "$CACHE_TAR.tmp.$$" .
	mv -f -- "$CACHE_TAR.tmp.$$" "$CACHE_TAR"
	{
		printf 'suite=%s\nvariant=%s\narch=%s\nmirror=%s\ncreated=%s\n' \
			"$SUITE" "$VARIANT" "$DPKG_ARCH" "$MIRROR" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
		printf 'debian_version=%s\n' "$(cat "$ROOTFS/etc/debian_version")"
	} >"$CACHE_TAR.info"
	rm -rf --one-file-system -- "$ROOTFS"
fi

EPOCH=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$CACHE_TAR")}
[[ $EPOCH =~ ^[0-9]+$ ]] || die "SOURCE_DATE_EPOCH must be an integer, got '$EPOCH'"
CREATED=$(date -u -d "@$EPOCH" +%Y-%m-%dT%H:%M:%SZ)
DEBIAN_VERSION=$(sed -n 's/^debian_version=//p' "$CACHE_TAR.info" 2>/dev/null || true)

# ------------------------------------------------------- 2. OCI image (umoci) --
if [[ -e $OUT && ! -f $OUT/index.json ]]; then
	if [[ -d $OUT && -z $(ls -A -- "$OUT") ]]; then
		rmdir -- "$OUT"
	else
		die "$OUT exists but is not an OCI image layout (no index.json)"
	fi
fi
if [[ ! -e $OUT ]]; then
	mkdir -p -- "$(dirname -- "$OUT")"
	umoci init --layout "$OUT" >&2
	CREATED_OUT=1
fi

# Build under a temporary tag and only move TAG into place once everything
# succeeded, so an interrupted run never leaves a half-built TAG behind (which
# the fast path above would then happily report).
TMPTAG=imgctl-tmp-$$-$RANDOM
BUNDLE=$WORK/bundle
umoci new --image "$OUT:$TMPTAG" >&2
umoci unpack --image "$OUT:$TMPTAG" "$BUNDLE" >&2

log "layer 1: extracting rootfs and packing"
tar -C "$BUNDLE/rootfs" --numeric-owner --xattrs --xattrs-include='*' -xpf "$CACHE_TAR"
umoci repack --refresh-bundle \
	--history.created "$CREATED" \
	--history.author "imgctl scripts/debian-image.sh" \
	--history.created_by "debootstrap --variant=$VARIANT --arch=$DPKG_ARCH $SUITE / $MIRROR" \
	--history.comment "Debian $SUITE${DEBIAN_VERSION:+ ($DEBIAN_VERSION)} $VARIANT rootfs" \
	--image "$OUT:$TMPTAG" "$BUNDLE" >&2

log "layer 2: adding /etc/imgctl-test, deleting /etc/motd (whiteout)"
[[ -f $BUNDLE/rootfs/etc/motd ]] || die "expected /etc/motd in the $SUITE rootfs (needed for the whiteout layer)"
printf 'imgctl integration test image\nsuite=%s\nvariant=%s\narch=%s\n' \
	"$SUITE" "$VARIANT" "$DPKG_ARCH" >"$BUNDLE/rootfs/etc/imgctl-test"
chmod 0644 "$BUNDLE/rootfs/etc/imgctl-test"
rm -f -- "$BUNDLE/rootfs/etc/motd"
touch -h -d "@$EPOCH" "$BUNDLE/rootfs/etc/imgctl-test" "$BUNDLE/rootfs/etc"
umoci repack \
	--history.created "$CREATED" \
	--history.author "imgctl scripts/debian-image.sh" \
	--history.created_by "/bin/sh -c 'echo ... > /etc/imgctl-test && rm /etc/motd'" \
	--history.comment "imgctl test layer: add /etc/imgctl-test, whiteout /etc/motd" \
	--image "$OUT:$TMPTAG" "$BUNDLE" >&2

log "setting image config"
umoci config --image "$OUT:$TMPTAG" \
	--os linux --architecture "$OCI_ARCH" \
	--author "imgctl integration tests" \
	--created "$CREATED" \
	--config.cmd /bin/bash \
	--config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	--config.label "org.opencontainers.image.title=imgctl-test-debian-$SUITE" \
	--config.label "org.opencontainers.image.description=Debian $SUITE $VARIANT rootfs (debootstrap) for imgctl integration tests" \
	--config.label "org.opencontainers.image.version=${DEBIAN_VERSION:-$SUITE}" \
	--config.label "io.imgctl.test=true" \
	--history.created "$CREATED" \
	--history.author "imgctl scripts/debian-image.sh" \
	--history.created_by "umoci config --config.cmd /bin/bash ..." \
	--history.comment "imgctl test image config" >&2

umoci tag --image "$OUT:$TMPTAG" "$TAG" >&2
umoci rm --image "$OUT:$TMPTAG" >&2
TMPTAG=""
umoci gc --layout "$OUT" >&2
# umoci writes index.json 0600; let non-root test runners read the layout.
chmod -R go+rX -- "$OUT"

# ------------------------------------------------------------- 3. verify --
log "verifying"
umoci stat --image "$OUT:$TAG" >&2 || die "umoci stat failed for $OUT:$TAG"
skopeo inspect "oci:$OUT:$TAG" >"$WORK/inspect.json" || die "skopeo inspect failed for oci:$OUT:$TAG"
digest=$(skopeo inspect --format '{{.Digest}}' "oci:$OUT:$TAG")
[[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || die "unexpected manifest digest '$digest'"
skopeo inspect --raw "oci:$OUT:$TAG" >"$WORK/manifest.json" || die "skopeo inspect --raw failed for oci:$OUT:$TAG"
[[ sha256:$(sha256sum <"$WORK/manifest.json" | cut -d' ' -f1) == "$digest" ]] || die "manifest bytes do not hash to $digest"
idx_digest=$(jq -r --arg t "$TAG" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$OUT/index.json")
[[ $idx_digest == "$digest" ]] || die "index.json says $TAG is '$idx_digest', skopeo says '$digest'"
mapfile -t layers < <(jq -r '.layers[] | "\(.digest) \(.size)"' "$WORK/manifest.json")
((${#layers[@]} >= 2)) || die "expected at least 2 layers, got ${#layers[@]}"
last=${layers[-1]%% *}
wh=$(tar -tzf "$OUT/blobs/sha256/${last#sha256:}" | grep -c '\.wh\.' || true)
((wh >= 1)) || die "top layer $last contains no whiteout entry"
i=0
for l in "${layers[@]}"; do
	i=$((i + 1))
	log "  layer $i: ${l% *} ($(numfmt --to=iec-i --suffix=B "${l#* }" 2>/dev/null || echo "${l#* } bytes"))"
done
log "  top layer whiteouts: $wh"
log "image $OUT:$TAG: ${#layers[@]} layers, layout size $(du -sh -- "$OUT" | cut -f1)"
log "done in $((SECONDS - START))s"

FINISHED=1
printf '%s\n' "$digest"
