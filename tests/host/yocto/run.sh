#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Yocto layer (packaging/yocto/meta-zpoolx) without bitbake: its
# metadata is read with bbeval.py (assignments, overrides, require,
# functions, ${VAR} expansion), and the recipes' own commands are replayed
# with the variables bitbake would give them (classes.conf stands in for
# bitbake.conf and module.bbclass):
#
#   zpoolx-module  module.bbclass's do_compile and do_install: make with
#                  KERNEL_SRC= (the kernel source) and O= (its build dir),
#                  then modules_install with MODLIB=${D}/lib/modules/KVER,
#                  against Debian 12's arm64 6.1 kernel (scripts/arm64-kernel:
#                  the -common tree as the source, the -arm64 tree as the
#                  build dir), cross-compiled with aarch64-linux-gnu-;
#   zpoolx-tools   do_compile and do_install with DESTDIR=${D}, with
#                  Yocto's CFLAGS and LDFLAGS (fortify, stack protector,
#                  relro, --as-needed), cross-compiled against Debian's arm64
#                  libraries, the BPF programs' vmlinux.h from that kernel's
#                  Image (as the recipe takes it from DEPLOY_DIR_IMAGE);
#
# then checks that ${D} holds exactly the files the recipes' FILES list
# (each in one package), the module's vermagic, the kernel fragments
# against that kernel's configuration and README.md, the layer's
# configuration, DEPENDS against the Makefiles' pkg-config modules, and the
# packagegroup's dependencies.
#
# ZPOOLX_YOCTO_TARGET=amd64 replays against Debian's amd64 headers with the
# host compiler instead (also the fallback when the arm64 kernel cannot be
# had).  Prints TAP; exits non-zero if a test fails.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
LAYER=$TOP/packaging/yocto/meta-zpoolx
REC=$LAYER/recipes-kernel/zpoolx

