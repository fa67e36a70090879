#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# packaging/android without an Android tree: Android.bp's source lists and
# flags are compiled on the host (gcc, glibc, -Werror) into the two
# programs it describes and those are run; the init .rc, ueventd lines,
# sepolicy, Kleaf BUILD.bazel and kernel fragment are checked against the
# code and against each other:
#
#   - Android.bp: every source exists, the lists are the Makefiles' (zpoold
#     in the minimal profile: no http.c), the version define is
#     scripts/version's, zpoold installs init.zpoold.rc, vendor: true;
#   - the programs built from it: zpoold says it has neither systemd nor
#     HTTP and accepts packaging/android/zpoold.json, zpoolctl bpf says why
#     there are no BPF statistics;
#   - init.zpoold.rc: the service's options are zpoold's, it runs as a
#     non-root user with a seclabel of zpoold.te; every file zpoold's
#     executor writes is given to that user's group at boot (zswap's
#     parameters, pool 1's files) and by ueventd.zpoolx.rc (later pools);
#   - sepolicy: init_daemon_domain, the types file_contexts and
#     genfs_contexts use are declared, genfs covers zswap's parameters and
#     /sys/kernel/zpoolx;
#   - zpoolx_defconfig has the options of the Yocto layer's zpoolx.cfg;
#     BUILD.bazel is a kernel_module with the module's files.
#
# Prints TAP; exits non-zero if a test fails.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
A=$TOP/packaging/android
# shellcheck source=../tap.sh
. "$TOP/tests/host/tap.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/zpoolx-android.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Android.bp as JSON: {"modules": [{"type": ..., "name": ..., ...}, ...]}
python3 - "$A/Android.bp" >"$WORK/bp.json" <<'PY' || { echo "Bail out! cannot read Android.bp"; exit 1; }
import json, re, sys
# Blueprint: MODULE_TYPE { name: value, ... } with strings, booleans,
# integers, lists and maps as values, // and /* */ comments
tok = re.compile(r'\s+|//[^\n]*|/\*.*?\*/|("(?:\\.|[^"\\])*")|([{}\[\]:,])|([A-Za-z_][A-Za-z0-9_]*)|(-?[0-9]+)', re.S)
text = open(sys.argv[1]).read()
toks, pos = [], 0
while pos < len(text):
    m = tok.match(text, pos)
    if not m:
        sys.exit('Android.bp: cannot read at offset %d' % pos)
    pos = m.end()
    if m.group(1):
        toks.append(('s', json.loads(m.group(1))))
    elif m.group(2):
        toks.append(('p', m.group(2)))
    elif m.group(3):
        toks.append(('i', m.group(3)))
    elif m.group(4):
        toks.append(('n', int(m.group(4))))
i = 0
def take(kind=None, val=None):
    global i
    t = toks[i]
    if (kind and t[0] != kind) or (val and t[1] != val):
        sys.exit('Android.bp: expected %s %s, got %r' % (kind, val, t))
    i += 1
    return t[1]
def value():
    k, v = toks[i]
    if k == 's' or k == 'n':
        take()
        return v
    if k == 'i' and v in ('true', 'false'):
        take()
        return v == 'true'
    if v == '[':
        take('p', '[')
        out = []
        while toks[i][1] != ']':
            out.append(value())
            if toks[i][1] == ',':
                take()
        take('p', ']')
        return out
    if v == '{':
        return mapping()
    sys.exit('Android.bp: unexpected %r' % (toks[i],))
def mapping():
    take('p', '{')
    out = {}
    while toks[i][1] != '}':
        key = take('i')
        take('p', ':')
        out[key] = value()
        if toks[i][1] == ',':
            take()
    take('p', '}')
    return out
data = []
while i < len(toks):
    t = take('i')
    m = mapping()
    m['__type__'] = t
    data.append(m)
defaults = {d['name']: d for d in data if d['__type__'] == 'cc_defaults'}
for d in data:
    for name in d.get('defaults', []):
        for k, v in defaults[name].items():
            if k in ('name', '__type__'):
                continue
            if isinstance(v, list):
                d[k] = v + d.get(k, [])
            else:
                d.setdefault(k, v)
