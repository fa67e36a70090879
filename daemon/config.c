// SPDX-License-Identifier: GPL-2.0
/*
 * config.c - /etc/zpoold/zpoold.json.
 *
 * One table (keys[]) lists every key: its JSON path, type, bounds and
 * where it goes in struct zcfg.  zpoold.json(5) in zpoold.8 documents the
 * same keys with units and defaults; tests/host/zpoold checks that the two
 * agree.  Parsing is strict: JSON syntax errors with line and column,
 * unknown keys, wrong types and out-of-range values are all refused with
 * the key's path, what was wrong and what is accepted.  Every problem of a
 * file is reported, and a refused file changes nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "libzpoolx.h"
#include "log.h"

enum ktype { K_BOOL, K_UINT, K_U64, K_DOUBLE, K_ENUM, K_LISTEN, K_TEXTFILE,
	     K_SECTION };

struct key {
	const char *path;		/* "writeback.high_watermark_percent" */
	enum ktype type;
	size_t off;
	double min, max;
	const char *const *choices;	/* K_ENUM: NULL-terminated */
	const char *what;		/* unit, for messages */
};

static const char *const log_levels[] = { "error", "warning", "info",
					  "debug", NULL };
static const char *const backend_policies[] = { "none", "fixed", "auto",
						NULL };
static const char *const backends[] = { "zbud", "zsmalloc", NULL };

#define O(f) offsetof(struct zcfg, f)
static const struct key keys[] = {
	{ "interval_ms", K_UINT, O(interval_ms), 100, 60000, NULL,
	  "milliseconds" },
	{ "log_level", K_ENUM, O(log_level), 0, 0, log_levels, NULL },
	{ "dry_run", K_BOOL, O(dry_run), 0, 0, NULL, NULL },
	{ "metrics", K_SECTION, 0, 0, 0, NULL, NULL },
	{ "metrics.enabled", K_BOOL, O(metrics.enabled), 0, 0, NULL, NULL },
	{ "metrics.listen", K_LISTEN, O(metrics.listen), 0, 0, NULL, NULL },
	{ "metrics.max_connections", K_UINT, O(metrics.max_connections), 1,
	  1024, NULL, "connections" },
	{ "metrics.max_connections_per_address", K_UINT,
	  O(metrics.max_connections_per_address), 1, 1024, NULL,
	  "connections" },
	{ "metrics.timeout_s", K_UINT, O(metrics.timeout_s), 1, 300, NULL,
	  "seconds" },
	{ "metrics.request_deadline_s", K_UINT, O(metrics.request_deadline_s),
	  1, 300, NULL, "seconds" },
	{ "metrics.max_request_bytes", K_UINT, O(metrics.max_request_bytes),
	  1024, 65536, NULL, "bytes" },
	{ "metrics.classes", K_BOOL, O(metrics.classes), 0, 0, NULL, NULL },
	{ "metrics.textfile", K_TEXTFILE, O(metrics.textfile), 0, 0, NULL,
	  NULL },
	{ "writeback", K_SECTION, 0, 0, 0, NULL, NULL },
	{ "writeback.enabled", K_BOOL, O(writeback.enabled), 0, 0, NULL,
	  NULL },
	{ "writeback.high_watermark_percent", K_UINT,
	  O(writeback.high_watermark_percent), 1, 100, NULL,
	  "percent of zswap's limit" },
	{ "writeback.low_watermark_percent", K_UINT,
	  O(writeback.low_watermark_percent), 1, 99, NULL,
	  "percent of zswap's limit" },
	{ "writeback.max_pages_per_cycle", K_UINT,
	  O(writeback.max_pages_per_cycle), 1, WRITEBACK_MAX, NULL, "pages" },
	{ "limit", K_SECTION, 0, 0, 0, NULL, NULL },
	{ "limit.enabled", K_BOOL, O(limit.enabled), 0, 0, NULL, NULL },
	{ "limit.min_percent", K_UINT, O(limit.min_percent), 1, 100, NULL,
	  "percent of MemTotal" },
	{ "limit.max_percent", K_UINT, O(limit.max_percent), 1, 100, NULL,
	  "percent of MemTotal" },
	{ "limit.step_percent", K_UINT, O(limit.step_percent), 1, 50, NULL,
	  "percent of MemTotal" },
	{ "limit.raise_psi_some_avg10", K_DOUBLE,
	  O(limit.raise_psi_some_avg10), 0, 100, NULL, "percent" },
	{ "limit.lower_psi_some_avg10", K_DOUBLE,
	  O(limit.lower_psi_some_avg10), 0, 100, NULL, "percent" },
	{ "limit.min_compression_ratio", K_DOUBLE,
	  O(limit.min_compression_ratio), 1, 64, NULL, "ratio" },
	{ "limit.hold_s", K_UINT, O(limit.hold_s), 0, 86400, NULL,
	  "seconds" },
	{ "compaction", K_SECTION, 0, 0, 0, NULL, NULL },
	{ "compaction.enabled", K_BOOL, O(compaction.enabled), 0, 0, NULL,
	  NULL },
	{ "compaction.below_utilisation_percent", K_UINT,
	  O(compaction.below_utilisation_percent), 1, 100, NULL, "percent" },
	{ "compaction.min_pool_bytes", K_U64, O(compaction.min_pool_bytes), 0,
	  1099511627776.0, NULL, "bytes" },
	{ "compaction.min_interval_s", K_UINT, O(compaction.min_interval_s),
	  0, 86400, NULL, "seconds" },
	{ "zswap", K_SECTION, 0, 0, 0, NULL, NULL },
	{ "zswap.enable", K_BOOL, O(zswap.enable), 0, 0, NULL, NULL },
	{ "backend", K_SECTION, 0, 0, 0, NULL, NULL },
	{ "backend.policy", K_ENUM, O(backend.policy), 0, 0, backend_policies,
	  NULL },
	{ "backend.fixed", K_ENUM, O(backend.fixed), 0, 0, backends, NULL },
	{ "backend.zsmalloc_below_object_bytes", K_UINT,
	  O(backend.zsmalloc_below_object_bytes), 1, 4096, NULL, "bytes" },
	{ "backend.zbud_above_object_bytes", K_UINT,
	  O(backend.zbud_above_object_bytes), 1, 4096, NULL, "bytes" },
	{ "backend.min_objects", K_U64, O(backend.min_objects), 0,
	  1099511627776.0, NULL, "objects" },
	{ "backend.min_interval_s", K_UINT, O(backend.min_interval_s), 0,
	  604800, NULL, "seconds" },
	{ "bpf", K_SECTION, 0, 0, 0, NULL, NULL },
	{ "bpf.enabled", K_BOOL, O(bpf.enabled), 0, 0, NULL, NULL },
};
#undef O
#define NKEYS (sizeof(keys) / sizeof(keys[0]))
#define CONFIG_MAX_BYTES (1u << 20)	/* 1 MiB, documented in zpoold.json(5) */