n=0 failed=0
tap() {
	local rc=$1
	shift
	n=$((n + 1))
	if [ "$rc" = 0 ]; then
		echo "ok $n - $*"
	else
		echo "not ok $n - $*"
		failed=$((failed + 1))
	fi
}
diag() { sed 's/^/#   /'; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/zpoolx-yocto.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

for c in python3 rsync make readelf modinfo; do
	if ! command -v $c >/dev/null; then
		echo "Bail out! $c is needed (scripts/install-deps)"
		exit 1
	fi
done

# ---- the target kernel ----
target=${ZPOOLX_YOCTO_TARGET:-arm64}
if [ "$target" = arm64 ]; then
	if env=$("$TOP/scripts/arm64-kernel" 2>"$WORK/arm64.err") && eval "$env" &&
		command -v aarch64-linux-gnu-gcc >/dev/null &&
		command -v aarch64-linux-gnu-pkg-config >/dev/null; then
		KVER=$ARM64_KVER KBUILD=$ARM64_KDIR KIMAGE=$ARM64_IMAGE
		HOST_PREFIX=aarch64-linux-gnu- KARCH=arm64 PKGCONF=aarch64-linux-gnu-pkg-config
		MACHINE_NAME=AArch64
	else
		echo "# the arm64 kernel or cross toolchain is not available, replaying for amd64:"
		tail -n 3 "$WORK/arm64.err" | diag
		target=amd64
	fi
fi
if [ "$target" = amd64 ]; then
	KVER=$("$TOP/scripts/debian-kver") || { echo "Bail out! no Debian 6.1 kernel"; exit 1; }
	KBUILD=/usr/src/linux-headers-$KVER KIMAGE=/boot/vmlinuz-$KVER
	HOST_PREFIX='' KARCH=x86 PKGCONF=pkg-config MACHINE_NAME="Advanced Micro Devices X86-64"
fi
# Debian splits the kernel tree as Yocto does: the -common source tree
# (STAGING_KERNEL_DIR) and the per-flavour build tree with .config,
# Module.symvers and the generated headers (STAGING_KERNEL_BUILDDIR),
# whose Makefile includes the former's
KSRC=$(sed -n 's|^include \(.*\)/Makefile$|\1|p' "$KBUILD/Makefile")
echo "# target $target: kernel $KVER, source $KSRC, build $KBUILD"

SETS=(--set "DISTRO_FEATURES=systemd" --set "STAGING_KERNEL_DIR=$KSRC"
	--set "STAGING_KERNEL_BUILDDIR=$KBUILD" --set "KERNEL_VERSION=$KVER"
	--set "HOST_PREFIX=$HOST_PREFIX" --set "KERNEL_ARCH=$KARCH"
	--set "DEPLOY_DIR_IMAGE=$(dirname "$KIMAGE")" --set "KERNEL_IMAGETYPE=$(basename "$KIMAGE")")
# bb RECIPE COMMAND...: bbeval on a recipe, with the configuration above
# (and CONF, a build's own settings) and a WORKDIR of its own
CONF=() WD=
bb() {
	local r=$1
	shift
	"$HERE/bbeval.py" --bbpath "$LAYER" "${SETS[@]}" "${CONF[@]}" \
		--set "WORKDIR=$WORK/$(basename "$r" .bb)$WD" \
		--file "$HERE/classes.conf" --file "$r" "$@"
}

# ---- the layer's metadata ----
ver=$("$TOP/scripts/version")
lc() { "$HERE/bbeval.py" --set "LAYERDIR=$LAYER" --file "$LAYER/conf/layer.conf" get "$1"; }
compat=$(lc LAYERSERIES_COMPAT_zpoolx)
tap $( { [[ " $compat " == *" kirkstone "* ]] && [[ " $compat " == *" scarthgap "* ]] &&
	[ "$(lc BBFILE_COLLECTIONS)" = zpoolx ] && [ "$(lc BBFILE_PATTERN_zpoolx)" = "^$LAYER/" ] &&
	[[ "$(lc BBFILES)" == *"$LAYER/recipes-*/*/*.bb "* ]]; }; echo $?) \
	"conf/layer.conf: collection zpoolx, LAYERSERIES_COMPAT '$compat'"
bad=
for f in $(cd "$LAYER" && find . -name '*.bb' -o -name '*.bbappend' -o -name '*.inc' | sort); do
	"$HERE/bbeval.py" --bbpath "$LAYER" "${SETS[@]}" --file "$HERE/classes.conf" --file "$LAYER/$f" vars \
		>/dev/null 2>"$WORK/parse.err" || bad="$bad $f: $(cat "$WORK/parse.err")"
done
tap $( [ -z "$bad" ]; echo $?) "every recipe, bbappend and include parses${bad:+:$bad}"
for r in zpoolx-module zpoolx-tools; do
	pv=$(bb "$REC/${r}_git.bb" get PV)
	tap $( [ "${pv%%+git*}" = "$ver" ]; echo $?) "$r: PV $pv is scripts/version's $ver"
done
inh=$(bb "$REC/zpoolx-module_git.bb" inherits | tr '\n' ' ')
tap $( [[ " $inh" == *" module "* ]]; echo $?) "zpoolx-module inherits module ($inh)"
inh=$(bb "$REC/zpoolx-tools_git.bb" inherits | tr '\n' ' ')
tap $( [[ " $inh" == *" systemd "* && " $inh" == *" pkgconfig "* ]]; echo $?) "zpoolx-tools inherits systemd and pkgconfig ($inh)"

# DEPENDS: a recipe for each pkg-config module the Makefiles use, and the
# native tools of the BPF build
deps=" $(bb "$REC/zpoolx-tools_git.bb" get DEPENDS | tr -s ' \t' '  ') "
declare -A recipe_of=([json-c]=json-c [libmicrohttpd]=libmicrohttpd [libsystemd]=systemd
	[libbpf]=libbpf [liblz4]=lz4 [libzstd]=zstd)
missing=
for m in $(grep -hE '^\s*PKGS\s*[:+]?=' "$TOP/zpoolctl/Makefile" "$TOP/daemon/Makefile" | sed 's/.*=//') libbpf; do
	r=${recipe_of[$m]:-?$m}
	[[ "$deps" == *" $r "* ]] || missing="$missing $m->$r"
done
for r in bpftool-native clang-native; do
	[[ "$deps" == *" $r "* ]] || missing="$missing $r"
done
tap $( [ -z "$missing" ]; echo $?) "zpoolx-tools DEPENDS has the pkg-config modules' recipes and bpftool-native, clang-native${missing:+ (missing:$missing)}"

# the kernel fragments: in SRC_URI of each bbappend, present, every option
# built in or a module in the target kernel, and listed in README.md
frags=$(find "$LAYER" -name '*.cfg' | sort)
for a in $(find "$LAYER" -name '*.bbappend' | sort); do
	srcuri=$("$HERE/bbeval.py" --set "THISDIR=$(dirname "$a")" --file "$a" get SRC_URI)
	paths=$("$HERE/bbeval.py" --set "THISDIR=$(dirname "$a")" --file "$a" get FILESEXTRAPATHS | tr ':' ' ')
	bad=
	for u in $srcuri; do
		f=${u#file://}
		found=
		for p in $paths; do [ -f "$p/$f" ] && found=1; done
		[ -n "$found" ] || bad="$bad $f"
	done
	tap $( [ -z "$bad" ] && [[ "$srcuri" == *zpoolx.cfg* ]]; echo $?) \
		"${a#"$LAYER"/}: SRC_URI '$(echo $srcuri)' found in FILESEXTRAPATHS${bad:+ (missing:$bad)}"
done
for f in $frags; do
	bad='' notdoc=''
	while IFS='=' read -r k v; do
		got=$(grep "^$k=" "$KBUILD/.config" | cut -d= -f2)
		case "$v:$got" in y:y | y:m | m:m | m:y) ;; *) bad="$bad $k=${got:-unset}" ;; esac
		grep -qw -- "$k" "$TOP/README.md" || notdoc="$notdoc $k"
	done < <(grep '^CONFIG_' "$f")
	tap $( [ -z "$bad" ]; echo $?) "$(basename "$f"): every option is y or m in $KVER's configuration${bad:+ (not:$bad)}"
	tap $( [ -z "$notdoc" ]; echo $?) "$(basename "$f"): every option is in README.md${notdoc:+ (missing:$notdoc)}"
