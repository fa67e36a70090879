#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Prometheus rules and the Grafana dashboard of configs/, without a
# Prometheus server (tests/vm/tests/zpoold.sh puts every expression to a
# real one that scrapes a real zpoold):
#
#   - promtool check rules and promtool test rules (the unit tests of
#     configs/prometheus/zpoolx-rules.test.yml); every alert has a severity,
#     a summary and a description, and a test where it fires and one where
#     it does not; every recording rule is checked by a promql_expr_test,
#     is named model:zpoolx_* and keeps the model label;
#   - the dashboard is JSON that Grafana imports: a Prometheus data source
#     variable used by every panel and query, job, model and instance
#     variables, every device query filtered by the three, heatmaps of
#     histogram buckets by le;
#   - every expression of the dashboard (variables replaced) and every
#     alert's bool form (what the VM test queries) parses (promtool check
#     rules on a file made of them);
#   - every metric family the dashboard and the rules use is one zpoold
#     exports (the names in daemon/metrics.c and daemon/bpfstats.c), every
#     recorded name they use is recorded, every label they use is one of
#     zpoold's or a target label (job, instance, model).
#
# Prints TAP; exits non-zero if a test fails.  Needs promtool (prometheus),
# jq and python3 with yaml (python3-yaml).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
RULES=$TOP/configs/prometheus/zpoolx-rules.yml
RTEST=$TOP/configs/prometheus/zpoolx-rules.test.yml
DASH=$TOP/configs/grafana/zpoolx.json
# shellcheck source=../tap.sh
. "$TOP/tests/host/tap.sh"
for t in promtool jq python3; do
	command -v $t >/dev/null || { echo "Bail out! $t is missing (scripts/install-deps)"; exit 1; }
done
python3 -c 'import yaml' 2>/dev/null || { echo "Bail out! python3's yaml is missing (python3-yaml)"; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/zpoolx-rules.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# ---- the rules ----
promtool check rules "$RULES" >"$WORK/check.out" 2>&1
rc=$?
tap $rc "promtool check rules configs/prometheus/zpoolx-rules.yml: $(grep -o 'SUCCESS.*' "$WORK/check.out")"
[ $rc = 0 ] || diag <"$WORK/check.out"
# promtool reads rule_files relative to the test file
promtool test rules "$RTEST" >"$WORK/test.out" 2>&1
rc=$?
tap $rc "promtool test rules configs/prometheus/zpoolx-rules.test.yml"
[ $rc = 0 ] || diag <"$WORK/test.out"

# ---- the dashboard ----
jq -e . "$DASH" >/dev/null 2>"$WORK/jq.err"
rc=$?
tap $rc "configs/grafana/zpoolx.json is JSON"
[ $rc = 0 ] || { diag <"$WORK/jq.err"; echo "1..$n"; exit 1; }
jq -e '.schemaVersion >= 36 and .id == null and (.uid | test("^[a-z0-9-]{1,40}$")) and .title == "zpoolx"
	and ([.panels[] | (., .panels[]?) | .id] | length == (unique | length))' "$DASH" >/dev/null
tap $? "dashboard: schemaVersion $(jq .schemaVersion "$DASH"), uid '$(jq -r .uid "$DASH")', no id (import makes one), panel ids unique"
jq -e '[.templating.list[] | select(.name == "datasource" and .type == "datasource" and .query == "prometheus")] | length == 1' "$DASH" >/dev/null
tap $? "dashboard: a Prometheus data source variable \${datasource}"
# $model from the recording rules (so that it has values on a server that
# federates only those), $job and $instance from the devices' series
for v in job:zpoolx_daemon_build_info model:model:zpoolx_daemon_build_info:count instance:zpoolx_daemon_build_info; do
	jq -e --arg v "${v%%:*}" --arg m "${v#*:}" '[.templating.list[] | select(.name == $v and .type == "query"
		and .datasource.uid == "${datasource}" and .includeAll and .multi and .allValue == ".*"
		and ((.query.query? // .query) | startswith("label_values(" + $m)))] | length == 1' "$DASH" >/dev/null
	tap $? "dashboard: variable \$${v%%:*} (label_values of ${v#*:}, several or all)"
done
bad=$(jq -r '.panels[] | (., .panels[]?) | select(.type != "row")
	| select(.datasource.uid != "${datasource}" or ([.targets[]? | select(.datasource.uid != "${datasource}")] | length > 0)
		or (.targets | length) == 0) | .title' "$DASH")
tap "$([ -z "$bad" ]; echo $?)" "dashboard: every panel has queries, all on \${datasource}${bad:+; not: $(paste -sd , <<<"$bad")}"
bad=$(jq -r '.panels[] | (., .panels[]?) | select(.type == "heatmap") | select(
	[.targets[] | select(.format != "heatmap" or .legendFormat != "{{le}}"
		or (.expr | test("^sum by \\(le\\) \\(.*_bucket") | not))] | length > 0) | .title' "$DASH")
nh=$(jq '[.panels[] | (., .panels[]?) | select(.type == "heatmap")] | length' "$DASH")
tap "$([ -z "$bad" ] && [ "$nh" -ge 4 ]; echo $?)" "dashboard: $nh heatmaps, each of histogram buckets summed by le, format heatmap${bad:+; not: $(paste -sd , <<<"$bad")}"

# ---- every expression parses ----
"$HERE/exprs" dashboard "$DASH" >"$WORK/dash.tsv"
python3 - "$RULES" >"$WORK/alerts.txt" <<'PY'
import sys, yaml
for g in yaml.safe_load(open(sys.argv[1]))['groups']:
    for r in g['rules']:
        if 'alert' in r:
            print(' '.join(r['expr'].split()))
PY
"$HERE/exprs" bool <"$WORK/alerts.txt" >"$WORK/alerts-bool.txt"
# a rules file of them, one recording rule each: promtool check rules parses them
{ cut -f2 "$WORK/dash.tsv"; cat "$WORK/alerts-bool.txt"; } |
	jq -R -s '{groups: [{name: "parse", rules: [split("\n")[] | select(length > 0)
		| {record: "parse", expr: .}]}]}' >"$WORK/parse.yml"