void config_defaults(struct zcfg *c)
{
	memset(c, 0, sizeof(*c));
	c->interval_ms = 1000;
	c->log_level = LOG_LVL_INFO;
	c->dry_run = false;
#ifdef HAVE_HTTP
	c->metrics.enabled = true;
#else
	c->metrics.enabled = false;	/* built without HTTP (WITH_HTTP=0) */
#endif
	strcpy(c->metrics.listen, "127.0.0.1:9436");
	c->metrics.max_connections = 64;
	c->metrics.max_connections_per_address = 8;
	c->metrics.timeout_s = 10;
	c->metrics.request_deadline_s = 10;
	c->metrics.max_request_bytes = 8192;
	c->metrics.classes = true;
	c->writeback.enabled = true;
	c->writeback.high_watermark_percent = 90;
	c->writeback.low_watermark_percent = 80;
	c->writeback.max_pages_per_cycle = 8192;
	c->limit.enabled = false;
	c->limit.min_percent = 10;
	c->limit.max_percent = 30;
	c->limit.step_percent = 5;
	c->limit.raise_psi_some_avg10 = 10.0;
	c->limit.lower_psi_some_avg10 = 1.0;
	c->limit.min_compression_ratio = 2.0;
	c->limit.hold_s = 60;
	c->compaction.enabled = true;
	c->compaction.below_utilisation_percent = 70;
	c->compaction.min_pool_bytes = 4u << 20;
	c->compaction.min_interval_s = 30;
	c->backend.policy = BACKEND_NONE;
	strcpy(c->backend.fixed, "zsmalloc");
	c->backend.zsmalloc_below_object_bytes = 1365;
	c->backend.zbud_above_object_bytes = 3072;
	c->backend.min_objects = 10000;
	c->backend.min_interval_s = 3600;
	c->bpf.enabled = true;
}

