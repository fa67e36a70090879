// SPDX-License-Identifier: GPL-2.0
/*
 * http.c - the Prometheus endpoint, on libmicrohttpd with its own thread.
 *
 *   GET /metrics   200, the text exposition (text/plain; version=0.0.4)
 *   GET /healthz   200 "ok" while policy cycles run on time, else 503
 *   other paths    404;  other methods on the two paths: 405 (Allow: GET)
 *   a request body 413
 *
 * Bounds (metrics.* keys): at most max_connections connections at once
 * (more are refused by libmicrohttpd), max_request_bytes of memory per
 * connection (a request line and headers that do not fit are answered
 * 431/414 by libmicrohttpd), timeout_s of idleness before a connection is
 * closed.
 */
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "zpoold.h"

struct http {
	struct MHD_Daemon *d;
	http_render_fn render;
	http_health_fn health;
	void *ctx;
	char lasterr[256];
};

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct http *h = cls;
	size_t n;

	vsnprintf(h->lasterr, sizeof(h->lasterr), fmt, ap);
	n = strlen(h->lasterr);
	while (n && h->lasterr[n - 1] == '\n')
		h->lasterr[--n] = '\0';
	zlog(LOG_LVL_DEBUG, "http: %s", h->lasterr);
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status,
			     const char *text, bool allow_get)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text,
					    MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; charset=utf-8");
	if (allow_get)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct http *h = cls;
	struct MHD_Response *r;
	enum MHD_Result ret;
	const char *cl, *te;
	bool metrics, health;
	char msg[256];
	char *body;
	size_t len;

	(void)version;
	(void)upload_data;
	metrics = !strcmp(url, "/metrics");
	health = !strcmp(url, "/healthz");
	if (!*con_cls) {
		/* first call: headers only; answer now, no body is wanted */
		*con_cls = h;
		if (!metrics && !health)
			return reply(c, MHD_HTTP_NOT_FOUND,
				     "not found: zpoold serves GET /metrics and GET /healthz\n",
				     false);
		if (strcmp(method, MHD_HTTP_METHOD_GET))
			return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				     "method not allowed: only GET is accepted\n",
				     true);
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_CONTENT_LENGTH);
		te = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_TRANSFER_ENCODING);
		if ((cl && strcmp(cl, "0")) || te)
			return reply(c, MHD_HTTP_CONTENT_TOO_LARGE,
				     "a GET request has no body\n", false);
		return MHD_YES;
	}
	if (*upload_data_size)
		return reply(c, MHD_HTTP_CONTENT_TOO_LARGE,
			     "a GET request has no body\n", false);
	if (health) {
		static char ok[] = "ok\n";
		bool good = h->health(h->ctx, msg, sizeof(msg));

		if (good)
			return reply(c, MHD_HTTP_OK, ok, false);
		r = MHD_create_response_from_buffer(strlen(msg), msg,
						    MHD_RESPMEM_MUST_COPY);
		if (!r)
			return MHD_NO;
		ret = MHD_queue_response(c, MHD_HTTP_SERVICE_UNAVAILABLE, r);
		MHD_destroy_response(r);
		return ret;
	}
	body = h->render(h->ctx, &len);
	if (!body)
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
			     "out of memory\n", false);
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; version=0.0.4; charset=utf-8");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

struct http *http_start(const struct zcfg *c, http_render_fn render,
			http_health_fn health, void *ctx, char *why,
			size_t whysize)
{
	struct sockaddr_storage ss;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	struct http *h;

	if (parse_listen(c->metrics.listen, &ss, why, whysize))
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(why, whysize, "out of memory");
		return NULL;
	}
	h->render = render;
	h->health = health;
	h->ctx = ctx;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	errno = 0;
	h->d = MHD_start_daemon(
		flags, 0, NULL, NULL, handle, h,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)c->metrics.max_connections,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)c->metrics.timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)c->metrics.max_request_bytes,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, 32u, MHD_OPTION_END);
	if (!h->d) {
		snprintf(why, whysize, "cannot listen on %s: %s",
			 c->metrics.listen,
			 h->lasterr[0] ? h->lasterr :
			 errno ? strerror(errno) : "libmicrohttpd refused to start");
		free(h);
		return NULL;
	}
	return h;
}

void http_stop(struct http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	free(h);
}
