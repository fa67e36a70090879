// SPDX-License-Identifier: GPL-2.0
/*
 * bpf.c - zpoolctl bpf: attach the BPF programs of bpf/ (through
 * libzpoolx_bpf, bpf/zpoolx_bpf.h), let them count for an interval or for
 * the run of a command, and print the per-pool counters and the log2
 * histograms, as text or with --json.
 *
 *   zpoolctl bpf                       count for --interval (default 1 s)
 *   zpoolctl bpf -i 5 --iterations 3   print every 5 s, 3 times (counts
 *                                      are cumulative since attach)
 *   zpoolctl bpf --run 'CMD'           count while /bin/sh -c CMD runs
 *
 * Everything counted is "since attach".  BPF reads the running kernel, so
 * --root (a fake tree) is refused with exit 3.
 */
#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zpoolctl.h"
#include "../bpf/zpoolx_bpf.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* sleep @ms unless a signal asks to stop; false if stopped */
static bool nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (!stop && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	return !stop;
}

/* the pool's backend and creator name from sysfs, "" when gone */
static void pool_label(uint32_t id, char *backend, size_t bsize, char *name,
		       size_t nsize)
{
	char path[512];

	if (read_small(ZPATH(path, "/sys/kernel/zpoolx/pools/%u/backend", id),
		       backend, bsize) < 0)
		backend[0] = '\0';
	if (read_small(ZPATH(path, "/sys/kernel/zpoolx/pools/%u/name", id),
		       name, nsize) < 0)
		name[0] = '\0';
	sanitize(backend);
	sanitize(name);
}

static void attach_lists(uint32_t mask, char *on, size_t onsize, char *off,
			 size_t offsize)
{
	size_t a = 0, b = 0;
	unsigned int i;
	int w;

	on[0] = off[0] = '\0';
	for (i = 0; i < 8; i++) {
		bool in = mask & (1u << i);
		char *buf = in ? on : off;
		size_t *len = in ? &a : &b, size = in ? onsize : offsize;

		if (*len >= size)
			continue;
		w = snprintf(buf + *len, size - *len, "%s%s", *len ? " " : "",
			     zpx_bpf_attach_name(i));
		if (w > 0)
			*len += (size_t)w;
	}
}

/* ---- text ---- */

static void print_line(const char *key, uint64_t v)
{
	printf("  %-22s %20llu\n", key, (unsigned long long)v);
}

static void print_sline(const char *key, int64_t v)
{
	printf("  %-22s %+20lld\n", key, (long long)v);
}

static void print_hist(unsigned int id, const struct zpx_bpf_hist *h)
{
	int first = -1, last = -1, i, j, width;
	uint64_t max = 0;

	printf("\n%s (%s): %llu samples", zpx_bpf_hist_name(id),
	       zpx_bpf_hist_unit(id), (unsigned long long)h->count);
	if (h->count)
		printf(", mean %llu %s", (unsigned long long)(h->sum / h->count),
		       zpx_bpf_hist_unit(id));
	putchar('\n');
	for (i = 0; i < ZPX_BPF_HIST_BUCKETS; i++) {
		if (!h->buckets[i])
			continue;
		if (first < 0)
			first = i;
		last = i;
		if (h->buckets[i] > max)
			max = h->buckets[i];
	}
	if (first < 0)
		return;
	printf("  %21s %12s  %s\n", "range", "count", "distribution");
	for (i = first; i <= last; i++) {
		uint64_t c = h->buckets[i];

		width = max ? (int)((c * 40 + max - 1) / max) : 0;
		printf("  %9llu -> %-9llu %12llu |",
		       (unsigned long long)zpx_bpf_bucket_low((unsigned)i),
		       (unsigned long long)zpx_bpf_bucket_high((unsigned)i),
		       (unsigned long long)c);
		for (j = 0; j < 40; j++)
			putchar(j < width ? '*' : ' ');
		puts("|");
	}
}

