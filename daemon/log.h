/* SPDX-License-Identifier: GPL-2.0 */
/*
 * log.h - zpoold's logger (log.c): where messages go (the journal,
 * syslog, the kernel log or stderr), the level below which they are
 * dropped, and the readers' warnings said once.
 *
 * Owns: the one process-wide logger state, file-scope in log.c: the
 * target, the level, the /dev/kmsg descriptor and the table of warnings
 * already said.  It is process-wide because a logger is: every part and
 * every thread logs (the policy loop, libmicrohttpd's threads, the BPF
 * handle), and lib/'s warning hook (zx_warn_hook) takes no context.
 * Nothing else in zpoold is file-scope state.
 *
 * Called by: zpoold.c's main, which sets the target (log_init) and the
 * level (log_set_level, again at each reload) before it starts any
 * thread, and installs log_warn_once as lib/'s zx_warn_hook; every part
 * logs with zlog; the executor (zpoold.c) with zlog_decision; the policy
 * loop ends a cycle's warnings with log_warn_cycle_end.
 */
#ifndef ZPOOLD_LOG_H
#define ZPOOLD_LOG_H

#include <stdbool.h>

/* the levels of zlog and of the configuration's log_level */
enum { LOG_LVL_ERROR, LOG_LVL_WARNING, LOG_LVL_INFO, LOG_LVL_DEBUG };

enum log_target { LOG_TO_STDERR, LOG_TO_JOURNAL, LOG_TO_SYSLOG, LOG_TO_KMSG };
/* 0, or -errno: kmsg cannot be opened, journal not built in (-ENOTSUP) */
int log_init(enum log_target t);
/* the journal when stderr is a systemd service's journal stream, else stderr */
enum log_target log_default_target(void);
void log_set_level(int level);
void zlog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* a decision: journal fields ZPOOLD_ACTION and ZPOOLD_POOL as well */
void zlog_decision(const char *action, unsigned long pool, const char *text);

/*
 * The readers' warnings (a malformed sysfs file), said once: lib/'s
 * zx_warn_hook.  A text already said is not said again until a policy
 * cycle ends without it (log_warn_cycle_end: the file recovered or says
 * something else); all forgets every text (at exit).  Thread-safe: HTTP
 * scrapes read /sys too.
 */
void log_warn_once(const char *text);
void log_warn_cycle_end(bool all);

#endif