print(json.dumps({m['name']: m for m in data}))
PY
bp() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); v=d
for k in sys.argv[2:]: v=v.get(k, "") if isinstance(v, dict) else ""
print("\n".join(v) if isinstance(v, list) else ("true" if v is True else v))' "$WORK/bp.json" "$@"; }

ver=$("$TOP/scripts/version")
missing=
for m in libzpoolx zpoolctl zpoold; do
	for s in $(bp $m srcs); do [ -f "$TOP/$s" ] || missing="$missing $m:$s"; done
done
tap $( [ -z "$missing" ]; echo $?) "Android.bp: every source exists (relative to the top of the tree)${missing:+:$missing}"
mk_srcs() { # DIR: the SRCS of DIR/Makefile (first assignment and +=)
	sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$TOP/$1/Makefile" | sed -n 's/^SRCS *[:+]\?= *//p' |
		tr ' \t' '\n\n' | grep -v '^$' | sed "s|^|$1/|" | sort
}
same() { diff <(sort <<<"$1") <(sort <<<"$2") >/dev/null; }
want=$(mk_srcs daemon | grep -v '/http\.c$')
tap $(same "$(bp zpoold srcs)" "$want"; echo $?) "zpoold's srcs are daemon/Makefile's without http.c (WITH_HTTP=0)"
tap $(same "$(bp zpoolctl srcs | grep -v '^packaging/')" "$(mk_srcs zpoolctl)"; echo $?) "zpoolctl's srcs are zpoolctl/Makefile's (and the no-BPF stub)"
tap $(same "$(bp libzpoolx srcs)" "$(mk_srcs lib)"; echo $?) "libzpoolx's srcs are lib/Makefile's"
cflags=$(bp zpoold cflags)
# the genrule that makes zpoolx_version.h from the changelog, run as Soong
# would ($(in), $(out))
mkdir -p "$WORK/gen"
gcmd=$(bp zpoolx_version_h cmd)
gcmd=${gcmd//\$(in)/$TOP/$(bp zpoolx_version_h srcs)}
gcmd=${gcmd//\$(out)/$WORK/gen/$(bp zpoolx_version_h out)}
bash -c "$gcmd" 2>"$WORK/gen.err"
got=$(cat "$WORK/gen/zpoolx_version.h" 2>/dev/null)
tap $( [ "$got" = "#define ZPOOLX_VERSION \"$ver\"" ] && grep -qxF -- '-include zpoolx_version.h' <<<"$cflags" &&
	[ "$(bp zpoold generated_headers)" = zpoolx_version_h ] && ! grep -q ZPOOLX_VERSION= <<<"$cflags"; echo $?) \
	"genrule zpoolx_version_h makes '$got' from the changelog (scripts/version: $ver); no version literal in Android.bp"
tap $( ! grep -qE 'HAVE_(SYSTEMD|HTTP|BPF)' <<<"$cflags" && [ "$(bp zpoold vendor)" = true ] && [ "$(bp zpoolctl vendor)" = true ]; echo $?) \
	"vendor: true, and neither HAVE_SYSTEMD, HAVE_HTTP nor HAVE_BPF (the minimal profile)"
rc=$(bp zpoold init_rc)
tap $( [ "$rc" = packaging/android/init.zpoold.rc ] && [ -f "$TOP/$rc" ]; echo $?) "zpoold installs init_rc $rc"
tap $( [ "$(bp zpoold.json src)" = packaging/android/zpoold.json ] && [ "$(bp zpoold.json sub_dir)" = zpoold ]; echo $?) \
	"prebuilt_etc zpoold.json goes to /vendor/etc/zpoold/zpoold.json"

# build what Android.bp says, with the host's compiler
std=$(bp zpoold c_std)
incs="$(bp zpoold local_include_dirs | sed "s|^|-I$TOP/|") -I$WORK/gen"
build() { # NAME LIBS...
	local name=$1
	shift
	# shellcheck disable=SC2046,SC2086
	gcc -std="$std" -O2 $(bp "$name" cflags | tr '\n' ' ' | sed 's/"/\\"/g' | xargs -n1 printf '%s\n' | tr '\n' ' ') \
		$incs $(bp libzpoolx srcs | sed "s|^|$TOP/|") $(bp "$name" srcs | sed "s|^|$TOP/|") \
		-o "$WORK/$name" $(pkg-config --cflags --libs "$@") >"$WORK/$name.log" 2>&1
}
build zpoold json-c
rc=$?
tap $rc "zpoold builds from Android.bp's sources and flags (-Werror)"
[ $rc = 0 ] || head -n 20 "$WORK/zpoold.log" | diag
build zpoolctl json-c liblz4 libzstd
rc=$?
tap $rc "zpoolctl builds from Android.bp's sources and flags, with zpx_bpf_none.c for libbpf"
[ $rc = 0 ] || head -n 20 "$WORK/zpoolctl.log" | diag
needed=$(readelf -d "$WORK/zpoold" "$WORK/zpoolctl" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u | tr '\n' ' ')
tap $( [ -n "$needed" ] && ! grep -qE 'libsystemd|libmicrohttpd|libbpf' <<<"$needed"; echo $?) \
	"neither links libsystemd, libmicrohttpd nor libbpf ($needed)"
out=$("$WORK/zpoold" --help 2>&1)
tap $(grep -q 'Built without systemd, without the HTTP endpoint' <<<"$out"; echo $?) "zpoold --help: built without systemd and HTTP"
out=$("$WORK/zpoold" --check-config --config "$A/zpoold.json" 2>&1)
tap $? "zpoold accepts packaging/android/zpoold.json: $out"
out=$("$WORK/zpoolctl" bpf --interval 1 2>&1)
rc=$?
tap $( [ $rc != 0 ] && grep -q 'this build has no BPF statistics' <<<"$out"; echo $?) "zpoolctl bpf: exit $rc, '$out'"
out=$("$WORK/zpoolctl" --version 2>&1)
tap $(grep -q "$ver" <<<"$out"; echo $?) "zpoolctl --version: $out"

# init.zpoold.rc
rcf=$A/init.zpoold.rc
svc=$(sed -n 's/^service zpoold //p' "$rcf")
opts=$(awk '/^service zpoold /{s=1;next} /^[^ ]/{s=0} s{print $1}' "$rcf" | sort | tr '\n' ' ')
user=$(awk '/^service zpoold /{s=1;next} /^[^ ]/{s=0} s && $1=="user"{print $2}' "$rcf")
group=$(awk '/^service zpoold /{s=1;next} /^[^ ]/{s=0} s && $1=="group"{print $2}' "$rcf")
label=$(awk '/^service zpoold /{s=1;next} /^[^ ]/{s=0} s && $1=="seclabel"{print $2}' "$rcf")
tap $( [ "$opts" = "class group seclabel user " ] && [ -n "$user" ] && [ "$user" != root ]; echo $?) \
	"service zpoold: class, user $user (not root), group $group, seclabel $label"
bad=
for o in $(tr ' ' '\n' <<<"$svc" | grep '^--'); do
	grep -q -- "$o" <<<"$("$WORK/zpoold" --help)" || bad="$bad $o"
done
tap $( [[ "$svc" == /vendor/bin/zpoold\ * ]] && [[ "$svc" == *--foreground* ]] && [[ "$svc" == *"--log kmsg"* ]] && [ -z "$bad" ]; echo $?) \
	"it runs /vendor/bin/zpoold in the foreground, logging to the kernel log, with options zpoold has${bad:+ (unknown:$bad)}"
# the files the executor writes (zpoold.c), and who may write them
written=$(grep -oE '(ZSWAP_PARAMS|ZPOOLX_SYS) "/[a-z_%/]+"' "$TOP/daemon/zpoold.c" |
	sed -e 's|ZSWAP_PARAMS "|/sys/module/zswap/parameters|' -e 's|ZPOOLX_SYS "|/sys/kernel/zpoolx|' -e 's|"$||' | sort -u)
boot=$(awk '/^on boot/{s=1;next} /^[^ ]/{s=0} s' "$rcf")
bad=
for f in $written; do
	f1=${f//%lu/1}
	grep -qE "^ *chown root $group $f1\$" <<<"$boot" && grep -qE "^ *chmod 06[67]4 $f1\$" <<<"$boot" || bad="$bad $f1"
	if [[ $f == *%lu* ]]; then
		grep -qE "^/sys/kernel/zpoolx/pools/\* +$(basename "$f") +06[67]4 +root +$group\$" "$A/ueventd.zpoolx.rc" || bad="$bad ueventd:$(basename "$f")"
	fi
done
tap $( [ -z "$bad" ]; echo $?) \
	"every file zpoold writes ($(echo $written | wc -w)) is given to group $group on boot (pool 1) and by ueventd (later pools)${bad:+; not:$bad}"
eb=$(awk '/^on early-boot/{s=1;next} /^[^ ]/{s=0} s' "$rcf")
tap $( grep -qE '^ *exec u:r:vendor_modprobe:s0 -- /vendor/bin/modprobe .*-d /vendor_dlkm/lib/modules zpoolx$' <<<"$eb" &&
	grep -qE '^ *write /sys/module/zswap/parameters/zpool zpoolx_(zsmalloc|zbud)$' <<<"$eb" &&
	[ "$(grep -n 'modprobe' <<<"$eb" | cut -d: -f1)" -lt "$(grep -n 'parameters/zpool' <<<"$eb" | cut -d: -f1)" ]; echo $?) \
	"on early-boot: zpoolx loaded from vendor_dlkm, then zswap's zpool set to it"

# sepolicy
te=$A/sepolicy/zpoold.te
dom=${label#u:r:}
dom=${dom%:s0}
tap $( [ "$dom" = zpoold ] && grep -q "^type $dom, domain;" "$te" && grep -q "^init_daemon_domain($dom)" "$te"; echo $?) \
	"zpoold.te: type zpoold, init_daemon_domain(zpoold), the .rc's seclabel $label"
bad=
for t in $(grep -ohE 'u:object_r:[a-z_]+:s0' "$A/sepolicy/file_contexts" "$A/sepolicy/genfs_contexts" | sed 's/u:object_r:\(.*\):s0/\1/' | sort -u); do
	grep -qE "^type $t," "$te" || bad="$bad $t"
done
tap $( [ -z "$bad" ]; echo $?) "every type of file_contexts and genfs_contexts is declared in zpoold.te${bad:+ (not:$bad)}"
tap $( grep -qE '^/vendor/bin/zpoold +u:object_r:zpoold_exec:s0$' "$A/sepolicy/file_contexts" &&
	grep -qE '^genfscon sysfs /module/zswap/parameters +u:object_r:' "$A/sepolicy/genfs_contexts" &&
	grep -qE '^genfscon sysfs /kernel/zpoolx +u:object_r:' "$A/sepolicy/genfs_contexts"; echo $?) \
	"file_contexts labels /vendor/bin/zpoold; genfs_contexts /sys/module/zswap/parameters and /sys/kernel/zpoolx"
mf=$(grep -o -- '--metrics-file [^ ]*' <<<"$svc" | cut -d' ' -f2)
tap $( grep -qE "^mkdir $(dirname "$mf") 07[0-7]0 $user $group\$" <<<"$(awk '/^on post-fs-data/{s=1;next} /^[^ ]/{s=0} s{sub(/^ +/,""); print}' "$rcf")" &&
	grep -qF "$(dirname "$mf")(/.*)?" "$A/sepolicy/file_contexts"; echo $?) \
	"the metrics file's directory $(dirname "$mf") is made for $user and labelled"

# the kernel side
frag=$(grep '^CONFIG_' "$A/zpoolx_defconfig" | sort)
yfrag=$(grep '^CONFIG_' "$TOP/packaging/yocto/meta-zpoolx/recipes-kernel/linux/files/zpoolx.cfg" | sort)
tap $( [ -n "$frag" ] && [ "$frag" = "$yfrag" ]; echo $?) "zpoolx_defconfig has the options of the Yocto layer's zpoolx.cfg ($(wc -l <<<"$frag"))"
tap $( grep -q 'load("//build/kernel/kleaf:kernel.bzl", "kernel_module")' "$A/BUILD.bazel" &&
	grep -qE '^kernel_module\($' "$A/BUILD.bazel" && grep -qF 'outs = ["zpoolx.ko"]' "$A/BUILD.bazel" &&
	[ -f "$TOP/module/Kbuild" ] && [ -f "$TOP/module/Makefile" ] &&
	grep -q '^modules_install:' "$TOP/module/Makefile" && grep -q 'KERNEL_SRC' "$TOP/module/Makefile"; echo $?) \
	"BUILD.bazel: kernel_module zpoolx.ko; module/ has the Kbuild and a Makefile with KERNEL_SRC and modules_install"

echo "1..$n"
[ "$failed" = 0 ]