struct errbuf {
	char *buf;
	size_t size, len;
	int count;
};

static void __attribute__((format(printf, 2, 3)))
eadd(struct errbuf *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	e->count++;
	if (e->len + 1 >= e->size)
		return;
	if (e->len) {
		e->buf[e->len++] = '\n';
		e->buf[e->len] = '\0';
	}
	va_start(ap, fmt);
	n = vsnprintf(e->buf + e->len, e->size - e->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		e->len += (size_t)n < e->size - e->len ? (size_t)n :
							 e->size - e->len - 1;
}

static const char *jtype(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double: return "a fractional number";
	case json_type_int: return "an integer";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "something else";
}

/* the value as JSON, shortened, for messages */
static void jshow(json_object *v, char *buf, size_t size)
{
	const char *s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);

	if (strlen(s) > 40)
		snprintf(buf, size, "%.37s...", s);
	else
		snprintf(buf, size, "%s", s);
	sanitize(buf);
}

static void choices_list(const char *const *ch, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (; *ch && len < size; ch++) {
		int w = snprintf(buf + len, size - len, "%s\"%s\"",
				 len ? ", " : "", *ch);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

/* accepted keys of a section ("" = top level), for unknown-key messages */
static void keys_of(const char *section, char *buf, size_t size)
{
	size_t sl = strlen(section), len = 0, i;

	buf[0] = '\0';
	for (i = 0; i < NKEYS && len < size; i++) {
		const char *p = keys[i].path, *name;
		int w;

		if (sl) {
			if (strncmp(p, section, sl) || p[sl] != '.')
				continue;
			name = p + sl + 1;
		} else {
			if (strchr(p, '.'))
				continue;
			name = p;
		}
		w = snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
			     name);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

static const struct key *find_key(const char *path)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].path, path))
			return &keys[i];
	return NULL;
}

static void range_text(const struct key *k, char *buf, size_t size)
{
	if (k->type == K_DOUBLE)
		snprintf(buf, size, "a number %g..%g (%s)", k->min, k->max,
			 k->what);
	else
		snprintf(buf, size, "an integer %.0f..%.0f (%s)", k->min,
			 k->max, k->what);
}

static void set_value(const struct key *k, json_object *v, struct zcfg *c,
		      struct errbuf *e)
{
	char *dst = (char *)c + k->off;
	char shown[64], acc[256], why[160];
	struct sockaddr_storage ss;

	jshow(v, shown, sizeof(shown));
	switch (k->type) {
	case K_BOOL:
		if (!json_object_is_type(v, json_type_boolean)) {
			eadd(e, "%s: expected true or false, got %s %s",
			     k->path, jtype(v), shown);
			return;
		}
		*(bool *)dst = json_object_get_boolean(v);
		return;
	case K_UINT:
	case K_U64: {
		int64_t x;

		range_text(k, acc, sizeof(acc));
		if (!json_object_is_type(v, json_type_int)) {
			eadd(e, "%s: expected %s, got %s %s", k->path, acc,
			     jtype(v), shown);
			return;
		}
		errno = 0;
		x = json_object_get_int64(v);
		if (errno || (double)x < k->min || (double)x > k->max ||
		    /* json-c clamps at INT64_MAX: the text shows the truth */
		    (x == INT64_MAX && strcmp(shown, "9223372036854775807"))) {
			eadd(e, "%s: %s is out of range: expected %s", k->path,
			     shown, acc);
			return;
		}
		if (k->type == K_UINT)
			*(unsigned *)dst = (unsigned)x;
		else
			*(uint64_t *)dst = (uint64_t)x;
		return;
	}
	case K_DOUBLE: {
		double x;

		range_text(k, acc, sizeof(acc));
		if (!json_object_is_type(v, json_type_int) &&
		    !json_object_is_type(v, json_type_double)) {
			eadd(e, "%s: expected %s, got %s %s", k->path, acc,
			     jtype(v), shown);
			return;
		}
		x = json_object_get_double(v);
		if (!isfinite(x) || x < k->min || x > k->max) {
			eadd(e, "%s: %s is out of range: expected %s", k->path,
			     shown, acc);
			return;
		}
		*(double *)dst = x;
		return;
	}
	case K_ENUM: {
		const char *s;
		int i;

		choices_list(k->choices, acc, sizeof(acc));
		if (!json_object_is_type(v, json_type_string)) {
			eadd(e, "%s: expected one of %s, got %s %s", k->path,
			     acc, jtype(v), shown);
			return;
		}
		s = json_object_get_string(v);
		for (i = 0; k->choices[i]; i++)
			if (!strcmp(s, k->choices[i]))
				break;
		if (!k->choices[i]) {
			eadd(e, "%s: %s is not accepted: expected one of %s",
			     k->path, shown, acc);
			return;
		}
		if (!strcmp(k->path, "backend.fixed"))
			snprintf(dst, sizeof(c->backend.fixed), "%s", s);
		else
			*(int *)dst = i;
		return;
	}
	case K_LISTEN: {
		const char *s;

		if (!json_object_is_type(v, json_type_string)) {
			eadd(e, "%s: expected a string \"ADDRESS:PORT\" (\"127.0.0.1:9436\", \"[::1]:9436\"), got %s %s",
			     k->path, jtype(v), shown);
			return;
		}
		s = json_object_get_string(v);
		if (parse_listen(s, &ss, why, sizeof(why))) {
			eadd(e, "%s: %s is not accepted: %s", k->path, shown,
			     why);
			return;
		}
		snprintf(dst, sizeof(c->metrics.listen), "%s", s);
		return;
	}
	case K_TEXTFILE: {
		const char *s, *bad;

		if (!json_object_is_type(v, json_type_string)) {
			eadd(e, "%s: expected a string, an absolute path ending in .prom or \"\", got %s %s",
			     k->path, jtype(v), shown);
			return;
		}
		s = json_object_get_string(v);
		bad = textfile_check(s);
		if (bad) {
			eadd(e, "%s: %s is not accepted: %s", k->path, shown,
			     bad);
			return;
		}
		snprintf(dst, sizeof(c->metrics.textfile), "%s", s);
		return;
	}
	case K_SECTION:
		break;
	}
}

