// SPDX-License-Identifier: GPL-2.0
/*
 * table.c - the column tables of status and stats: column selection with
 * -o (a leading '+' adds to the defaults), aligned output with headings,
 * or --raw (one space between cells, spaces and backslashes escaped as
 * \x20 and \x5c, so that every row splits on single spaces into the same
 * number of fields; an unknown value is an empty field, as in zramctl
 * --raw, where the aligned table shows '-'), or JSON as util-linux prints
 * it: {"KEY": [{"column": value, ...}, ...]}, the keys the lowercased
 * column names, numbers as numbers, unknown values as null.
 *
 * A cell is its text and, for JSON, its value: set with table_set (a
 * string), table_set_u64, table_set_size (bytes), table_set_double or
 * table_set_bool.
 *
 * (util-linux does this with libsmartcols; that library's development
 * package is not among this project's dependencies.)
 */
#include <ctype.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zpoolctl.h"

void columns_list(const struct column *cols, size_t n, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < n && len < size; i++) {
		int w = snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
				 cols[i].name);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

static int find_column(const struct column *cols, size_t n, const char *name,
		       size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(cols[i].name) == len &&
		    strncasecmp(cols[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

static int add_list(struct table *t, const char *list, bool is_default)
{
	const char *p = list, *e;
	char valid[1024];

	for (;;) {
		int c;

		e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		c = find_column(t->cols, t->ncols, p, (size_t)(e - p));
		if (c < 0) {
			if (is_default) /* a bug in a default list */
				abort();
			columns_list(t->cols, t->ncols, valid, sizeof(valid));
			if (e == p)
				return fail(EXIT_USAGE,
					    "-o: empty column name in '%s'; valid columns: %s",
					    list, valid);
			return fail(EXIT_USAGE,
				    "-o: unknown column '%.*s'; valid columns: %s",
				    (int)(e - p) > 64 ? 64 : (int)(e - p), p,
				    valid);
		}
		if (t->nsel >= sizeof(t->sel) / sizeof(t->sel[0]))
			return fail(EXIT_USAGE, "-o: more than %zu columns",
				    sizeof(t->sel) / sizeof(t->sel[0]));
		t->sel[t->nsel++] = c;
		if (!*e)
			return 0;
		p = e + 1;
	}
}

int table_select(struct table *t, const struct column *cols, size_t ncols,
		 const char *defaults, const char *spec)
{
	memset(t, 0, sizeof(*t));
	t->cols = cols;
	t->ncols = ncols;
	if (spec && !strcmp(spec, "*")) {	/* --output-all */
		for (t->nsel = 0; t->nsel < ncols; t->nsel++)
			t->sel[t->nsel] = (int)t->nsel;
		return 0;
	}
	if (!spec || *spec == '+') {
		add_list(t, defaults, true);
		if (!spec)
			return 0;
		spec++;
	}
	return add_list(t, spec, false);
}

char **table_add_row(struct table *t)
{
	char **row;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **n = realloc(t->cells, cap * t->ncols * sizeof(*n));
		struct cell_val *v;

		if (!n) {
			msg_err("out of memory");
			exit(EXIT_FAIL);
		}
		t->cells = n;
		v = realloc(t->vals, cap * t->ncols * sizeof(*v));
		if (!v) {
			msg_err("out of memory");
			exit(EXIT_FAIL);
		}
		t->vals = v;
		t->cap = cap;
	}
	row = t->cells + t->nrows * t->ncols;
	memset(row, 0, t->ncols * sizeof(*row));
	memset(t->vals + t->nrows * t->ncols, 0, t->ncols * sizeof(*t->vals));
	t->nrows++;
	return row;
}

/* the JSON value of a cell of row */
static struct cell_val *cell_val(struct table *t, char **row, int col)
{
	return &t->vals[(size_t)(row - t->cells) + (size_t)col];
}

void table_set(struct table *t, char **row, int col, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		msg_err("out of memory");
		exit(EXIT_FAIL);
	}
	sanitize(s);
	free(row[col]);
	row[col] = s;
	cell_val(t, row, col)->kind = CELL_STR;
}

void table_set_u64(struct table *t, char **row, int col, uint64_t v)
{
	struct cell_val *cv;

	table_set(t, row, col, "%llu", (unsigned long long)v);
	cv = cell_val(t, row, col);
	cv->kind = CELL_U64;
	cv->u = v;
}

void table_set_size(struct table *t, char **row, int col, uint64_t bytes)
{
	struct cell_val *cv;
	char b[32];

	fmt_size(b, sizeof(b), bytes);
	table_set(t, row, col, "%s", b);
	cv = cell_val(t, row, col);
	cv->kind = CELL_U64;
	cv->u = bytes;
}

void table_set_double(struct table *t, char **row, int col, int decimals,
		      const char *suffix, double v)
{
	struct cell_val *cv;

	table_set(t, row, col, "%.*f%s", decimals, v, suffix);
	cv = cell_val(t, row, col);
	cv->kind = CELL_DOUBLE;
	cv->d = v;
	cv->decimals = decimals;
}

void table_set_bool(struct table *t, char **row, int col, bool v)
{
	struct cell_val *cv;

	table_set(t, row, col, "%s", v ? "yes" : "no");
	cv = cell_val(t, row, col);
	cv->kind = CELL_BOOL;
	cv->u = v;
}

static void print_raw_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ')
			fputs("\\x20", f);
		else if (*s == '\\')
			fputs("\\x5c", f);
		else
			fputc(*s, f);
	}
}