promtool check rules --lint=none "$WORK/parse.yml" >"$WORK/parse.out" 2>&1
rc=$?
tap $rc "the dashboard's $(wc -l <"$WORK/dash.tsv") expressions (variables replaced) and the bool forms of the $(wc -l <"$WORK/alerts.txt") alerts parse"
[ $rc = 0 ] || diag <"$WORK/parse.out"
paste "$WORK/alerts.txt" "$WORK/alerts-bool.txt" | awk -F'\t' '$1 == $2 { print $1 }' >"$WORK/nobool.txt"
tap "$([ ! -s "$WORK/nobool.txt" ]; echo $?)" "each alert compares with a spaced operator that the VM test makes a bool one"
diag <"$WORK/nobool.txt"

# ---- rules and dashboard against zpoold's metrics ----
python3 - "$RULES" "$RTEST" "$WORK/dash.tsv" "$TOP/daemon/metrics.c" "$TOP/daemon/bpfstats.c" >"$WORK/py.out" 2>&1 <<'PY'
import re, sys, yaml
rules_f, test_f, dash_f, *csrc = sys.argv[1:]
out = []
def tap(ok, desc, extra=()):
    out.append('%d\t%s' % (0 if ok else 1, desc))
    out.extend('#\t' + e for e in extra)

# what zpoold exports: the names in the string literals of its writers
src = ''
for f in csrc:
    src += re.sub(r"/\*.*?\*/|//[^\n]*|'(?:\\.|[^'\\])'", '', open(f).read(), flags=re.S)
lits = re.findall(r'"((?:\\.|[^"\\])*)"', src)
families = set(n for l in lits for n in re.findall(r'\bzpoolx_[a-z0-9_]+', l))
hists = set(re.findall(r'\bhist\(f,[^;]*?"(zpoolx_[a-z0-9_]+)"', src, re.S))
zlabels = set(re.findall(r'([a-z_]+)=\\"', src)) | {'le'}
target_labels = {'job', 'instance', 'model'}
other_metrics = {'up'}

KEYWORDS = {'and', 'or', 'unless', 'bool', 'offset', 'Inf', 'NaN', 'inf', 'nan'}
GROUPING = r'\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)'
def parse(expr):
    """(metric names, label names) an expression uses"""
    s = re.sub(r'"(?:\\.|[^"\\])*"', '""', expr)
    labels = set()
    for m in re.finditer(r'\{([^}]*)\}', s):
        for kv in m.group(1).split(','):
            if kv.strip():
                labels.add(re.match(r'\s*([A-Za-z_][A-Za-z0-9_]*)', kv).group(1))
    s = re.sub(r'\{[^}]*\}', ' ', s)
    for m in re.finditer(GROUPING, s):
        labels.update(x.strip() for x in m.group(2).split(',') if x.strip())
    s = re.sub(GROUPING, ' ', s)
    s = re.sub(r'\[[^\]]*\]', ' ', s)
    names = set()
    for m in re.finditer(r'(?<![\w:.])([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?', s):
        if not m.group(2) and m.group(1) not in KEYWORDS:
            names.add(m.group(1))
    return names, labels

groups = yaml.safe_load(open(rules_f))['groups']
rules = [r for g in groups for r in g['rules']]
alerts = [r for r in rules if 'alert' in r]
records = [r for r in rules if 'record' in r]
recorded = {r['record'] for r in records}
tests = yaml.safe_load(open(test_f))['tests']
dash = [l.rstrip('\n').split('\t', 1) for l in open(dash_f)]

# alerts: labels, annotations, a test firing and one not
bad = [a['alert'] for a in alerts
       if a.get('labels', {}).get('severity') not in ('critical', 'warning', 'info')
       or not a.get('annotations', {}).get('summary')
       or not a.get('annotations', {}).get('description') or 'for' not in a]
tap(not bad, '%d alerts, each with a severity, a summary, a description and a for' % len(alerts),
    ['lacking: ' + ', '.join(bad)] if bad else [])
