# SPDX-License-Identifier: GPL-2.0
# 65-zram.t - zram swap next to zswap: status shows it (text and the
# "zram" key of --json), doctor says what zswap does to it in each case
# (zram the only swap, zram before the disk, after it, zswap off), and
# malformed or missing zram files.  Sourced by run.sh.

P=sys/module/zswap/parameters
SWHEAD='Filename				Type		Size		Used		Priority'
DISK='/dev/vda                                partition	1048572		10240		-2'

# zram TREE N PRIO: /dev/zramN swapped on at PRIO, with its sysfs files
zram() {
	local t=$1 n=$2 prio=$3 d=$1/sys/block/zram$2
	printf '/dev/zram%s                              partition	1015804		204800		%s\n' "$n" "$prio" >>"$t/proc/swaps"
	w "$d/disksize" 1040187392
	w "$d/comp_algorithm" 'lzo lzo-rle [lz4] zstd'
	w "$d/mm_stat" ' 209715200 69905066 73400320        0 73400320     1234        0        5        5'
}
# swaps TREE [disk]: /proc/swaps with the disk swap or with nothing
swaps() {
	printf '%s\n' "$SWHEAD" >"$1/proc/swaps"
	[ "${2-}" = disk ] && printf '%s\n' "$DISK" >>"$1/proc/swaps"
	return 0
}
# finding TREE CHECK SEVERITY: doctor --json has it
finding() {
	run --root "$1" doctor --json
	jq -e --arg c "$2" --arg s "$3" 'any(.findings[]; .check == $c and .severity == $s)' <<<"$OUT" >/dev/null
}
zchecks() { jq -r '[.findings[] | select(.check | startswith("zram")) | .check] | join(" ")' <<<"$OUT"; }

# ---- zram used before the disk swap (a priority set, as zram-generator does) ----
T=$(newtree)
zram "$T" 0 100
BEFORE=$(snapshot "$T")
run --root "$T" status
expect 0 && [ -z "$ERR" ] &&
	grep -qE '^/dev/zram0 +partition +992M +200M +100$' <<<"$OUT" &&
	grep -qx 'zram:     /dev/zram0 is swap, priority 100, disksize 992M, algorithm lz4, 200M stored in 66.7M (ratio 3.00), memory used 70M' <<<"$OUT" &&
	grep -qx 'zram:     zswap is enabled in front of zram, which is used before the disk swap: zswap writes back to zram, not to disk; see zpoolctl doctor' <<<"$OUT"
tap $? "status: the zram swap device (priority, disksize, algorithm, data, memory) and zswap in front of it"

run --root "$T" --json
expect 0 && jq -e '.zram == [{"name": "/dev/zram0", "priority": 100, "used_first": true,
	"swap_size_bytes": 1040183296, "swap_used_bytes": 209715200, "disksize_bytes": 1040187392,
	"comp_algorithm": "lz4", "orig_data_bytes": 209715200, "compr_data_bytes": 69905066,
	"mem_used_bytes": 73400320, "same_pages": 1234,
	"compression_ratio": (209715200 / 69905066)}] and (.swap | length) == 2' <<<"$OUT" >/dev/null
tap $? "status --json: a zram key with each zram swap device"

run --root "$T" doctor
expect 0 '^healthy: ' && grep -qx 'warning  zram swap /dev/zram0 (priority 100) is used before the disk swap (its highest priority is -2) and zswap is enabled: zswap sits in front of every swap device, zram included, so the pages it writes back go to zram, not to disk: decompressed and compressed again, they stay in RAM, and the disk swap is used only once zram is full' <<<"$OUT" &&
	grep -qx '         fix: let zswap write back to disk: swap on the disk at a higher priority than zram'"'"'s (swapoff it, then swapon -p 101 DEVICE; swapon -p takes 0..32767, the default priorities are negative), or swapoff zram; or keep zram first and turn zswap off (zpoolctl disable)' <<<"$OUT"
tap $? "doctor: zram before the disk swap is a warning (healthy, exit 0), the fix names a priority above zram's"

finding "$T" zram-before-disk warning && [ "$(zchecks)" = zram-before-disk ]
tap $? "doctor --json: zram-before-disk, a warning, and no other zram finding"
[ "$BEFORE" = "$(snapshot "$T")" ]
tap $? "status and doctor with zram read only: the tree is unchanged"

# an equal priority shares the slots round-robin: still before the disk
T=$(newtree)
swaps "$T"
printf '/dev/vda partition 1048572 0 5\n' >>"$T/proc/swaps"
zram "$T" 0 5
finding "$T" zram-before-disk warning && grep -q 'swapon -p 6 DEVICE' <<<"$(jq -r '.findings[] | select(.check == "zram-before-disk") | .fix' <<<"$OUT")"
tap $? "doctor: zram at the disk's priority (round-robin) counts as before the disk"

