// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_http.c - libFuzzer harness of zpoold's HTTP endpoint: the real
 * daemon/http.c, started once through its public http_start() on a
 * loopback port, gets each input as the bytes of one TCP connection
 * (then the client's end of the stream), and the harness reads the
 * answer to the end.  libmicrohttpd's threads and zpoold's handler run in
 * this process, under the sanitizers.
 *
 * The first input byte chooses whether /healthz is healthy (bit 0); the
 * rest is sent.  What the harness checks of every answer: it is HTTP/1.x
 * with a status zpoold or libmicrohttpd gives (never 5xx but 503 from an
 * unhealthy /healthz and 500 from a failed render), and a 200 for
 * /metrics carries the rendered text.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "http.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const char metrics_text[] =
	"# HELP zpoolx_up Whether zpoold could read zswap.\n"
	"# TYPE zpoolx_up gauge\n"
	"zpoolx_up 1\n"
	"zpoolx_pool_stored_bytes{pool=\"2\",backend=\"zsmalloc\"} 3686400\n";

static atomic_bool healthy;
static struct sockaddr_in addr;
static struct http *server;

static char *render(void *ctx, size_t *len)
{
	char *s = strdup(metrics_text);

	(void)ctx;
	if (s)
		*len = strlen(s);
	return s;
}

static bool health(void *ctx, char *msg, size_t size)
{
	(void)ctx;
	if (atomic_load(&healthy))
		return true;
	snprintf(msg, size, "no policy cycle for 30 s (fuzz)\n");
	return false;
}

static void stop(void)
{
	if (server)
		http_stop(server);
	server = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct zcfg c;
	char why[512];
	socklen_t sl = sizeof(addr);
	int fd, tries;

	(void)argc;
	(void)argv;
	log_init(LOG_TO_STDERR);
	log_set_level(LOG_LVL_ERROR);
	config_defaults(&c);
	c.metrics.timeout_s = 2;
	c.metrics.max_request_bytes = 1024;	/* the least: 431 and 414 reachable */
	/* a free loopback port: bound, read back, released, then used */
	for (tries = 0; tries < 20 && !server; tries++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		memset(&addr, 0, sizeof(addr));
		addr.sin_family = AF_INET;
		addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
		    getsockname(fd, (struct sockaddr *)&addr, &sl)) {
			perror("fuzz_http: socket");
			abort();
		}
		close(fd);
		snprintf(c.metrics.listen, sizeof(c.metrics.listen),
			 "127.0.0.1:%u", ntohs(addr.sin_port));
		server = http_start(&c, render, health, NULL, why, sizeof(why));
	}
	if (!server) {
		fprintf(stderr, "fuzz_http: http_start: %s\n", why);
		abort();
	}
	atexit(stop);
	return 0;
}

#define CHECK(cond, resp)                                                  \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "fuzz_http: %s:%d: not %s; answer: %.300s\n", \
				__FILE__, __LINE__, #cond, resp);           \
			abort();                                           \
		}                                                          \
	} while (0)

/*
 * Whether the answer at @p carries a body: an answer to HEAD has the
 * headers GET would get, Content-Length included, and nothing after them
 * (RFC 9110, 9.3.2), so its headers end the connection's text or are
 * followed by the next answer's status line.
 */
static int has_body(const char *p)
{
	const char *end = strstr(p, "\r\n\r\n");

	if (!end)
		return 0;
	end += 4;
	return *end && strncmp(end, "HTTP/1.", 7) != 0;
}

/* every answer on the connection: a status line and a known status */
static void check_answers(const char *resp)
{
	const char *p = resp;

	while ((p = strstr(p, "HTTP/1."))) {
		unsigned st;

		if (p != resp && p[-1] != '\n') {	/* in a body */
			p++;
			continue;
		}
		CHECK(sscanf(p, "HTTP/1.%*1[01] %3u ", &st) == 1, resp);
		CHECK(st == 200 || st == 400 || st == 404 || st == 405 ||
		      st == 413 || st == 414 || st == 431 || st == 501 ||
		      st == 503 || st == 505 || st == 500 || st == 100, resp);
		if (st == 200 && strstr(p, "version=0.0.4") &&
		    strstr(p, "Content-Length: ") &&
		    !strstr(p, "Content-Length: 0\r\n") && has_body(p))
			CHECK(strstr(p, "zpoolx_up 1\n"), resp);
		p += 8;
	}
}

/*
 * A connection to the endpoint.  Thousands a minute can run out of
 * loopback ports or fill the accept queue for a moment: retried for up to
 * 5 s, then the endpoint is taken to be dead (a finding).
 */
static int connect_server(void)
{
	struct timespec pause = { 0, 20 * 1000000L };
	int fd, i, err = 0;

	for (i = 0; i < 250; i++) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			perror("fuzz_http: socket");
			abort();
		}
		if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
			return fd;
		err = errno;
		close(fd);
		if (err != EADDRNOTAVAIL && err != ECONNREFUSED &&
		    err != EAGAIN && err != ETIMEDOUT && err != EINTR)
			break;
		nanosleep(&pause, NULL);
	}
	fprintf(stderr, "fuzz_http: the endpoint takes no connection: %s\n",
		strerror(err));
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char resp[1 << 16];
	struct timespec t0, t;
	size_t got = 0, off = 0;
	int fd;

	if (size < 1)
		return 0;
	atomic_store(&healthy, data[0] & 1);
	data++;
	size--;
	fd = connect_server();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* send what the server takes (it may close early), then EOF */
	while (off < size) {
		ssize_t n = send(fd, data + off, size - off, MSG_NOSIGNAL);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	/* read to the server's close; a few seconds at most */
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 5)
			break;
		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		n = recv(fd, resp + got, sizeof(resp) - 1 - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == sizeof(resp) - 1)
			got = 0;	/* keep the tail of a long answer */
	}
	resp[got] = '\0';
	close(fd);
	check_answers(resp);
	return 0;
}