static void walk(json_object *obj, const char *section, struct zcfg *c,
		 struct errbuf *e)
{
	char path[256], acc[1024], shown[64];

	json_object_object_foreach(obj, name, v) {
		const struct key *k;

		if (section[0])
			snprintf(path, sizeof(path), "%s.%s", section, name);
		else
			snprintf(path, sizeof(path), "%s", name);
		sanitize(path);
		k = find_key(path);
		if (!k) {
			keys_of(section, acc, sizeof(acc));
			eadd(e, "%s: unknown key; accepted %s%s: %s", path,
			     section[0] ? "in " : "at the top level",
			     section, acc);
			continue;
		}
		if (k->type == K_SECTION) {
			if (!json_object_is_type(v, json_type_object)) {
				jshow(v, shown, sizeof(shown));
				keys_of(path, acc, sizeof(acc));
				eadd(e, "%s: expected an object with keys %s, got %s %s",
				     path, acc, jtype(v), shown);
				continue;
			}
			walk(v, path, c, e);
			continue;
		}
		set_value(k, v, c, e);
	}
}

/* rules between keys; reported at the second key */
static void cross_check(const struct zcfg *c, struct errbuf *e)
{
#ifndef HAVE_HTTP
	if (c->metrics.enabled)
		eadd(e, "metrics.enabled: true asks for the HTTP endpoint, but this zpoold is built without HTTP (WITH_HTTP=0); accepted: false; metrics.textfile writes the metrics to a file instead");
#endif
	if (c->writeback.low_watermark_percent >=
	    c->writeback.high_watermark_percent)
		eadd(e, "writeback.low_watermark_percent: %u must be below writeback.high_watermark_percent (%u)",
		     c->writeback.low_watermark_percent,
		     c->writeback.high_watermark_percent);
	if (c->limit.min_percent > c->limit.max_percent)
		eadd(e, "limit.max_percent: %u must be at least limit.min_percent (%u)",
		     c->limit.max_percent, c->limit.min_percent);
	if (c->limit.lower_psi_some_avg10 >= c->limit.raise_psi_some_avg10)
		eadd(e, "limit.lower_psi_some_avg10: %g must be below limit.raise_psi_some_avg10 (%g): the gap is the hysteresis",
		     c->limit.lower_psi_some_avg10,
		     c->limit.raise_psi_some_avg10);
	if (c->backend.zsmalloc_below_object_bytes >=
	    c->backend.zbud_above_object_bytes)
		eadd(e, "backend.zbud_above_object_bytes: %u must be above backend.zsmalloc_below_object_bytes (%u): the gap is the hysteresis",
		     c->backend.zbud_above_object_bytes,
		     c->backend.zsmalloc_below_object_bytes);
}

