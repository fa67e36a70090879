/* SPDX-License-Identifier: GPL-2.0 */
/*
 * textfile.h - the metrics written atomically to a file (textfile.c), for
 * node_exporter's textfile collector (metrics.textfile, --metrics-file).
 *
 * Owns: no state; a write is one call.  Whether the last write failed
 * (said once, and the recovery) is the policy loop's (zpoold.c, struct
 * zpoold), which writes the file after each cycle.
 *
 * Called by: zpoold.c (each cycle, a reload that moves the file, the
 * check of --metrics-file), config.c (the check of metrics.textfile).
 */
#ifndef ZPOOLD_TEXTFILE_H
#define ZPOOLD_TEXTFILE_H

#include <stddef.h>

/* the longest path accepted, with its NUL (struct zcfg's metrics.textfile) */
#define TEXTFILE_PATH_SIZE 512

/*
 * Write data to path atomically: a temporary file in the same directory
 * (".NAME.XXXXXX", which the textfile collector does not read), mode 0644,
 * renamed over path.  0, or -1 and what failed in why.
 */
int textfile_write(const char *path, const char *data, size_t len,
		   char *why, size_t whysize);
/* NULL if s is acceptable as metrics.textfile, else what is accepted */
const char *textfile_check(const char *s);

#endif
