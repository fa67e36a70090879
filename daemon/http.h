/* SPDX-License-Identifier: GPL-2.0 */
/*
 * http.h - the Prometheus endpoint (http.c, on libmicrohttpd): GET and
 * HEAD /metrics and /healthz.  Not built with WITH_HTTP=0 (no HAVE_HTTP).
 *
 * Owns: everything of one server (struct http, defined in http.c only):
 * the libmicrohttpd daemon and its threads, the listening socket, the
 * open connections with their request deadlines and the deadline thread.
 * What it serves is not its own: it calls the render and health callbacks
 * with the context pointer it was started with, from its connection
 * threads, any number at once.
 *
 * Called by: zpoold.c, which starts the daemon's one server at start and
 * at a reload that moves it (render and health callbacks with struct
 * scrape as the context) and stops it at exit; the HTTP fuzz harness
 * (tests/fuzz/http).
 */
#ifndef ZPOOLD_HTTP_H
#define ZPOOLD_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct http;
/* the exposition as a malloc'ed string (freed by http.c), NULL: 500 */
typedef char *(*http_render_fn)(void *ctx, size_t *len);
/* true: 200 "ok"; false: 503 with msg */
typedef bool (*http_health_fn)(void *ctx, char *msg, size_t size);
/*
 * Start listening as c's metrics.* keys say; NULL and a reason on
 * failure.  c is read here only, not kept.
 */
struct http *http_start(const struct zcfg *c, http_render_fn render,
			http_health_fn health, void *ctx, char *why,
			size_t whysize);
/* stop: no callback runs once it returns; NULL is nothing to stop */
void http_stop(struct http *h);

#endif