# ---- zram the only swap ----
T=$(newtree)
swaps "$T"
zram "$T" 0 100
run --root "$T" status
expect 0 && grep -qx 'zram:     zswap is enabled in front of zram, the only swap: pages are compressed by zswap and again by zram when zswap writes them back, and never leave RAM; see zpoolctl doctor' <<<"$OUT"
tap $? "status: zswap in front of zram, the only swap"
run --root "$T" doctor
expect 0 && grep -qx "warning  the only swap is zram (/dev/zram0 (priority 100)) and zswap is enabled: zswap sits in front of every swap device, zram included (Linux 6.1's swap_writepage() offers each page to zswap first), so pages are compressed into zswap's pool, and those it writes back (when its pool is full, or on zpoolctl writeback) are decompressed and compressed again by zram, into RAM: two compressed caches in RAM, compression work twice, and zswap's writeback frees little memory" <<<"$OUT" &&
	grep -qx '         fix: use one of the two: keep zram and turn zswap off (zpoolctl disable), or keep zswap and swap to a disk partition or swap file instead (swapoff /dev/zram0)' <<<"$OUT"
tap $? "doctor: zram the only swap with zswap on is a warning: double compression, which to keep"
finding "$T" zram-only warning && [ "$(zchecks)" = zram-only ] && jq -e '.healthy == true' <<<"$OUT" >/dev/null
tap $? "doctor --json: zram-only, a warning; zswap still stores, so healthy"

# two zram devices, no disk
zram "$T" 1 100
finding "$T" zram-only warning &&
	jq -e 'any(.findings[]; .message | contains("(/dev/zram0 (priority 100), /dev/zram1 (priority 100))"))' <<<"$OUT" >/dev/null
tap $? "doctor: every zram device is named"
run --root "$T" --json
expect 0 && jq -e '(.zram | map(.name)) == ["/dev/zram0", "/dev/zram1"] and all(.zram[]; .used_first)' <<<"$OUT" >/dev/null
tap $? "status --json: both zram devices"

# zswap off and zram the only swap: no double compression, and doctor does
# not simply say to enable zswap
w "$T/$P/enabled" N
run --root "$T" status
expect 0 && ! grep -q 'in front of zram' <<<"$OUT" && grep -q '^zram:     /dev/zram0 is swap' <<<"$OUT"
tap $? "status: zswap disabled, the zram devices shown, no line about zswap in front"
finding "$T" zram-zswap-off note && [ "$(zchecks)" = zram-zswap-off ] &&
	jq -e 'any(.findings[]; .check == "zswap-disabled" and .severity == "problem" and
		(.fix | startswith("zram is the only swap: give zswap a disk swap first")))' <<<"$OUT" >/dev/null &&
	jq -e '.findings[] | select(.check == "zram-zswap-off") | .fix == "keep zswap off while zram is the only swap"' <<<"$OUT" >/dev/null
tap $? "doctor: zswap off with zram alone: a note, and the fix for zswap-disabled is not just 'enable'"
run --root "$T" doctor
expect 1 && ! grep -q 'fix: zpoolctl enable$' <<<"$OUT" &&
	grep -q '^note     zram swap is active (/dev/zram0 (priority 100), /dev/zram1 (priority 100)) and zswap is disabled: zram alone compresses swapped pages' <<<"$OUT"
tap $? "doctor text: zswap disabled is still a problem (exit 1), with zram's note"

# ---- zram after the disk swap ----
T=$(newtree)
swaps "$T"
printf '/dev/vda partition 1048572 0 200\n' >>"$T/proc/swaps"
zram "$T" 0 100
run --root "$T" status
expect 0 && grep -q '^zram:     /dev/zram0 is swap, priority 100' <<<"$OUT" && ! grep -q 'in front of zram' <<<"$OUT"
tap $? "status: zram after the disk swap, no warning line"
finding "$T" zram-after-disk note && [ "$(zchecks)" = zram-after-disk ] &&
	jq -e '.findings[] | select(.check == "zram-after-disk") | .message | startswith("zram swap (/dev/zram0 (priority 100)) comes after the disk swap (priority 200): zswap writes back to disk")' <<<"$OUT" >/dev/null
tap $? "doctor: zram after the disk swap is a note, zswap writes back to disk"
run --root "$T" --json
expect 0 && jq -e '.zram[0].used_first == false' <<<"$OUT" >/dev/null
tap $? "status --json: used_first false when the disk comes first"

# zram after the disk, zswap off
w "$T/$P/enabled" N
finding "$T" zram-zswap-off note &&
	jq -e 'any(.findings[]; .check == "zswap-disabled" and .fix == "zpoolctl enable") and
		any(.findings[]; .check == "zram-zswap-off" and .fix == null)' <<<"$OUT" >/dev/null
tap $? "doctor: zswap off with the disk swap first: enabling zswap is the fix, the note has none"

