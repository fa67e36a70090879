/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpfstats.h - the BPF statistics (bpfstats.c, on bpf/libzpoolx_bpf.a):
 * an opaque handle, opened, read into Prometheus families, closed.
 *
 * Owns: everything of one handle (struct bpfstats, defined in bpfstats.c
 * only): the loaded and attached programs, the buffer a reading goes into,
 * when the attachments were last retried.  Nothing outside a handle.
 *
 * Called by: zpoold.c, which opens and closes the daemon's one handle
 * (at start and at a reload that turns bpf.enabled on or off) and keeps
 * it in struct shared, under its lock; metrics.c (metrics_render) writes
 * a handle's families, under that lock, from the policy loop (the metrics
 * file) or a scrape.  The host tests' bpfhist.c calls bpfstats_format.
 */
#ifndef ZPOOLD_BPFSTATS_H
#define ZPOOLD_BPFSTATS_H

#include <stddef.h>
#include <stdio.h>

struct bpfstats;
/* NULL and a reason when BPF is unavailable or not built in */
struct bpfstats *bpfstats_open(char *why, size_t whysize);
void bpfstats_close(struct bpfstats *b);
/*
 * Read b and write its families to f; 0 or -1 (with reason in why).
 * One caller at a time per handle (it retries attaching, and reads into
 * the handle's buffer).
 */
int bpfstats_write(struct bpfstats *b, FILE *f, char *why, size_t whysize);
#ifdef HAVE_BPF
struct zpx_bpf_stats;
/* the families of one reading (no I/O but f): for the host tests too */
void bpfstats_format(const struct zpx_bpf_stats *st, FILE *f);
#endif

#endif
