# SPDX-License-Identifier: GPL-2.0
# 70-advise.t - advise: sampling a file and a process (fake /proc/PID/maps
# and a sparse /proc/PID/mem), same-filled and incompressible pages, the
# zbud and zsmalloc packing, the recommendation, refusals.  Sourced by run.sh.

A=$WORK/advise
mkdir -p "$A"
# a page of decimal numbers: lz4 barely compresses it, zstd does
python3 -c 'import sys; sys.stdout.buffer.write("".join("%d\n" % i for i in range(1, 2000)).encode()[:4096])' >"$A/num.page" 2>/dev/null ||
	seq 1 2000 | head -c 4096 >"$A/num.page"
# a page of text both compress well
yes 'zpoolx keeps swapped pages compressed in RAM; zswap picks the pool.' | head -c 4096 >"$A/text.page"
for i in $(seq 64); do cat "$A/num.page"; done >"$A/num.bin"
for i in $(seq 64); do cat "$A/text.page"; done >"$A/text.bin"
head -c $((64 * 4096)) /dev/zero >"$A/zero.bin"
head -c $((64 * 4096)) /dev/urandom >"$A/random.bin"
T=$(newtree)

# expected pool bytes for N objects of compressed size S, as documented
# in zpoolctl(8): zswap header 8, zbud 64-byte chunks, 63 per page, two
# buddies; zsmalloc handle 8, classes of 16, chains up to MAXP pages
expect_pool() { # expect_pool BACKEND S N MAXP
	awk -v be="$1" -v s="$2" -v n="$3" -v maxp="$4" 'BEGIN {
		obj = s + 8
		if (be == "zbud") {
			if (obj > 4032) { print 0; exit }
			c = int((obj + 63) / 64)
			print (2 * c <= 63 ? int((n + 1) / 2) : n) * 4096; exit
		}
		if (obj > 4096) { print 0; exit }
		size = obj + 8
		idx = size <= 32 ? 0 : int((size - 32 + 15) / 16)
		cls = 32 + 16 * idx; if (cls > 4096) cls = 4096
		best = 1; bu = 0
		for (k = 1; k <= maxp; k++) {
			z = k * 4096; u = int((z - z % cls) * 100 / z)
			if (u > bu) { bu = u; best = k }
		}
		opz = int(best * 4096 / cls)
		printf "%d\n", n / opz * best * 4096 + 0.5
	}'
}

run --root "$T" advise --file "$A/text.bin" --json
ok=1
if expect 0; then
	ok=0
	for c in lz4 zstd; do
		s=$(jq -r ".compressors.$c.average_bytes" <<<"$OUT")
		for b in zbud zsmalloc; do
			want=$(expect_pool $b "$s" 64 4)
			got=$(jq -r ".simulations[] | select(.backend == \"$b\" and .compressor == \"$c\") | .pool_bytes" <<<"$OUT")
			[ "$got" = "$want" ] || { ok=1; echo "# $b/$c: pool_bytes $got, expected $want (S=$s)"; }
		done
	done
	jq -e '.sampled == 64 and .same_filled == 0 and .unreadable == 0 and .source.kind == "file" and
		.source.pages == 64 and .zsmalloc_max_zspage_pages == 4 and
		all(.simulations[]; .stored_pages == 64 and .rejected == 0)' <<<"$OUT" >/dev/null || ok=1
fi
tap $ok "advise --file: zbud and zsmalloc packing of compressible pages as documented"

run --root "$T" advise --file "$A/num.bin" --json
ok=1
if expect 0; then
	ok=0
	for c in lz4 zstd; do
		s=$(jq -r ".compressors.$c.average_bytes" <<<"$OUT")
		for b in zbud zsmalloc; do
			want=$(expect_pool $b "$s" 64 16)
			got=$(jq -r ".simulations[] | select(.backend == \"$b\" and .compressor == \"$c\") | .pool_bytes" <<<"$OUT")
			[ "$got" = "$want" ] || { ok=1; echo "# $b/$c: pool_bytes $got, expected $want (S=$s)"; }
		done
	done
	# objects over 4032 bytes do not fit zbud: rejected, and counted at 4096
	s=$(jq -r '.compressors.lz4.average_bytes' <<<"$OUT")
	if [ "$((s + 8 > 4032))" = 1 ]; then
		jq -e '.simulations[] | select(.backend == "zbud" and .compressor == "lz4") |
			.rejected == 64 and .stored_pages == 0 and .cost_per_page == 4096' <<<"$OUT" >/dev/null || ok=1
	fi
