/* SPDX-License-Identifier: GPL-2.0 */
/*
 * promtext.h - how a sample value is written in the Prometheus text
 * format, for the two writers of families: metrics.c and bpfstats.c.
 * Header-only, so that neither writer needs the other's object.
 *
 * Owns: nothing.  PROM_NUM's buffer is a compound literal of the calling
 * block.
 */
#ifndef ZPOOLD_PROMTEXT_H
#define ZPOOLD_PROMTEXT_H

#include <stdio.h>
#include <stdlib.h>

/* a sample value: the shortest decimal that reads back as v (0.2, not
 * 0.20000000000000001), of 15..17 significant digits, in buf[32] */
static inline const char *prom_num(char *buf, double v)
{
	char *end;

	snprintf(buf, 32, "%.15g", v);
	if (strtod(buf, &end) != v)
		snprintf(buf, 32, "%.17g", v);
	return buf;
}

/* prom_num in a buffer that lives as long as the enclosing block */
#define PROM_NUM(v) prom_num((char[32]){ 0 }, (v))

#endif
