// SPDX-License-Identifier: GPL-2.0
/*
 * http.c - the Prometheus endpoint, on libmicrohttpd.
 *
 *   GET|HEAD /metrics   200, the text exposition (text/plain; version=0.0.4)
 *   GET|HEAD /healthz   200 "ok" while policy cycles run on time, else 503
 *   other paths         404;  other methods on the two paths: 405
 *                       (Allow: GET, HEAD)
 *   a request body      413
 *   HTTP/1.1 without Host, two Content-Length headers, bytes that are not
 *   HTTP: 400 and the connection is closed
 *
 * Threading: one thread per connection (MHD_USE_THREAD_PER_CONNECTION,
 * with libmicrohttpd's internal thread accepting).  A scrape that renders
 * (the render callback reads /sys and formats, up to a few hundred ms on a
 * device with many pools) blocks only its own connection; /healthz on
 * another connection is answered by another thread, and the health
 * callback takes no lock a render holds.  Rendering off the request thread
 * would need suspend/resume and a queue for the same effect; a thread per
 * connection is simpler, and bounded: at most max_connections threads, at
 * most max_connections_per_address of them for one client address.  The
 * render callback caches (zpoold.c), so N concurrent scrapes cost one
 * render.
 *
 * Bounds (metrics.* keys): at most max_connections connections at once
 * (more are refused by libmicrohttpd), at most max_connections_per_address
 * from one address, max_request_bytes of memory per connection (a request
 * line and headers that do not fit are answered 431/414 by
 * libmicrohttpd), timeout_s of idleness before a connection is closed, and
 * request_deadline_s for a whole request: from the accept, or from the end
 * of the previous response on a kept-alive connection, to the complete
 * request.  libmicrohttpd's timeout is an idle one, which a client
 * dripping a byte now and then never reaches; the deadline is kept here:
 * MHD_OPTION_NOTIFY_CONNECTION registers each connection with its socket
 * and start time, the access handler clears the time once the request is
 * complete, MHD_OPTION_NOTIFY_COMPLETED sets it again after a response,
 * and a watchdog thread shuts down (shutdown(2)) the socket of a
 * connection past its deadline; its thread then sees the end of the
 * stream and libmicrohttpd closes the connection.  The list is under
 * conn_lock, and a connection leaves it (NOTIFY_CLOSED) before its socket
 * is closed, so the watchdog never touches a reused descriptor.
 *
 * The listening socket is bound here (MHD_OPTION_LISTEN_SOCKET), so that
 * a failure names the address and port and the reason.
 *
 * State: all of a server's is in its struct http (http.h), passed to
 * every libmicrohttpd callback as its closure; nothing is file-scope.
 */
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "log.h"

struct conn {
	int fd;
	uint64_t start_ms;		/* 0: a request is being answered */
	bool cut;			/* shut down past its deadline */
	struct conn *prev, *next;
};

struct http {
	struct MHD_Daemon *d;
	http_render_fn render;
	http_health_fn health;
	void *ctx;
	char lasterr[256];
	uint64_t deadline_ms;
	pthread_mutex_t conn_lock;
	pthread_cond_t stop_cv;
	bool stopping;
	bool watchdog_running;
	pthread_t watchdog;
	struct conn *conns;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

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

/* ---- connections and their deadlines ---- */

static struct conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

static void notify_conn(void *cls, struct MHD_Connection *c,
			void **socket_context,
			enum MHD_ConnectionNotificationCode code)
{
	struct http *h = cls;
	const union MHD_ConnectionInfo *ci;
	struct conn *k;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		k = calloc(1, sizeof(*k));
		if (!k || !ci) {
			free(k);
			return;
		}
		k->fd = ci->connect_fd;
		k->start_ms = now_ms();
		pthread_mutex_lock(&h->conn_lock);
		k->next = h->conns;
		if (h->conns)
			h->conns->prev = k;
		h->conns = k;
		pthread_mutex_unlock(&h->conn_lock);
		*socket_context = k;
		return;
	}
	/* MHD_CONNECTION_NOTIFY_CLOSED: before the socket is closed */
	k = *socket_context;
	if (!k)
		return;
	pthread_mutex_lock(&h->conn_lock);
	if (k->prev)
		k->prev->next = k->next;
	else
		h->conns = k->next;
	if (k->next)
		k->next->prev = k->prev;
	pthread_mutex_unlock(&h->conn_lock);
	*socket_context = NULL;
	free(k);
}

