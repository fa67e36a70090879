/* SPDX-License-Identifier: GPL-2.0 */
/*
 * config.h - zpoold's configuration (config.c): struct zcfg, the
 * defaults, and the strict parser of /etc/zpoold/zpoold.json.
 *
 * Owns: nothing that lives on.  struct zcfg is a value: whoever holds one
 * owns it.  The running daemon holds the one in force (zpoold.c, struct
 * shared: replaced whole by a reload, under its lock); each policy cycle
 * works on a copy; --replay and --check-config hold their own.  The key
 * table (keys[] in config.c) is constant.
 *
 * Called by: zpoold.c (start, reload, --check-config, --replay), http.c
 * (parse_listen), the config fuzz harness (tests/fuzz/config).
 */
#ifndef ZPOOLD_CONFIG_H
#define ZPOOLD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "textfile.h"

#define ZPOOLD_DEFAULT_CONFIG "/etc/zpoold/zpoold.json"

enum backend_policy { BACKEND_NONE, BACKEND_FIXED, BACKEND_AUTO };

struct zcfg {
	unsigned interval_ms;
	int log_level;			/* LOG_LVL_* of log.h */
	bool dry_run;
	struct {
		bool enabled;
		char listen[128];
		unsigned max_connections;
		unsigned max_connections_per_address;
		unsigned timeout_s;
		unsigned request_deadline_s;
		unsigned max_request_bytes;
		bool classes;
		char textfile[TEXTFILE_PATH_SIZE]; /* "" or an absolute *.prom path */
	} metrics;
	struct {
		bool enabled;
		unsigned high_watermark_percent;
		unsigned low_watermark_percent;
		unsigned max_pages_per_cycle;
	} writeback;
	struct {
		bool enabled;
		unsigned min_percent, max_percent, step_percent;
		double raise_psi_some_avg10, lower_psi_some_avg10;
		double min_compression_ratio;
		unsigned hold_s;
	} limit;
	struct {
		bool enabled;
		unsigned below_utilisation_percent;
		uint64_t min_pool_bytes;
		unsigned min_interval_s;
	} compaction;
	struct {
		bool enable;			/* keep zswap enabled */
	} zswap;
	struct {
		int policy;			/* enum backend_policy */
		char fixed[16];			/* "zbud" or "zsmalloc" */
		unsigned zsmalloc_below_object_bytes;
		unsigned zbud_above_object_bytes;
		uint64_t min_objects;
		unsigned min_interval_s;
	} backend;
	struct {
		bool enabled;
	} bpf;
};

void config_defaults(struct zcfg *c);
/*
 * Parse FILE into *c.  On error, *c is untouched and errs holds one line
 * per problem ("key.path: reason; accepted: ..."), NUL-separated lines
 * joined with '\n'.  Returns 0 or -1.
 */
int config_load(const char *file, struct zcfg *c, char *errs, size_t errsize);
/* parse a "HOST:PORT" listen address; 0 or -1 with a reason */
struct sockaddr_storage;
int parse_listen(const char *s, struct sockaddr_storage *ss, char *why,
		 size_t whysize);

#endif
