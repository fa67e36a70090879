// SPDX-License-Identifier: GPL-2.0
/*
 * log.c - where zpoold's messages go: the systemd journal when stderr is
 * the journal stream of a systemd service (JOURNAL_STREAM), syslog when
 * zpoold detached itself, otherwise stderr ("zpoold: LEVEL: text"), which
 * is what Android's init and a terminal want; or the kernel log
 * (/dev/kmsg, "<PRI>zpoold[PID]: LEVEL: text", facility daemon) when asked
 * with --log kmsg, for images without a syslog daemon.
 *
 * Built without systemd (WITH_SYSTEMD=0, no HAVE_SYSTEMD) there is no
 * journal target: the journal stream is then just stderr.
 *
 * The logger's state is process-wide (log.h says why): `lg` below, set by
 * main before any thread starts (log_init, log_set_level; the level again
 * at a reload, from the main thread), and the table of warnings said
 * once, `once`, under its own lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>
#ifdef HAVE_SYSTEMD
#include <systemd/sd-journal.h>
#endif

#include "libzpoolx.h"
#include "log.h"

/* where messages go, and from which level on */
static struct {
	enum log_target target;
	int max_level;
	int kmsg_fd;		/* LOG_TO_KMSG: /dev/kmsg (under --root) */
} lg = { LOG_TO_STDERR, LOG_LVL_INFO, -1 };

static const char *const names[] = { "error", "warning", "info", "debug" };
static const int prios[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

/* stderr is the journal iff JOURNAL_STREAM names its device and inode */
enum log_target log_default_target(void)
{
#ifdef HAVE_SYSTEMD
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
	    fstat(2, &st) == 0 && (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino)
		return LOG_TO_JOURNAL;
#endif
	return LOG_TO_STDERR;
}

int log_init(enum log_target t)
{
	char p[PATH_MAX];
	int fd;

	if (t == LOG_TO_KMSG) {
		/* under --root, ROOT/dev/kmsg (the host tests) */
		ZPATH(p, "/dev/kmsg");
		fd = open(p, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return -errno;
		if (lg.kmsg_fd >= 0)
			close(lg.kmsg_fd);
		lg.kmsg_fd = fd;
	}
#ifndef HAVE_SYSTEMD
	if (t == LOG_TO_JOURNAL)
		return -ENOTSUP;
#endif
	lg.target = t;
	if (t == LOG_TO_SYSLOG)
		openlog("zpoold", LOG_PID, LOG_DAEMON);
	return 0;
}

void log_set_level(int level)
{
	lg.max_level = level;
}

/*
 * One record per write(2).  The kernel refuses records longer than 992
 * bytes (LOG_LINE_MAX) with EINVAL, so the text is cut to fit.
 */
static void kmsg_emit(int level, const char *text)
{
	char line[960];
	int n;

	n = snprintf(line, sizeof(line), "<%d>zpoold[%ld]: %s: %s\n",
		     LOG_DAEMON | prios[level], (long)getpid(), names[level],
		     text);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = (int)sizeof(line) - 1;
		memcpy(line + n - 4, "...\n", 4);
	}
	if (write(lg.kmsg_fd, line, (size_t)n) < 0) {
		/* nowhere else to say it */
	}
}

static void emit(int level, const char *action, unsigned long pool,
		 const char *text)
{
	if (level > lg.max_level)
		return;
	switch (lg.target) {
	case LOG_TO_JOURNAL:
#ifdef HAVE_SYSTEMD
		if (action)
			sd_journal_send("MESSAGE=%s", text, "PRIORITY=%d",
					prios[level], "ZPOOLD_ACTION=%s", action,
					"ZPOOLD_POOL=%lu", pool,
					"SYSLOG_IDENTIFIER=zpoold", NULL);
		else
			sd_journal_send("MESSAGE=%s", text, "PRIORITY=%d",
					prios[level],
					"SYSLOG_IDENTIFIER=zpoold", NULL);
#else
		(void)action;
		(void)pool;
#endif
		break;
	case LOG_TO_SYSLOG:
		syslog(prios[level], "%s", text);
		break;
	case LOG_TO_KMSG:
		kmsg_emit(level, text);
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

	if (level > lg.max_level)
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

/*
 * The readers' warnings, said once.  The policy loop reads everything each
 * cycle; a warning not given again in a cycle is forgotten at its end (the
 * file recovered or says something else), so it is said again if the file
 * breaks again.  Scrapes read too (HTTP threads): they say what is new and
 * keep the rest alive.
 */
#define WARN_SLOTS 256
static struct {
	pthread_mutex_t lock;
	struct {
		char *text;
		uint64_t gen;	/* the cycle that last said it */
	} said[WARN_SLOTS];
	uint64_t gen;		/* the cycle now */
} once = { .lock = PTHREAD_MUTEX_INITIALIZER, .gen = 1 };

void log_warn_once(const char *text)
{
	bool say = true;
	size_t i, free_slot = WARN_SLOTS;

	pthread_mutex_lock(&once.lock);
	for (i = 0; i < WARN_SLOTS; i++) {
		if (!once.said[i].text) {
			if (free_slot == WARN_SLOTS)
				free_slot = i;
		} else if (!strcmp(once.said[i].text, text)) {
			once.said[i].gen = once.gen;
			say = false;
			break;
		}
	}
	if (say && free_slot < WARN_SLOTS) {
		once.said[free_slot].text = strdup(text);
		once.said[free_slot].gen = once.gen;
	}
	pthread_mutex_unlock(&once.lock);
	if (say)
		zlog(LOG_LVL_WARNING, "%s", text);
}

void log_warn_cycle_end(bool all)
{
	size_t i;

	pthread_mutex_lock(&once.lock);
	for (i = 0; i < WARN_SLOTS; i++)
		if (once.said[i].text &&
		    (all || once.said[i].gen != once.gen)) {
			free(once.said[i].text);
			once.said[i].text = NULL;
		}
	once.gen++;
	pthread_mutex_unlock(&once.lock);
}