# ---- no zram ----
T=$(newtree)
run --root "$T" status
expect 0 && ! grep -q '^zram:' <<<"$OUT"
tap $? "status without zram swap: no zram line"
run --root "$T" doctor --json
expect 0 && [ -z "$(zchecks)" ]
tap $? "doctor without zram swap: no zram finding"

# a zram device that is not swap, and names that only look like zram
T=$(newtree)
w "$T/sys/block/zram0/disksize" 1040187392
printf '/dev/zram                               partition	1000		0		100\n/dev/zramx                              partition	1000		0		100\n/dev/zram0p1                            partition	1000		0		100\n/swap/dev/zram0                         file		1000		0		100\n' >>"$T/proc/swaps"
run --root "$T" --json
expect 0 && jq -e '.zram == []' <<<"$OUT" >/dev/null
tap $? "only /dev/zramN entries of /proc/swaps are zram swap; a zram device not swapped on is not"

# ---- missing and malformed zram files ----
T=$(newtree)
zram "$T" 0 100
rm "$T/sys/block/zram0/mm_stat" "$T/sys/block/zram0/comp_algorithm" "$T/sys/block/zram0/disksize"
run --root "$T" status
expect 0 && [ -z "$ERR" ] &&
	grep -qx 'zram:     /dev/zram0 is swap, priority 100, disksize -, algorithm -, - stored in -, memory used -' <<<"$OUT"
tap $? "zram sysfs files missing: unknown ('-'), no warning"
run --root "$T" --json
expect 0 && jq -e '.zram[0] | .disksize_bytes == null and .comp_algorithm == null and
	.orig_data_bytes == null and .mem_used_bytes == null and .compression_ratio == null and
	.priority == 100' <<<"$OUT" >/dev/null
tap $? "zram sysfs files missing: null in JSON, never 0"

T=$(newtree)
zram "$T" 0 100
w "$T/sys/block/zram0/mm_stat" '12 abc'
w "$T/sys/block/zram0/comp_algorithm" 'lzo lz4'
w "$T/sys/block/zram0/disksize" 1G
run --root "$T" status
expect 0 && grep -q 'warning: .*/sys/block/zram0/mm_stat: unexpected content' <<<"$ERR" &&
	grep -q "warning: .*/sys/block/zram0/comp_algorithm: unexpected content 'lzo lz4' (expected the algorithms, the selected one in brackets)" <<<"$ERR" &&
	grep -q "warning: .*/sys/block/zram0/disksize: unexpected content '1G' (expected a number)" <<<"$ERR" &&
	grep -qx 'zram:     /dev/zram0 is swap, priority 100, disksize -, algorithm -, - stored in -, memory used -' <<<"$OUT"
tap $? "malformed zram files: a warning each, the values unknown"

w "$T/sys/block/zram0/mm_stat" '100 50 60'
w "$T/sys/block/zram0/comp_algorithm" '[zstd]'
run --root "$T" --json
expect 0 && jq -e '.zram[0] | .orig_data_bytes == 100 and .compr_data_bytes == 50 and
	.mem_used_bytes == 60 and .same_pages == null and .comp_algorithm == "zstd" and
	.compression_ratio == 2' <<<"$OUT" >/dev/null
tap $? "an older mm_stat with three fields: read, same_pages unknown"

w "$T/sys/block/zram0/comp_algorithm" "$(printf 'lzo [l\033z4]')"
run --root "$T" status
expect 0 && ! grep -q $'\033' <<<"$OUT" && grep -q 'algorithm l?z4,' <<<"$OUT"
tap $? "a control character in comp_algorithm is shown as '?'"

E=$(mktemp -d "$WORK/empty.XXXXXX")
run --root "$E" --json
expect 0 && jq -e '.zram == null' <<<"$OUT" >/dev/null
tap $? "/proc/swaps unreadable: zram null (unknown), not []"

# one zram before the disk, one after: the warning names the first only
T=$(newtree)
zram "$T" 0 100
printf '/dev/zram1 partition 1000 0 -5\n' >>"$T/proc/swaps"
finding "$T" zram-before-disk warning &&
	jq -e '.findings[] | select(.check == "zram-before-disk") | .message | startswith("zram swap /dev/zram0 (priority 100) is used before the disk swap")' <<<"$OUT" >/dev/null
tap $? "doctor: of two zram devices, the one before the disk is named"

# zswap off, zram before the disk: the note says on what terms to enable it
T=$(newtree)
zram "$T" 0 100
w "$T/$P/enabled" N
finding "$T" zram-zswap-off note &&
	jq -e '.findings[] | select(.check == "zram-zswap-off") | .fix | startswith("enable zswap only with the disk swap at a higher priority than zram")' <<<"$OUT" >/dev/null
tap $? "doctor: zswap off, zram before the disk: enable zswap only with the disk first"