for a in alerts:
    cases = [c for t in tests for c in t.get('alert_rule_test', []) if c['alertname'] == a['alert']]
    firing = sum(1 for c in cases if c.get('exp_alerts'))
    quiet = sum(1 for c in cases if not c.get('exp_alerts'))
    tap(firing and quiet, 'alert %s: unit tests where it fires (%d) and where it does not (%d)'
        % (a['alert'], firing, quiet))

# recording rules: named model:zpoolx_*, keep model, each checked
tested = set()
for t in tests:
    for c in t.get('promql_expr_test', []):
        tested |= parse(c['expr'])[0]
bad = [r['record'] for r in records if r['record'] not in tested]
tap(not bad, 'each of the %d recording rules is checked by a promql_expr_test' % len(records),
    ['not: ' + ', '.join(bad)] if bad else [])
bad = []
for r in records:
    groupings = [m.group(2) for m in re.finditer(GROUPING, r['expr'])]
    names = parse(r['expr'])[0]
    keeps = all('model' in [x.strip() for x in g.split(',')] for g in groupings)
    if not r['record'].startswith('model:zpoolx_') or not keeps or not (groupings or names & recorded):
        bad.append(r['record'])
tap(not bad, 'every recording rule is named model:zpoolx_* and aggregates by model',
    ['not: ' + ', '.join(bad)] if bad else [])

# every name and label used is zpoold's (or recorded, or a target's)
def check(where, exprs):
    unknown, badlabels = set(), set()
    for e in exprs:
        names, labels = parse(e)
        for nm in names:
            if ':' in nm:
                if nm not in recorded:
                    unknown.add(nm)
                continue
            base = re.sub(r'_(bucket|sum|count)$', '', nm)
            if not (nm in families or nm in other_metrics or (base != nm and base in hists)):
                unknown.add(nm)
        badlabels |= labels - zlabels - target_labels
    tap(not unknown, '%s: every metric used is one zpoold exports (daemon/metrics.c, bpfstats.c) or a recorded one'
        % where, ['unknown: ' + ', '.join(sorted(unknown))] if unknown else [])
    tap(not badlabels, '%s: every label used is zpoold\'s or a target label (job, instance, model)' % where,
        ['unknown: ' + ', '.join(sorted(badlabels))] if badlabels else [])
check('rules', [r['expr'] for r in rules])
check('dashboard', [e for _, e in dash])

# device panels filter every zpoolx_ selector by the three variables, fleet
# panels every recorded one by model (the .* of the variables, replaced)
bad = []
for where, e in dash:
    if where.startswith('variable '):
        continue
    for m in re.finditer(r'([A-Za-z_:][A-Za-z0-9_:]*)\{([^}]*)\}|([A-Za-z_:][A-Za-z0-9_:]*)(?=\s*[\[)\s/*+-]|$)', e):
        name, sel = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), '')
        if not name.startswith(('zpoolx_', 'model:')) or name in KEYWORDS:
            continue
        need = ['model'] if ':' in name else ['job', 'model', 'instance']
        if any('%s=~".*"' % v not in sel for v in need):
            bad.append('%s: %s' % (where, name))
tap(not bad, 'dashboard: device queries filter by $job, $model, $instance, fleet queries by $model',
    bad)

# the dashboard shows what issue 18 asks for
want = {
    'pool size and its limit': ['zpoolx_zswap_pool_bytes', 'zpoolx_zswap_limit_bytes'],
    'bytes per stored page': ['zpoolx_zswap_stored_pages', 'model:zpoolx_zswap_bytes_per_stored_page:ratio'],
    'compression ratio': ['zpoolx_pool_compression_ratio', 'model:zpoolx_pool_compression:ratio'],
    'rejected stores by reason': ['zpoolx_zswap_rejected_stores_total', 'model:zpoolx_zswap_rejected_stores:rate5m'],
    'pages written back': ['zpoolx_zswap_written_back_pages_total', 'model:zpoolx_zswap_written_back_pages:rate5m'],
    'PSI': ['zpoolx_memory_pressure_ratio', 'model:zpoolx_memory_pressure_ratio:avg'],
    "zpoold's decisions": ['zpoolx_daemon_decisions_total', 'model:zpoolx_daemon_decisions:rate5m'],
    'BPF histograms': ['%s_bucket' % h for h in sorted(hists)],
}
used = set()
for _, e in dash:
    used |= parse(e)[0]
missing = ['%s (%s)' % (k, ', '.join(sorted(set(v) - used))) for k, v in want.items() if set(v) - used]
tap(not missing, 'dashboard: pool against limit, bytes per stored page, compression ratio, rejected stores, '
    'writeback, PSI, decisions and the %d BPF histograms, per device and per model' % len(hists),
    ['missing: ' + m for m in missing])
print('\n'.join(out))
PY
rc=$?
while IFS=$'\t' read -r st desc; do
	if [ "$st" = "#" ]; then echo "#   $desc"; else tap "$st" "$desc"; fi
done <"$WORK/py.out"
[ $rc = 0 ] || { tap 1 "the checks of the rules and the dashboard in python ran"; diag <"$WORK/py.out"; }

echo "1..$n"
[ $failed = 0 ]
