# SPDX-License-Identifier: GPL-2.0
# 14-json-columns.t - --json with -o / --output-all / status POOL: the
# selected columns as util-linux prints them ({"pools": [...]},
# {"classes": [...]}), typed values, null for unknown; --json alone keeps
# the whole status document the VM tests parse.  Sourced by run.sh.

PD=sys/kernel/zpoolx/pools
T=$(newtree)
w "$T/$PD/1/objects" 1500

run --root "$T" --json -o ID,BACKEND,STORED,POOLSIZE,RATIO,UTIL,CURRENT
expect 0 && [ -z "$ERR" ] && jq -e '
	keys == ["pools"] and (.pools | length) == 2 and
	.pools[0] == {"id": 1, "backend": "zbud", "stored": null, "poolsize": 4098048,
		      "ratio": 1.5, "util": 90.0, "current": false} and
	.pools[1] == {"id": 2, "backend": "zsmalloc", "stored": 3000, "poolsize": 4096000,
		      "ratio": 3.0, "util": 90.0, "current": true}' <<<"$OUT" >/dev/null
tap $? "--json -o: only the selected columns, lowercased keys, numbers, booleans, null for unknown"

[ "$(jq -c '.pools[0] | keys_unsorted' <<<"$OUT")" = '["id","backend","stored","poolsize","ratio","util","current"]' ]
tap $? "--json -o: the keys in the order of -o"

grep -q '"ratio":1.50,' <<<"$OUT" && grep -q '"util":90.0,' <<<"$OUT" && grep -q '"ratio":3.00,' <<<"$OUT"
tap $? "--json -o: RATIO and UTIL written as the table prints them (1.50, 90.0), not 1.4999999"

run --root "$T" --json --bytes -o ID,POOLSIZE,METADATA,DATA
OUT2=$OUT
run --root "$T" --json -o ID,POOLSIZE,METADATA,DATA
expect 0 && [ "$OUT" = "$OUT2" ] &&
	jq -e '.pools[1] == {"id": 2, "poolsize": 4096000, "metadata": 24576, "data": 3686400}' <<<"$OUT" >/dev/null
tap $? "--json -o: sizes in bytes with or without --bytes"

run --root "$T" --json -o id,Backend
expect 0 && jq -e '.pools[0] == {"id": 1, "backend": "zbud"}' <<<"$OUT" >/dev/null
tap $? "--json -o: column names in any case, keys in lower case"

run --root "$T" --json -o +TYPE
expect 0 && jq -e '.pools[1] | keys_unsorted == ["id","backend","state","stored","objects","poolsize",
	"metadata","data","ratio","util","written","rejects","type"] and .type == "zpoolx_zsmalloc"' <<<"$OUT" >/dev/null
tap $? "--json -o +LIST: the default columns and the added ones"

run --root "$T" --json --output-all
expect 0 && jq -e '(.pools[0] | keys_unsorted) == ["id","backend","type","name","state","current","stored",
	"objects","pages","poolsize","metadata","data","ratio","util","written","rejects","evicts",
	"evictfail","reclaimed","allocfail","wbtotal","compacted"] and
	.pools[0].compacted == null and .pools[1].compacted == 10 and .pools[1].wbtotal == 5 and
	.pools[1].rejects == 2 and .pools[0].rejects == null and .pools[1].name == "zswap"' <<<"$OUT" >/dev/null
tap $? "--json --output-all: every column, 22 keys; a zbud pool's compacted is null"

run --root "$T" status 2 --json
expect 0 && jq -e '.pools == [{"id": 2, "backend": "zsmalloc", "state": "active", "stored": 3000,
	"objects": 3000, "poolsize": 4096000, "metadata": 24576, "data": 3686400, "ratio": 3.0,
	"util": 90.0, "written": 9, "rejects": 2}]' <<<"$OUT" >/dev/null
tap $? "status POOL --json: that pool's row, the default columns"

