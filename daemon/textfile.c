// SPDX-License-Identifier: GPL-2.0
/*
 * textfile.c - the metrics as a file, for node_exporter's textfile
 * collector (its --collector.textfile.directory reads every *.prom file
 * there at each scrape).  The file is replaced atomically: a scrape reads
 * either the previous file or the new one, never a half-written one.  It
 * is not fsync'ed: it is rewritten every cycle, and flash would wear for
 * nothing; after a power loss the file may be empty or missing until the
 * next cycle.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "textfile.h"

const char *textfile_check(const char *s)
{
	static const char *const acc =
		"expected \"\" (no file) or an absolute path ending in .prom (node_exporter's textfile collector reads *.prom), such as \"/var/lib/prometheus/node-exporter/zpoold.prom\"";
	const char *base, *c;
	size_t n = strlen(s);

	if (n == 0)
		return NULL;
	if (s[0] != '/' || n >= TEXTFILE_PATH_SIZE ||
	    n < 7 || strcmp(s + n - 5, ".prom"))
		return acc;
	base = strrchr(s, '/') + 1;
	if (base[0] == '.' || strlen(base) < 6)
		return acc;
	for (c = s; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return acc;
	return NULL;
}

int textfile_write(const char *path, const char *data, size_t len,
		   char *why, size_t whysize)
{
	const char *base = strrchr(path, '/');
	char tmp[PATH_MAX + 16];
	size_t done = 0;
	ssize_t w;
	int fd, e;

	if (!base) {
		snprintf(why, whysize, "%s: not an absolute path", path);
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%.*s/.%s.XXXXXX", (int)(base - path),
		 path, base + 1);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		snprintf(why, whysize,
			 "cannot write %s: cannot create a temporary file in %.*s: %s",
			 path, base == path ? 1 : (int)(base - path), path,
			 strerror(e));
		return -1;
	}
	while (done < len) {
		w = write(fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			e = w < 0 ? errno : EIO;
			snprintf(why, whysize, "cannot write %s: writing %s: %s",
				 path, tmp, strerror(e));
			goto fail;
		}
		done += (size_t)w;
	}
	/* readable by the collector, whoever runs it (mkstemp made it 0600) */
	if (fchmod(fd, 0644) < 0) {
		e = errno;
		snprintf(why, whysize, "cannot write %s: chmod %s: %s", path, tmp,
			 strerror(e));
		goto fail;
	}
	if (close(fd) < 0) {
		e = errno;
		fd = -1;
		snprintf(why, whysize, "cannot write %s: closing %s: %s", path,
			 tmp, strerror(e));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		e = errno;
		snprintf(why, whysize, "cannot write %s: renaming %s over it: %s",
			 path, tmp, strerror(e));
		goto fail;
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}
