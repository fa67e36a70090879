# SPDX-License-Identifier: GPL-2.0
# The policy engine on recorded traces (zpoold --replay): each decision at
# the right time, with its reason; hysteresis of the limit; no decision
# where none is due.  Traces are in traces/, one JSON snapshot a line.

# replay TRACE CONFIG-JSON: sets OUT, ERR, RC
replay() {
	local c
	c=$(cfg replay "$2")
	zrun --replay "$TRACES/$1" --config "$c"
}
# has / hasnt "t=N ...": a decision line (anchored), or the summary line
has() { _first "$1"; }
_first() { case $1 in t=*) grep -q "^$(sed 's/[][\.*^$]/\\&/g' <<<"$1")" <<<"$OUT" ;; *) grep -qF -- "$1" <<<"$OUT" ;; esac; }
hasnt() { ! _first "$1"; }
lines() { grep -c "$1" <<<"$OUT"; }

# --- fill-512M: proactive writeback and compaction on a 512 MiB device
replay fill-512M.jsonl '{}'
tap $( { [ "$RC" = 0 ] && no_sanitizer_report; }; echo $?) "fill-512M: replayed"
tap $(has "summary: snapshots=9 writeback=3 writeback_pages=6184 compact=2 set_limit=0 set_backend=0"; echo $?) \
	"fill-512M: 3 writebacks (6184 pages) and 2 compactions, nothing else"
tap $( { hasnt "t=0 " && hasnt "t=1 " && hasnt "t=3 " && hasnt "t=5 "; }; echo $?) \
	"fill-512M: nothing while the pools are under the high watermark"
tap $(has "t=2 writeback pool=2 pages=2684: zswap pools hold 89.8M > high watermark 89.3M (90% of the limit 99.2M = 20% of MemTotal): write back 2684 pages from the draining pool 2 towards the low watermark 79.4M (80%)"; echo $?) \
	"fill-512M: above the high watermark, write back down to the low one, from the draining pool first (with the reason)"
tap $( { has "t=4 writeback pool=2 pages=316:" && has "t=4 writeback pool=3 pages=3184:" &&
	has "from the current pool 3"; }; echo $?) \
	"fill-512M: the draining pool is emptied first, the rest comes from the current pool"
tap $(has "t=6 compact pool=3: pool 3 (zsmalloc) is 40.0% utilised (stored_bytes / pool_bytes) < 70% in 78.1M: compact"; echo $?) \
	"fill-512M: a sparse zsmalloc pool is compacted"
tap $( { hasnt "t=7 compact" && has "t=40 compact pool=3"; }; echo $?) \
	"fill-512M: not again before compaction.min_interval_s (30 s), then again"
tap $(has "pool=2" && ! grep -q "compact pool=2" <<<"$OUT"; echo $?) "fill-512M: zbud pools (no compact file) are never compacted"

replay fill-512M.jsonl '{ "writeback": { "max_pages_per_cycle": 1000 } }'
tap $( { has "t=2 writeback pool=2 pages=1000:" && [ "$(lines '^t=4 writeback')" = 2 ] &&
	has "t=4 writeback pool=3 pages=684:"; }; echo $?) \
	"fill-512M: writeback.max_pages_per_cycle bounds each cycle"
replay fill-512M.jsonl '{ "writeback": { "enabled": false }, "compaction": { "enabled": false } }'
tap $(has "summary: snapshots=9 writeback=0 writeback_pages=0 compact=0"; echo $?) \
	"fill-512M: writeback.enabled and compaction.enabled false: no decisions"
replay fill-512M.jsonl '{ "writeback": { "high_watermark_percent": 92, "low_watermark_percent": 88 } }'
tap $( { hasnt "t=2 writeback" && has "t=4 writeback pool=2 pages=316:" && has "t=4 writeback pool=3 pages=1153:"; }; echo $?) \
	"fill-512M: higher watermarks: later and smaller writeback"