done

# the packagegroup's dependencies are packages the layer makes
pg=$LAYER/recipes-core/packagegroups/packagegroup-zpoolx.bb
provided=" $(bb "$REC/zpoolx-module_git.bb" get RPROVIDES:zpoolx-module) zpoolx-module $(bb "$REC/zpoolx-tools_git.bb" get PACKAGES) "
bad=
for p in $(bb "$pg" get RDEPENDS:packagegroup-zpoolx) $(bb "$pg" get RRECOMMENDS:packagegroup-zpoolx); do
	[[ "$provided" == *" $p "* ]] || bad="$bad $p"
done
tap $( [ -z "$bad" ]; echo $?) "packagegroup-zpoolx depends on packages of the layer only${bad:+ (unknown:$bad)}"

# unpack RECIPE: the sources in ${WORKDIR}/git, as the git fetcher would
# unpack a checkout of this tree
unpack() {
	local w
	w=$(bb "$1" get WORKDIR)
	mkdir -p "$w/git"
	rsync -a --exclude=/.git --exclude=/build/ --filter=':- .gitignore' "$TOP/" "$w/git/"
}

# replay RECIPE FUNCTION [ENV...]: run the recipe's shell function as
# bitbake would (in ${B}, oe_runmake = make ${EXTRA_OEMAKE}, exports)
replay() {
	local r=$1 fn=$2 s
	shift 2
	s=$WORK/run-$(basename "$r" .bb)-$fn.sh
	{
		echo 'set -e'
		bb "$r" exports
		printf 'oe_runmake() { make %s "$@"; }\n' "$(bb "$r" get EXTRA_OEMAKE)"
		echo "mkdir -p '$(bb "$r" get B)' && cd '$(bb "$r" get B)'"
		bb "$r" func "$fn"
	} >"$s" || return 1
	env "$@" bash "$s"
}