void table_print(const struct table *t, FILE *f, bool headings, bool raw)
{
	size_t w[64] = { 0 };
	size_t i, r;

	for (i = 0; i < t->nsel; i++) {
		w[i] = headings ? strlen(t->cols[t->sel[i]].name) : 0;
		for (r = 0; r < t->nrows; r++) {
			const char *c = t->cells[r * t->ncols + t->sel[i]];
			size_t l = strlen(c ? c : "-");

			if (l > w[i])
				w[i] = l;
		}
	}
	for (r = headings ? 0 : 1; r <= t->nrows; r++) {
		for (i = 0; i < t->nsel; i++) {
			const struct column *col = &t->cols[t->sel[i]];
			const char *c;
			bool last = i + 1 == t->nsel;

			if (r == 0)
				c = col->name;
			else
				c = t->cells[(r - 1) * t->ncols + t->sel[i]];
			if (!c)	/* unknown: '-', an empty field in --raw */
				c = raw ? "" : "-";
			if (i)
				fputc(' ', f);
			if (raw)
				print_raw_cell(f, c);
			else if (col->align == ALIGN_RIGHT)
				fprintf(f, "%*s", (int)w[i], c);
			else if (last)
				fputs(c, f);
			else
				fprintf(f, "%-*s", (int)w[i], c);
		}
		fputc('\n', f);
	}
}

static struct json_object *cell_json(const struct table *t, size_t r,
				     int c)
{
	const struct cell_val *v = &t->vals[r * t->ncols + (size_t)c];
	const char *s = t->cells[r * t->ncols + (size_t)c];
	char ds[64];

	if (!s)
		return NULL;
	switch (v->kind) {
	case CELL_U64:
		return json_object_new_uint64(v->u);
	case CELL_DOUBLE:
		/* the number as the table shows it: 3.00, not 2.9999999 */
		snprintf(ds, sizeof(ds), "%.*f", v->decimals, v->d);
		return json_object_new_double_s(strtod(ds, NULL), ds);
	case CELL_BOOL:
		return json_object_new_boolean(v->u != 0);
	default:
		return json_object_new_string(s);
	}
}

struct json_object *table_json(const struct table *t, const char *key)
{
	struct json_object *o = json_object_new_object(),
			   *a = json_object_new_array();
	size_t r, i;

	for (r = 0; r < t->nrows; r++) {
		struct json_object *row = json_object_new_object();

		for (i = 0; i < t->nsel; i++) {
			char name[64];
			size_t k;

			snprintf(name, sizeof(name), "%s",
				 t->cols[t->sel[i]].name);
			for (k = 0; name[k]; k++)
				name[k] = (char)tolower((unsigned char)name[k]);
			json_object_object_add(row, name,
					       cell_json(t, r, t->sel[i]));
		}
		json_object_array_add(a, row);
	}
	json_object_object_add(o, key, a);
	return o;
}

void columns_help(FILE *f, const struct column *cols, size_t n)
{
	size_t i, w = 0;

	for (i = 0; i < n; i++)
		if (strlen(cols[i].name) > w)
			w = strlen(cols[i].name);
	for (i = 0; i < n; i++)
		fprintf(f, "  %*s  %s\n", (int)w, cols[i].name,
			cols[i].help ? cols[i].help : "");
}

void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->vals);
	t->cells = NULL;
	t->vals = NULL;
	t->nrows = t->cap = 0;
}