# --- pressure-1G: max_pool_percent with hysteresis on a 1 GiB device
L='"limit": { "enabled": true, "min_percent": 10, "max_percent": 30, "step_percent": 5, "raise_psi_some_avg10": 10, "lower_psi_some_avg10": 1, "hold_s": 60 }, "compaction": { "enabled": false }'
replay pressure-1G.jsonl "{ $L }"
tap $( { [ "$RC" = 0 ] && no_sanitizer_report; }; echo $?) "pressure-1G: replayed"
tap $(has "t=10 set_limit max_pool_percent=25: memory pressure some avg10 12.50% >= 10% with the pools at 179.7M of their 198.4M limit (>= 90%) compressing 2.93:1 (>= 2): raise max_pool_percent 20 -> 25"; echo $?) \
	"pressure-1G: pressure above raise_psi_some_avg10 with the pool near its limit: raise by one step (with the reason)"
tap $(hasnt "t=20 set_limit"; echo $?) "pressure-1G: no move within hold_s of the last one"
tap $(hasnt "t=80 set_limit"; echo $?) "pressure-1G: pressure between the two thresholds: no move"
tap $( { has "t=150 writeback" && hasnt "t=150 set_limit"; }; echo $?) \
	"pressure-1G: poor compression (1.5 < min_compression_ratio 2): no raise, writeback instead"
tap $(hasnt "t=220 set_limit"; echo $?) "pressure-1G: pressure falling but above lower_psi_some_avg10: no move"
tap $( { has "t=300 set_limit max_pool_percent=20:" && hasnt "t=310 set_limit" &&
	has "t=400 set_limit max_pool_percent=15:" && has "t=500 set_limit max_pool_percent=10:" &&
	hasnt "t=600 set_limit"; }; echo $?) \
	"pressure-1G: without pressure, down one step per hold_s, never below min_percent"
tap $(has "summary: snapshots=11 writeback=3 writeback_pages=23112 compact=0 set_limit=4 set_backend=0"; echo $?) \
	"pressure-1G: 4 limit moves in all"
replay pressure-1G.jsonl '{ "compaction": { "enabled": false } }'
tap $(has "set_limit=0"; echo $?) "pressure-1G: limit.enabled false (the default): the limit never moves"
replay pressure-1G.jsonl "{ ${L/\"max_percent\": 30/\"max_percent\": 15}, \"writeback\": { \"enabled\": false } }"
tap $( { has "t=0 set_limit max_pool_percent=15: max_pool_percent 20 is outside the configured bounds 10..15: set it to 15" &&
	! grep -q "max_pool_percent=2[05]" <<<"$OUT"; }; echo $?) \
	"pressure-1G: a limit outside [min_percent, max_percent] is brought within them"

# --- backend-2G: backend by policy on a 2 GiB device
replay backend-2G.jsonl '{ "backend": { "policy": "auto", "min_objects": 20000 } }'
tap $( { [ "$RC" = 0 ] && has "summary: snapshots=5 writeback=0 writeback_pages=0 compact=0 set_limit=0 set_backend=2"; }; echo $?) \
	"backend-2G: two switches"
tap $( { hasnt "t=0 set_backend" && has "t=60 set_backend zpool=zpoolx_zsmalloc: pool 1 (zbud) holds 25000 objects of 1000 bytes on average <= 1365"; }; echo $?) \
	"backend-2G: auto: small objects on zbud -> zsmalloc, once backend.min_objects are seen"
tap $( { hasnt "t=1800 set_backend" && has "t=3700 set_backend zpool=zpoolx_zbud: pool 2 (zsmalloc) holds 30000 objects of 3500 bytes on average >= 3072"; }; echo $?) \
	"backend-2G: auto: large objects on zsmalloc -> zbud, not before backend.min_interval_s"
replay backend-2G.jsonl '{ "backend": { "policy": "fixed", "fixed": "zbud" } }'
tap $( { has "t=120 set_backend zpool=zpoolx_zbud: backend.policy is \"fixed\" on zbud and zswap uses zpoolx_zsmalloc" &&
	[ "$(lines set_backend)" = 2 ]; }; echo $?) "backend-2G: fixed: zswap is put back on the configured backend"
replay backend-2G.jsonl '{}'
tap $(has "set_backend=0"; echo $?) "backend-2G: backend.policy none (the default): never switched"

