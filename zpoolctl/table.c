// SPDX-License-Identifier: GPL-2.0
/*
 * table.c - the column tables of status and stats: column selection with
 * -o (a leading '+' adds to the defaults), aligned output with headings,
 * or --raw (one space between cells, spaces and backslashes escaped as
 * \x20 and \x5c, so that every row splits into the same number of fields).
 *
 * (util-linux does this with libsmartcols; that library's development
 * package is not among this project's dependencies.)
 */
#include <ctype.h>
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

		if (!n) {
			msg_err("out of memory");
			exit(EXIT_FAIL);
		}
		t->cells = n;
		t->cap = cap;
	}
	row = t->cells + t->nrows * t->ncols;
	memset(row, 0, t->ncols * sizeof(*row));
	t->nrows++;
	return row;
}

void table_set(struct table *t, char **row, int col, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	(void)t;
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
			if (!c)
				c = "-";
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

void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->cap = 0;
}