# files_of RECIPE PKG...: the FILES of those packages, one a line, sorted
files_of() {
	local r=$1 p
	shift
	for p; do bb "$r" get "FILES:$p" | tr -s ' \t' '\n\n' | grep .; done | sort
}

# installed D: the files under D, as /paths, sorted
installed() { (cd "$1" && find . -type f -o -type l) | sed 's|^\.||' | sort; }

# ---- zpoolx-module: module.bbclass's make calls ----
r=$REC/zpoolx-module_git.bb
D=$(bb "$r" get D)
unpack "$r"
t0=$(date +%s)
replay "$r" module_do_compile >"$WORK/mod-compile.log" 2>&1
rc=$?
tap $rc "zpoolx-module do_compile (make KERNEL_SRC=... O=... against $KVER) $(( $(date +%s) - t0 ))s"
[ $rc = 0 ] || tail -n 15 "$WORK/mod-compile.log" | diag
replay "$r" module_do_install >"$WORK/mod-install.log" 2>&1
rc=$?
tap $rc "zpoolx-module do_install (modules_install with MODLIB, DEPMOD=echo)"
[ $rc = 0 ] || tail -n 15 "$WORK/mod-install.log" | diag
ko=$D/lib/modules/$KVER/extra/zpoolx.ko
want=$(printf '%s\n' "/lib/modules/$KVER/extra/zpoolx.ko" "/usr/include/zpoolx-module/Module.symvers" | sort)
got=$(installed "$D")
tap $( [ "$got" = "$want" ]; echo $?) \
	"\${D} holds the module where kernel-module-split takes it (kernel-module-zpoolx) and Module.symvers for -dev, nothing else$( [ "$got" = "$want" ] || echo ": $got" | tr '\n' ' ')"
vm=$(modinfo -F vermagic "$ko" 2>/dev/null)
mach=$(readelf -h "$ko" 2>/dev/null | sed -n 's/^ *Machine: *//p')
tap $( [[ "$vm" == "$KVER "* ]] && [ "$mach" = "$MACHINE_NAME" ]; echo $?) "zpoolx.ko: vermagic '$vm', machine $mach"
echo "# vermagic: $vm"
sym=$D/usr/include/zpoolx-module/Module.symvers
tap $( [ -f "$sym" ] && ! grep -q "$(bb "$r" get B)/" "$sym"; echo $?) "Module.symvers installed without the build path"

# ---- zpoolx-tools: do_compile, do_install ----
# twice: on a systemd distro with the default PACKAGECONFIG (systemd http),
# and on a distro without systemd with PACKAGECONFIG = "" (zpoold's minimal
# profile)
r=$REC/zpoolx-tools_git.bb
pn=zpoolx-tools
# what Yocto exports to a target recipe's tasks (TARGET_CFLAGS with the
# security flags, TARGET_LDFLAGS), the compiler and the target's pkg-config
yenv=(CC="${HOST_PREFIX}gcc" AR="${HOST_PREFIX}ar" PKG_CONFIG="$PKGCONF"
	CFLAGS="-O2 -pipe -g -feliminate-unused-debug-types -fstack-protector-strong -D_FORTIFY_SOURCE=2 -Wformat -Wformat-security -Werror=format-security"
	LDFLAGS="-Wl,-O1 -Wl,--hash-style=gnu -Wl,--as-needed -fstack-protector-strong -Wl,-z,relro,-z,now")