run --root "$T" status 1 --json -o ID,STORED
expect 0 && [ "$(jq -c . <<<"$OUT")" = '{"pools":[{"id":1,"stored":null}]}' ]
tap $? "status POOL --json -o: the selected columns of that pool"

oldmodule "$T"
run --root "$T" --json -o ID,METADATA
expect 0 && [ "$(jq -c . <<<"$OUT")" = '{"pools":[{"id":1,"metadata":null},{"id":2,"metadata":null}]}' ]
tap $? "--json -o METADATA on a module without metadata_bytes: null, not 0"

w "$T/$PD/1/name" "$(printf 'a "quoted"\tname\\')"
run --root "$T" --json -o ID,NAME
expect 0 && [ "$(jq -r '.pools[0].name' <<<"$OUT")" = 'a "quoted"?name\' ]
tap $? "--json -o: strings escaped as JSON, control characters as '?'"

T=$(newtree)
rm -r "$T/$PD"/*
run --root "$T" --json -o ID
expect 0 && [ "$(jq -c . <<<"$OUT")" = '{"pools":[]}' ]
tap $? "--json -o without pools: an empty array"

rm -r "$T/sys/module/zpoolx" "$T/sys/kernel/zpoolx"
run --root "$T" --json -o ID
expect 0 && [ "$(jq -c . <<<"$OUT")" = '{"pools":[]}' ]
tap $? "--json -o without the module: an empty array, exit 0 as status"

# --json without -o: the whole document, as before (tests/vm parse it)
T=$(newtree)
run --root "$T" --json
expect 0 && jq -e 'keys == ["memory", "swap", "zpoolx", "zram", "zswap"] and
	(.zpoolx.pools | length) == 2 and .zpoolx.pools[1].backend == "zsmalloc" and
	.zpoolx.pools[1].stored_pages == 3000 and .zpoolx.pools[1].utilisation == 0.9 and
	.zpoolx.pools[1].current == true and .zram == []' <<<"$OUT" >/dev/null &&
	[ "$(jq -r '[.zpoolx.pools[] | select(.backend == "zsmalloc")][0].stored_pages' <<<"$OUT")" = 3000 ]
tap $? "--json alone: the status document, pools under .zpoolx.pools as tests/vm read them, zram []"

# stats: -o with --json is the class table
run --root "$T" stats 2 --json -o SIZE,USED,UTIL,WASTE
expect 0 && jq -e 'keys == ["classes"] and (.classes | map(.size)) == [208, 1024, 4096] and
	.classes[1] == {"size": 1024, "used": 790, "util": 98.8, "waste": 10240} and
	.classes[2] == {"size": 4096, "used": 10, "util": 100.0, "waste": 0}' <<<"$OUT" >/dev/null
tap $? "stats --json -o: the class table, util-linux style"

run --root "$T" stats 2 --json --output-all
expect 0 && jq -e '(.classes[0] | keys_unsorted) == ["size","zspg_pages","zspg_objs","allocated","used",
	"pages","full","almost_full","almost_empty","empty","util","waste"]' <<<"$OUT" >/dev/null
tap $? "stats --json --output-all: every class column"

w "$T/$PD/2/classes/1024/objs_used" lots
run --root "$T" stats 2 --json -o SIZE,USED,UTIL
expect 0 && jq -e '.classes[1] == {"size": 1024, "used": null, "util": null}' <<<"$OUT" >/dev/null
tap $? "stats --json -o: a malformed class file is null"

run --root "$T" stats 1 --json -o SIZE
expect 0 && [ "$(jq -c . <<<"$OUT")" = '{"classes":[]}' ]
tap $? "stats --json -o on a zbud pool: no classes, an empty array"

run --root "$T" stats 2 --json
expect 0 && jq -e 'keys == ["classes", "pool"] and .pool.id == 2' <<<"$OUT" >/dev/null
tap $? "stats --json alone: the pool and its classes, as before"

run --root "$T" --json -o ID,FROB
expect_error 2 "-o: unknown column 'FROB'; valid columns: ID, "
tap $? "--json -o with an unknown column: exit 2, no JSON"