/* set (start of a wait for a request) or clear (request complete) */
static void conn_mark(struct http *h, struct MHD_Connection *c, bool waiting)
{
	struct conn *k = conn_of(c);

	if (!k)
		return;
	pthread_mutex_lock(&h->conn_lock);
	k->start_ms = waiting ? now_ms() : 0;
	pthread_mutex_unlock(&h->conn_lock);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	(void)toe;
	*con_cls = NULL;
	conn_mark(cls, c, true);
}

static void *watchdog(void *arg)
{
	struct http *h = arg;
	struct timespec ts;
	struct conn *k;
	uint64_t now;

	pthread_mutex_lock(&h->conn_lock);
	while (!h->stopping) {
		now = now_ms();
		for (k = h->conns; k; k = k->next) {
			if (k->cut || !k->start_ms ||
			    now - k->start_ms < h->deadline_ms)
				continue;
			/* the connection's thread sees the end and closes it */
			shutdown(k->fd, SHUT_RDWR);
			k->cut = true;
			zlog(LOG_LVL_DEBUG, "http: a connection without a complete request after %llu ms closed (metrics.request_deadline_s)",
			     (unsigned long long)(now - k->start_ms));
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&h->stop_cv, &h->conn_lock, &ts);
	}
	pthread_mutex_unlock(&h->conn_lock);
	return NULL;
}

/* ---- answers ---- */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status,
			     const char *text, bool allow, bool close)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text,
					    MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; charset=utf-8");
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	if (close)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result count_cl(void *cls, enum MHD_ValueKind kind,
				const char *key, const char *value)
{
	unsigned *n = cls;

	(void)kind;
	(void)value;
	if (!strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH))
		(*n)++;
	return MHD_YES;
}

/* an HTTP method is a token (RFC 9110, 5.6.2) */
static bool is_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || strchr("!#$%&'*+-.^_`|~", *s)))
			return false;
	return true;
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
	unsigned ncl = 0;
	char msg[256];
	char *body;
	size_t len;

	(void)upload_data;
	metrics = !strcmp(url, "/metrics");
	health = !strcmp(url, "/healthz");
	if (!*con_cls) {
		/* first call: the request line and headers are complete */
		*con_cls = h;
		conn_mark(h, c, false);
		if (!is_token(method))
			return reply(c, MHD_HTTP_BAD_REQUEST,
				     "bad request: this is not an HTTP request\n",
				     false, true);
		if (!strcmp(version, MHD_HTTP_VERSION_1_1) &&
		    !MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_HOST))
			return reply(c, MHD_HTTP_BAD_REQUEST,
				     "bad request: HTTP/1.1 needs a Host header\n",
				     false, true);
		MHD_get_connection_values(c, MHD_HEADER_KIND, count_cl, &ncl);
		if (ncl > 1)
			return reply(c, MHD_HTTP_BAD_REQUEST,
				     "bad request: more than one Content-Length header\n",
				     false, true);
		if (!metrics && !health)
			return reply(c, MHD_HTTP_NOT_FOUND,
				     "not found: zpoold serves GET /metrics and GET /healthz\n",
				     false, false);
		if (strcmp(method, MHD_HTTP_METHOD_GET) &&
		    strcmp(method, MHD_HTTP_METHOD_HEAD))
			return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				     "method not allowed: only GET and HEAD are accepted\n",
				     true, false);
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_CONTENT_LENGTH);
		te = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_TRANSFER_ENCODING);
		if ((cl && strcmp(cl, "0")) || te)
			return reply(c, MHD_HTTP_CONTENT_TOO_LARGE,
				     "a GET request has no body\n", false,
				     false);
		return MHD_YES;
	}
	if (*upload_data_size)
		return reply(c, MHD_HTTP_CONTENT_TOO_LARGE,
			     "a GET request has no body\n", false, false);
	if (health) {
		bool good = h->health(h->ctx, msg, sizeof(msg));

		if (good)
			return reply(c, MHD_HTTP_OK, "ok\n", false, false);
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
			     "out of memory\n", false, false);
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