fi
w "$T/sys/module/zpoolx/parameters/max_zspage_pages" 16
run --root "$T" advise --file "$A/num.bin" --json
expect 0 && jq -e '.zsmalloc_max_zspage_pages == 16' <<<"$OUT" >/dev/null || ok=1
tap $ok "advise: zpoolx's max_zspage_pages (16) is used for zsmalloc; poorly compressed pages rejected by zbud"

w "$T/sys/module/zpoolx/parameters/max_zspage_pages" 99
run --root "$T" advise --file "$A/text.bin" --json
expect 0 && jq -e '.zsmalloc_max_zspage_pages == 4' <<<"$OUT" >/dev/null &&
	grep -q 'max_zspage_pages: expected 1..16; simulating zsmalloc with 4' <<<"$ERR"
tap $? "advise: an out-of-range max_zspage_pages is a warning, 4 is used"
w "$T/sys/module/zpoolx/parameters/max_zspage_pages" 4

run --root "$T" advise --file "$A/zero.bin" --json
expect 0 && jq -e '.same_filled == 64 and all(.simulations[]; .stored_pages == 64 and .pool_bytes == 0) and
	.recommendation.compressor == "lz4" and .recommendation.bytes_per_stored_page == 0' <<<"$OUT" >/dev/null
tap $? "advise: zero pages are same-filled, stored without pool memory; ties go to lz4"

for i in $(seq 64); do printf 'ABCDEFGH%.0s' $(seq 512); done >"$A/word.bin"
run --root "$T" advise --file "$A/word.bin" --json
expect 0 && jq -e '.same_filled == 64' <<<"$OUT" >/dev/null
tap $? "advise: a page of one repeated 8-byte word is same-filled"

run --root "$T" advise --file "$A/random.bin" --json
expect 0 && jq -e '.compressors.lz4.incompressible == 64 and .compressors.zstd.incompressible == 64 and
	.compressors.lz4.average_bytes == null and
	all(.simulations[]; .rejected == 64 and .stored_pages == 0 and .cost_per_page == 4096) and
	.recommendation == null' <<<"$OUT" >/dev/null
tap $? "advise: random pages are rejected everywhere, no recommendation"

run --root "$T" advise --file "$A/random.bin"
expect 0 '^recommendation: none: no sampled page would be stored'
tap $? "advise text: says when nothing would be stored"

run --root "$T" advise --file "$A/text.bin"
expect 0 '^sampled 64 of 64 pages of file .*/text.bin$' &&
	grep -qE '^COMPRESSOR AVG_BYTES INCOMPRESSIBLE +MB/S$' <<<"$OUT" &&
	grep -qE '^BACKEND +COMPRESSOR +STORED REJECTED +POOL +BYTES/STORED_PAGE COST/PAGE$' <<<"$OUT" &&
	grep -qE '^recommendation: (zbud|zsmalloc) with (lz4|zstd), about [0-9]+ bytes per stored page$' <<<"$OUT" &&
	grep -qE '^  zpoolctl set-backend (zbud|zsmalloc) && zpoolctl set-compressor (lz4|zstd)$' <<<"$OUT" &&
	grep -q "zpoolx's max_zspage_pages" <<<"$OUT" && [ -z "$ERR" ]
tap $? "advise text: sample, compressors, simulations, recommendation with the commands"

# the recommendation is the cheapest pair; zstd only when 10% cheaper
run --root "$T" advise --file "$A/text.bin" --json
expect 0 && jq -e '
	def cost(b; c): .simulations[] | select(.backend == b and .compressor == c) | .cost_per_page;
	def best(c): ([cost("zbud"; c), cost("zsmalloc"; c)] | min);
	.recommendation as $r |
	(if best("zstd") < 0.9 * best("lz4") then "zstd" else "lz4" end) == $r.compressor and
	cost($r.backend; $r.compressor) == best($r.compressor)' <<<"$OUT" >/dev/null