static void print_text(const struct zpx_bpf_stats *st, const char *why)
{
	char on[256], off[256], backend[64], name[64];
	unsigned int i;

	attach_lists(st->attached, on, sizeof(on), off, sizeof(off));
	printf("BPF statistics over %.3f s\n", st->elapsed_ns / 1e9);
	printf("attached: %s\n", on[0] ? on : "nothing");
	if (off[0])
		printf("not attached: %s%s%s\n", off, why && why[0] ? ": " : "",
		       why ? why : "");
	if (!st->npools)
		printf("\nno zpoolx pool had an event\n");
	for (i = 0; i < st->npools; i++) {
		const struct zpx_bpf_pool *p = &st->pools[i];

		pool_label(p->pool_id, backend, sizeof(backend), name,
			   sizeof(name));
		printf("\npool %u%s%s%s%s\n", p->pool_id, backend[0] ? " " : "",
		       backend, name[0] ? " " : "", name);
		print_line("allocs", p->allocs);
		print_line("alloc_failures", p->alloc_failures);
		print_line("alloc_rejects", p->alloc_rejects);
		print_line("alloc_bytes", p->alloc_bytes);
		print_line("alloc_slot_bytes", p->alloc_slot_bytes);
		print_line("frees", p->frees);
		print_line("free_bytes", p->free_bytes);
		print_sline("objects_delta", p->objects_delta);
		print_sline("stored_bytes_delta", p->stored_bytes_delta);
		print_line("evict_attempted", p->evict_attempted);
		print_line("evict_succeeded", p->evict_succeeded);
		print_line("evict_failed", p->evict_failed);
		print_line("evict_ns", p->evict_ns);
		print_line("reclaim_calls", p->reclaim_calls);
		print_line("reclaim_requested", p->reclaim_requested);
		print_line("reclaimed_pages", p->reclaimed_pages);
		print_line("reclaim_errors", p->reclaim_errors);
		print_line("compactions", p->compactions);
		print_line("compact_pages_freed", p->compact_pages_freed);
		print_line("isolated", p->isolated);
		print_line("isolate_failed", p->isolate_failed);
		print_line("migrated", p->migrated);
		print_line("migrate_failures", p->migrate_failures);
		print_line("putback", p->putback);
	}
	if (st->pools_dropped)
		printf("(%u pools with lower ids not shown)\n", st->pools_dropped);
	if (st->pool_events_lost)
		printf("(%llu events of older pools not counted: 1024 or more pools were created while they lived)\n",
		       (unsigned long long)st->pool_events_lost);
	printf("\nzswap\n");
	print_line("stores", st->zswap.stores);
	print_line("store_failures", st->zswap.store_failures);
	print_line("loads", st->zswap.loads);
	print_line("load_failures", st->zswap.load_failures);
	for (i = 0; i < ZPX_BPF_NR_HISTS; i++)
		print_hist(i, &st->hist[i]);
}

/* ---- JSON ---- */

#define JU(o, k, v) json_object_object_add(o, k, json_object_new_uint64(v))
#define JI(o, k, v) json_object_object_add(o, k, json_object_new_int64(v))

static struct json_object *json_stats(const struct zpx_bpf_stats *st,
				      const char *why)
{
	struct json_object *o = json_object_new_object(), *a, *m, *p, *h, *b;
	char backend[64], name[64];
	unsigned int i, j;

	JU(o, "elapsed_ns", st->elapsed_ns);
	a = json_object_new_array();
	m = json_object_new_array();
	for (i = 0; i < 8; i++)
		json_object_array_add(st->attached & (1u << i) ? a : m,
				      json_object_new_string(zpx_bpf_attach_name(i)));
	json_object_object_add(o, "attached", a);
	json_object_object_add(o, "not_attached", m);
	json_object_object_add(o, "partial_reason",
			       why && why[0] ? json_object_new_string(why) : NULL);
	a = json_object_new_array();
	for (i = 0; i < st->npools; i++) {
		const struct zpx_bpf_pool *x = &st->pools[i];

		p = json_object_new_object();
		pool_label(x->pool_id, backend, sizeof(backend), name,
			   sizeof(name));
		JU(p, "id", x->pool_id);
		json_object_object_add(p, "backend", backend[0] ?
				       json_object_new_string(backend) : NULL);
		json_object_object_add(p, "name", name[0] ?
				       json_object_new_string(name) : NULL);
		JU(p, "allocs", x->allocs);
		JU(p, "alloc_failures", x->alloc_failures);
		JU(p, "alloc_rejects", x->alloc_rejects);
		JU(p, "alloc_bytes", x->alloc_bytes);
		JU(p, "alloc_slot_bytes", x->alloc_slot_bytes);
		JU(p, "frees", x->frees);
		JU(p, "free_bytes", x->free_bytes);
		JI(p, "objects_delta", x->objects_delta);
		JI(p, "stored_bytes_delta", x->stored_bytes_delta);
		JU(p, "evict_attempted", x->evict_attempted);
		JU(p, "evict_succeeded", x->evict_succeeded);
		JU(p, "evict_failed", x->evict_failed);
		JU(p, "evict_ns", x->evict_ns);
		JU(p, "reclaim_calls", x->reclaim_calls);
		JU(p, "reclaim_requested", x->reclaim_requested);
		JU(p, "reclaimed_pages", x->reclaimed_pages);
		JU(p, "reclaim_errors", x->reclaim_errors);
		JU(p, "compactions", x->compactions);
		JU(p, "compact_pages_freed", x->compact_pages_freed);
		JU(p, "isolated", x->isolated);
		JU(p, "isolate_failed", x->isolate_failed);
		JU(p, "migrated", x->migrated);
		JU(p, "migrate_failures", x->migrate_failures);
		JU(p, "putback", x->putback);
		json_object_array_add(a, p);
	}
	json_object_object_add(o, "pools", a);
	JU(o, "pools_dropped", st->pools_dropped);
	JU(o, "pool_events_lost", st->pool_events_lost);
	p = json_object_new_object();
	JU(p, "stores", st->zswap.stores);
	JU(p, "store_failures", st->zswap.store_failures);
	JU(p, "loads", st->zswap.loads);
	JU(p, "load_failures", st->zswap.load_failures);
	json_object_object_add(o, "zswap", p);
	h = json_object_new_object();
	for (i = 0; i < ZPX_BPF_NR_HISTS; i++) {
		const struct zpx_bpf_hist *x = &st->hist[i];

		p = json_object_new_object();
		json_object_object_add(p, "unit",
				       json_object_new_string(zpx_bpf_hist_unit(i)));
		JU(p, "count", x->count);
		JU(p, "sum", x->sum);
		a = json_object_new_array();
		for (j = 0; j < ZPX_BPF_HIST_BUCKETS; j++) {
			if (!x->buckets[j])
				continue;
			b = json_object_new_object();
			JU(b, "low", zpx_bpf_bucket_low(j));
			JU(b, "high", zpx_bpf_bucket_high(j));
			JU(b, "count", x->buckets[j]);
			json_object_array_add(a, b);
		}
		json_object_object_add(p, "buckets", a);
		json_object_object_add(h, zpx_bpf_hist_name(i), p);
	}
	json_object_object_add(o, "histograms", h);
	return o;
}

