# SPDX-License-Identifier: GPL-2.0
# Bad input to every writable file of the module: each file under
# /sys/module/zpoolx/parameters and /sys/kernel/zpoolx gets a table of bad
# values (a bare newline, blanks, negative, 2^64, non-numeric, 64 KiB, an
# embedded NUL and an embedded newline).  Each must be refused with a clear
# errno (EINVAL, ERANGE, E2BIG), change nothing readable under either tree,
# and leave no kernel complaint (the harness judges the log).  A good value
# is then still taken.
#
# What cannot be tested, because the kernel does not pass it on:
#   - a write of zero bytes never reaches a sysfs store (sysfs_kf_write
#     returns 0 for it), so "empty" is the newline echo '' writes;
#   - a module parameter's set function gets a C string
#     (kernel/params.c), so the bytes after a NUL never reach it: "1\0junk"
#     written to a parameter is "1", as for every module's parameters.
#     The parameters' NUL case is therefore a NUL before any digit.
#
# vm-kernels: debian debug
# vm-mem: 256M
# vm-swap: 1G
# vm-timeout: 480
# vm-append-debug: debug_pagealloc=off slub_debug=-
. "$ZPOOLX_TOP/tests/vm/lib.sh"

# Pools to write to: a zbud pool kept alive by its entries after zswap moved
# on to a zsmalloc pool, which then gets entries of its own.
echo 50 >$ZSWAP_PARAMS/max_pool_percent
ok "swap on" swap_on
ok "zswap on zpoolx_zbud" zswap_setup zpoolx_zbud lz4
# (-n: the hogs fill and exit, no read-back: only the pools matter here,
# and reading back swapped pages takes minutes on the debug kernel)
memhog -n -r 1024 $(( $(mem_total_mib) + 24 )) >/dev/null
ok "zswap on zpoolx_zsmalloc" zswap_setup zpoolx_zsmalloc lz4
memhog -n -r 1024 $(( $(mem_total_mib) + 24 )) >/dev/null
diag "pools: $(for d in $(pool_dirs); do printf '%s=%s ' "${d##*/}" "$(cat "$d/type")"; done)"
cmp_ok "$(pool_dirs | wc -l)" -ge 2 "a zbud and a zsmalloc pool to write to"

# The sweep itself: TAP lines, one per file and value, then the good values
python3 - >"$TMPDIR/sweep.tap" <<'EOF'
import errno, glob, os

ROOTS = ["/sys/module/zpoolx/parameters", "/sys/kernel/zpoolx"]
CLEAR = {errno.EINVAL: "EINVAL", errno.ERANGE: "ERANGE", errno.E2BIG: "E2BIG"}

def files(want_write):
    out = []
    for root in ROOTS:
        for dirpath, _, names in os.walk(root):
            for n in sorted(names):
                p = os.path.join(dirpath, n)
                if os.stat(p).st_mode & (0o222 if want_write else 0o444):
                    out.append(p)
    return sorted(out)

# Everything readable, and the part of it outside the zsmalloc pools'
# classes/ (a few thousand files, too slow to read after every write
# under TCG): the light state is compared after every write, the full one
# before and after each file's table
FULL = files(False)
LIGHT = [p for p in FULL if "/classes/" not in p]

def state(paths):
    s = {}
    for p in paths:
        try:
            with open(p, "rb") as f:
                s[p] = f.read()
        except OSError as e:
            s[p] = "error %d" % e.errno
    return s

# The migration counters of a movable pool count the kernel's own work:
# kcompactd and proactive compaction migrate zsmalloc pages whenever they
# like, so these may move between any two reads (seen on the debug kernel:
# pages_isolated and pages_migrated of the zsmalloc pool grew while pool 1's
# writeback was being sent bad values).  No write here can move them.
BACKGROUND = {"pages_isolated", "pages_migrated", "pages_putback"}

def diff(a, b):
    return [k.replace("/sys/", "", 1) for k in a
            if b.get(k) != a[k] and os.path.basename(k) not in BACKGROUND]

def write(p, data):
    fd = os.open(p, os.O_WRONLY)
    try:
        os.write(fd, data)
        return 0
    except OSError as e:
        return e.errno
    finally:
        os.close(fd)

BAD = [
    ("a bare newline", b"\n"),
    ("blanks", b"   \n"),
    ("a tab", b"\t\n"),
    ("a leading blank", b" 1\n"),
    ("a trailing blank", b"1 \n"),
    ("negative", b"-1\n"),
    ("2^64", b"18446744073709551616\n"),
    ("2^32", b"4294967296\n"),
    ("non-numeric", b"abc\n"),
    ("a number and a word", b"1abc\n"),
    ("64 KiB of digits", b"1" * 65536),
    ("an embedded newline", b"1\n2\n"),
    ("a NUL first", b"\x001\n"),
    ("an embedded NUL", b"1\x002\n"),
]
PARAMS = ROOTS[0]
n = 0
lines = []
for p in files(True):
    name = p.replace("/sys/", "", 1)
    full = state(FULL)
    for desc, data in BAD:
        if p.startswith(PARAMS) and desc == "an embedded NUL":
            continue  # never reaches the parameter (see the header)
        before = state(LIGHT)
        e = write(p, data)
        changed = diff(before, state(LIGHT))
        if e in CLEAR and not changed:
            lines.append("ok - %s: %s refused with %s, nothing changed" % (name, desc, CLEAR[e]))
        else:
            lines.append("not ok - %s: %s: %s; changed: %s" % (
                name, desc, "accepted" if e == 0 else "errno %s" % errno.errorcode.get(e, e),
                ", ".join(changed) or "nothing"))
    changed = diff(full, state(FULL))
    lines.append(("not ok - %s: its bad values changed %s" % (name, ", ".join(changed[:8])))
                 if changed else "ok - %s: after its table, nothing under either tree changed" % name)
GOOD = {"max_zspage_pages": b"16\n", "movable": b"Y\n", "writeback": b"1\n", "compact": b"1\n"}
for p in files(True):
    good = GOOD.get(os.path.basename(p))
    if good is None:
        lines.append("not ok - %s: the sweep has no good value for it: add one" % p)
        continue
    e = write(p, good)
    lines.append(("ok - %s: a good value (%r) is still taken" if e == 0 else
                  "not ok - %s: a good value (%r) refused") % (p.replace("/sys/", "", 1), good))
names = sorted({os.path.basename(p) for p in files(True)})
print("# writable files: %d (%s), bad values: %d" % (len(files(True)), " ".join(names), len(BAD)))
print("\n".join(lines))
EOF
sweep=$(grep -c '^ok\|^not ok' "$TMPDIR/sweep.tap")
cmp_ok "$sweep" -gt 20 "the sweep ran ($sweep writes)"
cat "$TMPDIR/sweep.tap"
_tap_failed=$((_tap_failed + $(grep -c '^not ok' "$TMPDIR/sweep.tap")))
plan $((5 + sweep))
done_testing