# --- a trace recorded by zpoold --record in the VM test (tests/vm/tests/zpoold.sh)
if [ -f "$TRACES/vm-hog-256M.jsonl" ]; then
	replay vm-hog-256M.jsonl '{ "writeback": { "high_watermark_percent": 85, "low_watermark_percent": 70 }, "compaction": { "enabled": false } }'
	n=$(lines '^t=.* writeback pool=')
	tap $( { [ "$RC" = 0 ] && [ "$n" -gt 0 ] && no_sanitizer_report; }; echo $?) \
		"vm-hog-256M (recorded in a guest under a memory hog): $n writeback decisions"
fi

# --- metadata_bytes: a pool's size is its pages and its metadata, as zswap
# counts it.  22800 pages (89.1M) are under the high watermark (89.3M of the
# 99.2M limit of a 512 MiB device); with 400000 bytes of metadata above it.
mkdir -p "$WORK/tr"
printf '{"t":0,"mem_total_kb":507904,"max_pool_percent":20,"zpool":"zpoolx_zsmalloc","pools":[{"id":1,"backend":"zsmalloc","pages":22800,"metadata_bytes":400000,"objects":60000,"stored_bytes":80000000}]}\n' >"$WORK/tr/meta"
zrun --replay "$WORK/tr/meta" --config "$(cfg meta '{}')"
tap $( { [ "$RC" = 0 ] && no_sanitizer_report &&
	grep -qF "t=0 writeback pool=1 pages=2582: zswap pools hold 89.4M > high watermark 89.3M" <<<"$OUT" &&
	grep -qF "summary: snapshots=1 writeback=1 writeback_pages=2582 " <<<"$OUT"; }; echo $?) \
	"--replay: metadata_bytes counts towards the pool's size (22800 pages + 400000 bytes > high watermark)"
sed 's/"metadata_bytes":400000,//' "$WORK/tr/meta" >"$WORK/tr/meta0"
zrun --replay "$WORK/tr/meta0" --config "$WORK/meta.json"
tap $( { [ "$RC" = 0 ] && grep -qF "summary: snapshots=1 writeback=0 writeback_pages=0 " <<<"$OUT"; }; echo $?) \
	"--replay: a trace without metadata_bytes (an older module) is the pages alone: under the watermark"
printf '{"t":0,"pools":[{"id":1,"metadata_bytes":-1}]}\n' >"$WORK/tr/meta-bad"
zrun --replay "$WORK/tr/meta-bad"
tap $( { [ "$RC" = 2 ] && grep -qF "$WORK/tr/meta-bad:1: metadata_bytes: expected an integer >= 0" <<<"$ERR"; }; echo $?) \
	"--replay: a negative metadata_bytes is refused"

# --- bad traces are refused with the line and the reason
printf '{"t":0}\nnot json\n' >"$WORK/tr/a"
zrun --replay "$WORK/tr/a"
tap $( { [ "$RC" = 2 ] && grep -qF "$WORK/tr/a:2: expected one JSON object a line" <<<"$ERR"; }; echo $?) "--replay: a line that is not JSON: refused with its number"
printf '{"t":0,"pools":[{"id":0}]}\n' >"$WORK/tr/b"
zrun --replay "$WORK/tr/b"
tap $( { [ "$RC" = 2 ] && grep -qF "$WORK/tr/b:1: pools[0].id: expected a pool id >= 1" <<<"$ERR"; }; echo $?) "--replay: a bad pool id is refused"
printf '{"t":0,"memtotal":5}\n' >"$WORK/tr/c"
zrun --replay "$WORK/tr/c"
tap $( { [ "$RC" = 2 ] && grep -qF "$WORK/tr/c:1: unknown key \"memtotal\"" <<<"$ERR"; }; echo $?) "--replay: an unknown key is refused"
printf '{"psi_some_avg10":5}\n' >"$WORK/tr/d"
zrun --replay "$WORK/tr/d"
tap $( { [ "$RC" = 2 ] && grep -qF "t: expected the time in seconds" <<<"$ERR"; }; echo $?) "--replay: a snapshot without a time is refused"