tap $? "advise: the recommendation follows the documented rule"

# half zero, half random: --samples spreads the sample evenly
cat "$A/zero.bin" "$A/random.bin" >"$A/half.bin"
run --root "$T" advise --file "$A/half.bin" --samples 10 --json
expect 0 && jq -e '.sampled == 10 and .source.pages == 128 and .same_filled == 5 and
	.compressors.lz4.incompressible == 5' <<<"$OUT" >/dev/null
tap $? "advise --samples 10 spreads the sample over the whole file"

run --root "$T" advise --file "$A/text.bin" --samples 65536 --json
expect 0 && jq -e '.sampled == 64' <<<"$OUT" >/dev/null
tap $? "advise: more samples than pages samples every page once"

head -c $((3 * 4096 + 100)) "$A/text.bin" >"$A/odd.bin"
run --root "$T" advise --file "$A/odd.bin" --json
expect 0 && jq -e '.sampled == 3 and .source.pages == 3' <<<"$OUT" >/dev/null
tap $? "advise: a trailing partial page is not sampled"

head -c 4095 "$A/text.bin" >"$A/small.bin"
run --root "$T" advise --file "$A/small.bin"
expect_error 2 "advise: --file .*/small.bin is smaller than one page \\(4096 bytes\\)$"
tap $? "advise: a file smaller than a page: exit 2"
run --root "$T" advise --file "$A/missing.bin"
expect_error 2 "advise: cannot read --file .*/missing.bin: No such file or directory$"
tap $? "advise: a missing file: exit 2"
run --root "$T" advise --file "$A"
expect_error 2 "advise: --file .* is not a regular file or block device$"
tap $? "advise: a directory: exit 2"
run --root "$T" advise --file /dev/null
expect_error 2 "is not a regular file or block device$"
tap $? "advise: a character device: exit 2"
cp "$A/text.bin" "$A/secret.bin"
if can_drop; then
	chmod 0600 "$A/secret.bin"
	as_nobody --root "$T" advise --file "$A/secret.bin"
else
	chmod 0000 "$A/secret.bin"
	run --root "$T" advise --file "$A/secret.bin"
fi
expect_error 4 "advise: cannot read --file .*/secret.bin: Permission denied$"
tap $? "advise: a file the user may not read: exit 4"
run --root "$T" advise
expect_error 2 "advise: give --file PATH or --pid PID to sample$"
tap $? "advise without --file or --pid: exit 2"
for bad in 0 65537 x; do
	run --root "$T" advise --file "$A/text.bin" --samples "$bad"
	expect_error 2 "--samples: invalid value '$bad': expected an integer 1..65536$"
	tap $? "advise --samples $bad: exit 2, says the range"
done
for bad in 0 4194305 12ab; do
	run --root "$T" advise --pid "$bad"
	expect_error 2 "--pid: invalid value '$bad': expected a process id 1..4194304$"
	tap $? "advise --pid $bad: exit 2, says the range"
done