int parse_listen(const char *s, struct sockaddr_storage *ss, char *why,
		 size_t whysize)
{
	static const char *const acc =
		"expected ADDRESS:PORT with a numeric IPv4 address or an IPv6 address in brackets and a port 1..65535 (\"127.0.0.1:9436\", \"0.0.0.0:9436\", \"[::1]:9436\")";
	char host[64];
	const char *colon, *h, *port;
	size_t hl;
	uint64_t p;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':') {
			snprintf(why, whysize, "%s", acc);
			return -1;
		}
		h = s + 1;
		hl = (size_t)(rb - h);
		port = rb + 2;
	} else {
		colon = strrchr(s, ':');
		if (!colon) {
			snprintf(why, whysize, "no port: %s", acc);
			return -1;
		}
		h = s;
		hl = (size_t)(colon - s);
		port = colon + 1;
	}
	if (hl == 0 || hl >= sizeof(host)) {
		snprintf(why, whysize, "%s", acc);
		return -1;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (!parse_u64(port, &p) || p < 1 || p > 65535) {
		snprintf(why, whysize, "bad port: %s", acc);
		return -1;
	}
	if (s[0] == '[') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1) {
			snprintf(why, whysize, "bad IPv6 address: %s", acc);
			return -1;
		}
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)p);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &a->sin_addr) != 1) {
			snprintf(why, whysize, "bad IPv4 address (host names are not resolved): %s",
				 acc);
			return -1;
		}
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)p);
	}
	return 0;
}