/* ---- start and stop ---- */

/* the listening socket of ss; -1 with the reason, address and port */
static int listen_on(const char *listen_text, const struct sockaddr_storage *ss,
		     char *why, size_t whysize)
{
	socklen_t sl = ss->ss_family == AF_INET6 ?
			       sizeof(struct sockaddr_in6) :
			       sizeof(struct sockaddr_in);
	char addr[INET6_ADDRSTRLEN] = "?";
	unsigned port;
	int fd, one = 1;

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)ss;

		inet_ntop(AF_INET6, &a->sin6_addr, addr, sizeof(addr));
		port = ntohs(a->sin6_port);
	} else {
		const struct sockaddr_in *a = (const void *)ss;

		inet_ntop(AF_INET, &a->sin_addr, addr, sizeof(addr));
		port = ntohs(a->sin_port);
	}
	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(why, whysize, "cannot listen on %s: socket: %s",
			 listen_text, strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, sl) < 0) {
		snprintf(why, whysize,
			 "cannot listen on %s: cannot bind to address %s port %u: %s",
			 listen_text, addr, port, strerror(errno));
		close(fd);
		return -1;
	}
	if (listen(fd, 32) < 0) {
		snprintf(why, whysize,
			 "cannot listen on %s: address %s port %u: listen: %s",
			 listen_text, addr, port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct http *http_start(const struct zcfg *c, http_render_fn render,
			http_health_fn health, void *ctx, char *why,
			size_t whysize)
{
	struct sockaddr_storage ss;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
			 MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
			 MHD_USE_ERROR_LOG;
	struct http *h;
	int fd;

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
	h->deadline_ms = (uint64_t)c->metrics.request_deadline_s * 1000;
	pthread_mutex_init(&h->conn_lock, NULL);
	pthread_cond_init(&h->stop_cv, NULL);
	fd = listen_on(c->metrics.listen, &ss, why, whysize);
	if (fd < 0)
		goto fail;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->d = MHD_start_daemon(
		flags, 0, NULL, NULL, handle, h,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,
		MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)c->metrics.max_connections,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned)(c->metrics.max_connections_per_address <
					   c->metrics.max_connections ?
				   c->metrics.max_connections_per_address :
				   c->metrics.max_connections),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)c->metrics.timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)c->metrics.max_request_bytes,
		MHD_OPTION_NOTIFY_CONNECTION, notify_conn, h,
		MHD_OPTION_NOTIFY_COMPLETED, completed, h,
		MHD_OPTION_END);
	if (!h->d) {
		snprintf(why, whysize, "cannot listen on %s: %s",
			 c->metrics.listen,
			 h->lasterr[0] ? h->lasterr :
					 "libmicrohttpd refused to start");
		close(fd);
		goto fail;
	}
	if (pthread_create(&h->watchdog, NULL, watchdog, h)) {
		snprintf(why, whysize, "cannot listen on %s: cannot start the request deadline thread",
			 c->metrics.listen);
		MHD_stop_daemon(h->d);
		goto fail;
	}
	h->watchdog_running = true;
	return h;
fail:
	pthread_cond_destroy(&h->stop_cv);
	pthread_mutex_destroy(&h->conn_lock);
	free(h);
	return NULL;
}

void http_stop(struct http *h)
{
	if (!h)
		return;
	if (h->watchdog_running) {
		pthread_mutex_lock(&h->conn_lock);
		h->stopping = true;
		pthread_cond_signal(&h->stop_cv);
		pthread_mutex_unlock(&h->conn_lock);
		pthread_join(h->watchdog, NULL);
	}
	MHD_stop_daemon(h->d);
	pthread_cond_destroy(&h->stop_cv);
	pthread_mutex_destroy(&h->conn_lock);
	free(h);
}