# ---- --pid: a fake process ----
mkproc() { # mkproc ROOT PID: maps and a sparse mem as described below
	local d=$1/proc/$2
	mkdir -p "$d"
	cat >"$d/maps" <<-'M'
	00400000-00402000 r-xp 00000000 08:01 1234                               /usr/bin/app
	00600000-00604000 rw-p 00000000 00:00 0                                  [heap]
	01000000-01001000 rw-s 00000000 00:19 77                                 /dev/shm/buffer
	01100000-01101000 rw-s 00000000 00:05 12                                 /dev/fb0
	01200000-01201000 rw-p 00000000 00:05 13                                 /dev/mem
	01300000-01302000 rw-p 00000000 00:00 0                                  [stack]
	01303000-01304000 r--p 00000000 00:00 0                                  [vvar]
	ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
	M
	: >"$d/mem"
	# code (not sampled): random; heap: two text pages, two holes (zeros)
	dd if="$A/random.bin" of="$d/mem" bs=4096 count=2 seek=$((0x400000 / 4096)) conv=notrunc status=none
	dd if="$A/text.bin" of="$d/mem" bs=4096 count=2 seek=$((0x600000 / 4096)) conv=notrunc status=none
	dd if="$A/text.bin" of="$d/mem" bs=4096 count=1 seek=$((0x1000000 / 4096)) conv=notrunc status=none
	dd if="$A/random.bin" of="$d/mem" bs=4096 count=1 seek=$((0x1100000 / 4096)) conv=notrunc status=none
	dd if="$A/random.bin" of="$d/mem" bs=4096 count=1 seek=$((0x1200000 / 4096)) conv=notrunc status=none
	dd if="$A/random.bin" of="$d/mem" bs=4096 count=2 seek=$((0x1300000 / 4096)) conv=notrunc status=none
}
T=$(newtree)
mkproc "$T" 4242
run --root "$T" advise --pid 4242 --json
expect 0 && jq -e '.source == {"kind": "pid", "pid": 4242, "pages": 7} and .sampled == 7 and
	.unreadable == 0 and .same_filled == 2 and .compressors.lz4.incompressible == 2 and
	.compressors.zstd.incompressible == 2' <<<"$OUT" >/dev/null && [ -z "$ERR" ]
tap $? "advise --pid: samples writable private and shared memory only, at the mapped addresses"

run --root "$T" advise --pid 4242
expect 0 '^sampled 7 of 7 pages of process 4242 \(3 mappings\)$'
tap $? "advise --pid text: names the process and its mappings"

printf '02000000-02001000 rw-p 00000000 00:00 0\nthis is not a maps line\n' >>"$T/proc/4242/maps"
run --root "$T" advise --pid 4242 --json
expect 0 && jq -e '.sampled == 7 and .unreadable == 1 and .source.pages == 8' <<<"$OUT" >/dev/null &&
	grep -q 'warning: .*/proc/4242/maps: skipping an unexpected line' <<<"$ERR"
tap $? "advise --pid: unreadable pages are counted, a malformed maps line is a warning"

BEFORE=$(snapshot "$T")
run --root "$T" advise --pid 4242
[ "$BEFORE" = "$(snapshot "$T")" ]
tap $? "advise reads only: the tree is unchanged"

run --root "$T" advise --pid 4343
expect_error 2 "advise: no process 4343 \\(.*/proc/4343 is missing\\)$"
tap $? "advise --pid of a process that does not exist: exit 2"

mkdir -p "$T/proc/5000"
printf '00400000-00402000 r-xp 00000000 08:01 1234 /usr/bin/app\n' >"$T/proc/5000/maps"
: >"$T/proc/5000/mem"
run --root "$T" advise --pid 5000
expect_error 1 "advise: process 5000 has no writable private or shared memory to sample$"
tap $? "advise --pid of a process without swappable memory: exit 1"

mkdir -p "$T/proc/5001"
printf '00600000-00604000 rw-p 00000000 00:00 0\n' >"$T/proc/5001/maps"
: >"$T/proc/5001/mem"
run --root "$T" advise --pid 5001
expect_error 1 "advise: none of the 4 pages tried from process 5001 \\(1 mappings\\) could be read$"
tap $? "advise --pid when no page can be read: exit 1"

mkdir -p "$T/proc/5002"
printf '00600000-00604000 rw-p 00000000 00:00 0\n' >"$T/proc/5002/maps"
run --root "$T" advise --pid 5002
expect_error 2 "advise: cannot read [^ ]*/proc/5002/mem: No such file or directory$"
tap $? "advise --pid without /proc/PID/mem (the process went away): exit 2, the file named"

mkproc "$T" 4444
if can_drop; then
	chmod 0755 "$T"
	chmod 0600 "$T/proc/4444/mem"
	as_nobody --root "$T" advise --pid 4444
else
	chmod 0000 "$T/proc/4444/mem"
	run --root "$T" advise --pid 4444
fi
expect_error 4 "advise: cannot read .*/proc/4444/mem: Permission denied$"
tap $? "advise --pid of a process the user may not read: exit 4"