static void line_col(const char *text, size_t off, int *line, int *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && text[i]; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/*
 * Duplicate keys.  json-c keeps the last of two equal keys in an object
 * and says nothing, so the text json-c has accepted (strict JSON) is
 * walked once more: each object's keys, decoded by json-c itself, go into
 * a json-c object used as a set, and a key already there is reported
 * with its path and position.
 */
#define DUP_MAX_DEPTH 64
struct dframe {
	json_object *seen;	/* objects only; NULL for an array */
	char path[256];		/* "metrics" */
	char key[128];		/* the last key read, for a child's path */
	bool want_key;
};

static void dup_keys(const char *text, size_t len, struct errbuf *e)
{
	struct dframe *st = calloc(DUP_MAX_DEPTH, sizeof(*st));
	struct json_tokener *kt = json_tokener_new();
	int depth = -1, line, col;
	char np[256];
	size_t i, j;

	if (!st || !kt) {
		eadd(e, "out of memory");
		goto out;
	}
	for (i = 0; i < len; i++) {
		struct dframe *f = depth >= 0 ? &st[depth] : NULL;
		char c = text[i];

		if (c == '{' || c == '[') {
			if (depth + 1 >= DUP_MAX_DEPTH)
				break;	/* json-c's own depth limit is lower */
			np[0] = '\0';
			if (f && f->seen && f->path[0])
				snprintf(np, sizeof(np), "%.120s.%.120s",
					 f->path, f->key);
			else if (f && f->seen)
				snprintf(np, sizeof(np), "%s", f->key);
			else if (f)
				snprintf(np, sizeof(np), "%.240s[]", f->path);
			depth++;
			memset(&st[depth], 0, sizeof(st[depth]));
			memcpy(st[depth].path, np, sizeof(np));
			if (c == '{') {
				st[depth].seen = json_object_new_object();
				st[depth].want_key = true;
			}
		} else if (c == '}' || c == ']') {
			if (depth < 0)
				break;
			json_object_put(st[depth].seen);
			st[depth].seen = NULL;
			depth--;
		} else if (c == ',' && f && f->seen) {
			f->want_key = true;
		} else if (c == '"') {
			/* the string's end: a quote not escaped */
			for (j = i + 1; j < len && text[j] != '"'; j++)
				if (text[j] == '\\')
					j++;
			if (j >= len)
				break;
			if (f && f->seen && f->want_key) {
				json_object *k;
				const char *ks;

				json_tokener_reset(kt);
				k = json_tokener_parse_ex(kt, text + i,
							  (int)(j + 1 - i));
				ks = k ? json_object_get_string(k) : "";
				if (json_object_object_get_ex(f->seen, ks, NULL)) {
					char path[400];

					line_col(text, i, &line, &col);
					if (f->path[0])
						snprintf(path, sizeof(path),
							 "%.200s.%.190s",
							 f->path, ks);
					else
						snprintf(path, sizeof(path),
							 "%.390s", ks);
					sanitize(path);
					eadd(e, "%s: the key appears more than once in its object (again at line %d, column %d); each key is accepted once",
					     path, line, col);
				} else {
					json_object_object_add(f->seen, ks,
							       NULL);
				}
				snprintf(f->key, sizeof(f->key), "%s", ks);
				f->want_key = false;
				json_object_put(k);
			}
			i = j;
		}
	}
out:
	for (; depth >= 0; depth--)
		json_object_put(st[depth].seen);
	free(st);
	if (kt)
		json_tokener_free(kt);
}

int config_load(const char *file, struct zcfg *out, char *errs,
		size_t errsize)
{
	struct errbuf e = { errs, errsize, 0, 0 };
	struct json_tokener *tok;
	json_object *root;
	struct zcfg c;
	char *text;
	size_t len, end;
	int r, line, col;

	errs[0] = '\0';
	r = read_all(file, &text, &len, CONFIG_MAX_BYTES);
	if (r < 0) {
		eadd(&e, "cannot read the file: %s%s", strerror(-r),
		     r == -EFBIG ? " (at most 1 MiB, 1048576 bytes, is accepted)" : "");
		return -1;
	}
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
		eadd(&e, "the file starts with a UTF-8 byte order mark (bytes EF BB BF), which JSON text does not have: expected a JSON object; save the file as UTF-8 without a BOM");
		free(text);
		return -1;
	}
	if (strspn(text, " \t\r\n") == len) {
		eadd(&e, "the file is empty%s: expected a JSON object such as {\"metrics\": {\"listen\": \"127.0.0.1:9436\"}} ({} for the defaults)",
		     len ? " (white space only)" : "");
		free(text);
		return -1;
	}
	if (strlen(text) != len) {
		eadd(&e, "the file holds a NUL byte: expected JSON text");
		free(text);
		return -1;
	}
	tok = json_tokener_new();
	if (!tok) {
		free(text);
		eadd(&e, "out of memory");
		return -1;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (!root) {
		enum json_tokener_error je = json_tokener_get_error(tok);

		if (je == json_tokener_continue) {
			/* a scalar at the top ("null", "1") wants its end: the NUL */
			json_tokener_reset(tok);
			root = json_tokener_parse_ex(tok, text, (int)len + 1);
			je = json_tokener_get_error(tok);
			if (je == json_tokener_success && root) {
				eadd(&e, "the top level is %s: expected a JSON object such as {\"metrics\": {\"listen\": \"127.0.0.1:9436\"}} ({} for the defaults)",
				     jtype(root));
				goto out;
			}
			if (je != json_tokener_success)
				je = json_tokener_continue;
		}
		if (je == json_tokener_success)
			eadd(&e, "the top level is null: expected a JSON object such as {\"metrics\": {\"listen\": \"127.0.0.1:9436\"}} ({} for the defaults)");
		else if (je == json_tokener_continue)
			eadd(&e, "invalid JSON: the text ends inside a value; expected one JSON object");
		else {
			line_col(text, json_tokener_get_parse_end(tok), &line,
				 &col);
			eadd(&e, "invalid JSON at line %d, column %d: %s; expected one JSON object",
			     line, col, json_tokener_error_desc(je));
		}
		goto out;
	}
	end = json_tokener_get_parse_end(tok);
	while (end < len && (text[end] == ' ' || text[end] == '\n' ||
			     text[end] == '\t' || text[end] == '\r'))
		end++;
	if (end < len) {
		line_col(text, end, &line, &col);
		eadd(&e, "invalid JSON at line %d, column %d: text after the top-level object; expected one JSON object",
		     line, col);
		goto out;
	}
	if (!json_object_is_type(root, json_type_object)) {
		eadd(&e, "the top level is %s: expected a JSON object such as {\"metrics\": {\"listen\": \"127.0.0.1:9436\"}}",
		     jtype(root));
		goto out;
	}
	dup_keys(text, len, &e);
	config_defaults(&c);
	walk(root, "", &c, &e);
	if (!e.count)
		cross_check(&c, &e);
	if (!e.count)
		*out = c;
out:
	json_object_put(root);
	json_tokener_free(tok);
	free(text);
	return e.count ? -1 : 0;
}
