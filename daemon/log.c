// SPDX-License-Identifier: GPL-2.0
/*
 * log.c - where zpoold's messages go: the systemd journal when stderr is
 * the journal stream of a systemd service (JOURNAL_STREAM), syslog when
 * zpoold detached itself, otherwise stderr ("zpoold: LEVEL: text"), which
 * is what Android's init and a terminal want.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include "zpoold.h"

static enum log_target target = LOG_TO_STDERR;
static int max_level = LOG_LVL_INFO;

static const char *const names[] = { "error", "warning", "info", "debug" };
static const int prios[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

/* stderr is the journal iff JOURNAL_STREAM names its device and inode */
enum log_target log_default_target(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
	    fstat(2, &st) == 0 && (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino)
		return LOG_TO_JOURNAL;
	return LOG_TO_STDERR;
}

void log_init(enum log_target t)
{
	target = t;
	if (t == LOG_TO_SYSLOG)
		openlog("zpoold", LOG_PID, LOG_DAEMON);
}

void log_set_level(int level)
{
	max_level = level;
}

static void emit(int level, const char *action, unsigned long pool,
		 const char *text)
{
	if (level > max_level)
		return;
	switch (target) {
	case LOG_TO_JOURNAL:
		if (action)
			sd_journal_send("MESSAGE=%s", text, "PRIORITY=%d",
					prios[level], "ZPOOLD_ACTION=%s", action,
					"ZPOOLD_POOL=%lu", pool,
					"SYSLOG_IDENTIFIER=zpoold", NULL);
		else
			sd_journal_send("MESSAGE=%s", text, "PRIORITY=%d",
					prios[level],
					"SYSLOG_IDENTIFIER=zpoold", NULL);
		break;
	case LOG_TO_SYSLOG:
		syslog(prios[level], "%s", text);
		break;
	case LOG_TO_STDERR:
		fprintf(stderr, "zpoold: %s: %s\n", names[level], text);
		break;
	}
}

void zlog(int level, const char *fmt, ...)
{
	char text[2048];
	va_list ap;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	sanitize(text);
	emit(level, NULL, 0, text);
}

void zlog_decision(const char *action, unsigned long pool, const char *text)
{
	emit(LOG_LVL_INFO, action, pool, text);
}