static int show(struct zpx_bpf *b, const char *why, struct json_object *cmd)
{
	static struct zpx_bpf_stats st;
	struct zpx_bpf_error err;
	struct json_object *o;

	if (zpx_bpf_read(b, &st, &err) != ZPX_BPF_OK) {
		json_object_put(cmd);
		return fail(EXIT_FAIL, "bpf: %s", err.msg);
	}
	if (opt.json) {
		o = json_stats(&st, why);
		if (cmd)
			json_object_object_add(o, "command", cmd);
		json_print(o);
	} else {
		json_object_put(cmd);
		print_text(&st, why);
	}
	fflush(stdout);
	return EXIT_OK;
}

/*
 * run /bin/sh -c CMD, return its wait status or -1.  With --json the
 * command's standard output goes to standard error, so that standard
 * output holds the JSON only.
 */
static int run_command(const char *cmd)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (opt.json && dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

int cmd_bpf(int argc, char **argv)
{
	struct zpx_bpf_error err;
	struct json_object *cmd = NULL;
	struct sigaction sa;
	struct zpx_bpf *b;
	char why[sizeof(err.msg)] = "";
	long n, iterations = opt.iterations ? opt.iterations : 1;
	int r, ret = EXIT_OK, status;

	(void)argc;
	(void)argv;
	if (opt.run && (opt.interval_given || opt.iterations))
		return fail(EXIT_USAGE,
			    "bpf: --run counts for the run of the command; it excludes --interval and --iterations");
	if (opt.run && !opt.run[0])
		return fail(EXIT_USAGE, "bpf: --run: expected a shell command");
	if (opt.root_given)
		return fail(EXIT_UNAVAIL,
			    "bpf: BPF statistics come from the running kernel; not available with --root");

	r = zpx_bpf_open(&b, 0, &err);
	if (r < 0) {
		if (r == ZPX_BPF_E_PERM)
			return fail(EXIT_PERM, "bpf: %s", err.msg);
		return fail(r == ZPX_BPF_E_NOMEM || r == ZPX_BPF_E_INVAL ?
			    EXIT_FAIL : EXIT_UNAVAIL,
			    "bpf: %s: %s", zpx_bpf_strerror(r), err.msg);
	}
	if (r == ZPX_BPF_PARTIAL) {
		snprintf(why, sizeof(why), "%s", err.msg);
		msg_warn("bpf: partial: %s", err.msg);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (opt.run) {
		status = run_command(opt.run);
		cmd = json_object_new_object();
		json_object_object_add(cmd, "run", json_object_new_string(opt.run));
		if (status < 0) {
			msg_err("bpf: --run: cannot run /bin/sh: %s", strerror(errno));
			ret = EXIT_FAIL;
		} else if (WIFEXITED(status)) {
			json_object_object_add(cmd, "exit_status",
					       json_object_new_int(WEXITSTATUS(status)));
			if (WEXITSTATUS(status)) {
				msg_err("bpf: --run: the command exited with status %d",
					WEXITSTATUS(status));
				ret = EXIT_FAIL;
			}
		} else if (WIFSIGNALED(status)) {
			json_object_object_add(cmd, "signal",
					       json_object_new_int(WTERMSIG(status)));
			msg_err("bpf: --run: the command was killed by signal %d",
				WTERMSIG(status));
			ret = EXIT_FAIL;
		}
		r = show(b, why, cmd);
		if (r != EXIT_OK)
			ret = r;
	} else {
		for (n = 0; n < iterations; n++) {
			bool more = nap(opt.interval_ms);

			if (n && !opt.json)
				putchar('\n');
			r = show(b, why, NULL);
			if (r != EXIT_OK) {
				ret = r;
				break;
			}
			if (!more)
				break;
		}
	}
	zpx_bpf_destroy(b);
	return ret;
}