for build in systemd minimal; do
	if [ $build = systemd ]; then
		CONF=() WD=
	else
		CONF=(--set DISTRO_FEATURES= --set PACKAGECONFIG=) WD=-minimal
	fi
	pc=$(bb "$r" get PACKAGECONFIG)
	D=$(bb "$r" get D)
	unpack "$r"
	t0=$(date +%s)
	replay "$r" do_compile "${yenv[@]}" >"$WORK/tools-compile$WD.log" 2>&1
	rc=$?
	tap $rc "[$build] zpoolx-tools do_compile (make userspace $(bb "$r" get PACKAGECONFIG_CONFARGS), BPF from $(basename "$KIMAGE")) $(( $(date +%s) - t0 ))s"
	[ $rc = 0 ] || grep -E 'error|Error' "$WORK/tools-compile$WD.log" | head -n 15 | diag
	replay "$r" do_install "${yenv[@]}" >"$WORK/tools-install$WD.log" 2>&1
	rc=$?
	tap $rc "[$build] zpoolx-tools do_install (DESTDIR=\${D})"
	[ $rc = 0 ] || tail -n 15 "$WORK/tools-install$WD.log" | diag
	# FILES, and the units of SYSTEMD_SERVICE, which systemd.bbclass adds
	# to the package on a systemd distro
	unitdir=$(bb "$r" get systemd_system_unitdir)
	sbindir=$(bb "$r" get sbindir)
	svc=$(bb "$r" get "SYSTEMD_SERVICE:$pn")
	listed=$(files_of "$r" $pn $pn-doc $pn-bash-completion)
	expect=$listed
	[[ " $(bb "$r" get DISTRO_FEATURES) " == *" systemd "* ]] &&
		expect=$( { echo "$listed"; for u in $svc; do echo "$unitdir/$u"; done; } | sort)
	got=$(installed "$D")
	extra=$(comm -13 <(echo "$expect") <(echo "$got") | tr '\n' ' ')
	absent=$(comm -23 <(echo "$expect") <(echo "$got") | tr '\n' ' ')
	dup=$(echo "$listed" | uniq -d | tr '\n' ' ')
	tap $( [ -z "$extra$absent$dup" ] && [ -n "$got" ]; echo $?) \
		"[$build] \${D} holds exactly the files of FILES:$pn, -doc and -bash-completion$( [ $build = systemd ] && echo " and SYSTEMD_SERVICE's unit") ($(echo "$got" | grep -c .) files)${extra:+; not in FILES: $extra}${absent:+; listed, not installed: $absent}${dup:+; in two packages: $dup}"
	bad=
	for p in $sbindir/zpoolctl $sbindir/zpoold; do
		m=$(readelf -h "$D$p" 2>/dev/null | sed -n 's/^ *Machine: *//p')
		[ "$m" = "$MACHINE_NAME" ] || bad="$bad $p:${m:-not ELF}"
	done
	tap $( [ -z "$bad" ]; echo $?) "[$build] zpoolctl and zpoold are $MACHINE_NAME programs${bad:+ (not:$bad)}"
	needed=$(readelf -d "$D$sbindir/zpoold" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
	if [ $build = systemd ]; then
		relro=$(readelf -lW "$D$sbindir/zpoold" 2>/dev/null | grep -c GNU_RELRO)
		now=$(readelf -dW "$D$sbindir/zpoold" 2>/dev/null | grep -cE 'BIND_NOW|FLAGS.*NOW')
		tap $( [ "$relro" -ge 1 ] && [ "$now" -ge 1 ]; echo $?) "[$build] built with Yocto's LDFLAGS: RELRO and BIND_NOW"
		tap $( [ "$svc" = zpoold.service ] && [ -f "$D$unitdir/$svc" ] &&
			grep -q "^ExecStart=$sbindir/zpoold " "$D$unitdir/$svc" &&
			grep -q libsystemd <<<"$needed" && grep -q libmicrohttpd <<<"$needed"; echo $?) \
			"[$build] PACKAGECONFIG '$pc': zpoold links libsystemd and libmicrohttpd; SYSTEMD_SERVICE $svc installed in $unitdir, runs $sbindir/zpoold"
	else
		tap $( [ -n "$needed" ] && ! grep -qE 'libsystemd|libmicrohttpd' <<<"$needed" &&
			grep -q '"enabled": false' <(sed -n '/"metrics"/,/}/p' "$D/etc/zpoold/zpoold.json"); echo $?) \
			"[$build] PACKAGECONFIG '$pc': zpoold links neither libsystemd nor libmicrohttpd ($needed), its zpoold.json has metrics.enabled false"
	fi
	conf=$(bb "$r" get "CONFFILES:$pn")
	tap $( [ -f "$D$conf" ] && [[ "$listed" == *"$conf"* ]]; echo $?) "[$build] CONFFILES $conf is installed and packaged"
done

echo "1..$n"
[ "$failed" = 0 ]
