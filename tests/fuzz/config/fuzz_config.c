// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_config.c - libFuzzer harness of zpoold's configuration parser:
 * config_load() (daemon/config.c) on a file holding the input, read
 * through /proc/self/fd of a memfd (no disk).  Besides the sanitizers,
 * it checks what zpoold.json(5) promises: a refused file leaves the
 * configuration untouched and says why, an accepted one is within the
 * documented bounds and rules between keys.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "libzpoolx.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static int fd = -1;
static char path[64];

static void quiet(const char *text)
{
	(void)text;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	zx_warn_hook = quiet;
	fd = memfd_create("zpoold.json", MFD_CLOEXEC);
	if (fd < 0) {
		perror("memfd_create");
		abort();
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return 0;
}

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "fuzz_config: %s:%d: not %s\n",     \
				__FILE__, __LINE__, #cond);                 \
			abort();                                           \
		}                                                          \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char errs[8192];
	struct zcfg c, before;
	int r;

	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	memset(&c, 0x5a, sizeof(c));
	before = c;
	r = config_load(path, &c, errs, sizeof(errs));
	CHECK(r == 0 || r == -1);
	CHECK(memchr(errs, '\0', sizeof(errs)));
	if (r) {
		/* refused: a reason, and *c untouched */
		CHECK(errs[0] != '\0');
		CHECK(!memcmp(&c, &before, sizeof(c)));
		return 0;
	}
	CHECK(errs[0] == '\0');
	/* accepted: the bounds and rules of zpoold.json(5) */
	CHECK(c.interval_ms >= 100 && c.interval_ms <= 60000);
	CHECK(c.log_level >= LOG_LVL_ERROR && c.log_level <= LOG_LVL_DEBUG);
	CHECK(memchr(c.metrics.listen, '\0', sizeof(c.metrics.listen)));
	CHECK(memchr(c.metrics.textfile, '\0', sizeof(c.metrics.textfile)));
	CHECK(c.metrics.max_connections >= 1 && c.metrics.max_connections <= 1024);
	CHECK(c.metrics.timeout_s >= 1 && c.metrics.timeout_s <= 300);
	CHECK(c.metrics.max_request_bytes >= 1024 &&
	      c.metrics.max_request_bytes <= 65536);
	CHECK(c.writeback.low_watermark_percent <
	      c.writeback.high_watermark_percent);
	CHECK(c.writeback.high_watermark_percent <= 100);
	CHECK(c.writeback.max_pages_per_cycle >= 1 &&
	      c.writeback.max_pages_per_cycle <= WRITEBACK_MAX);
	CHECK(c.limit.min_percent >= 1 && c.limit.min_percent <= c.limit.max_percent &&
	      c.limit.max_percent <= 100);
	CHECK(c.limit.lower_psi_some_avg10 < c.limit.raise_psi_some_avg10);
	CHECK(c.backend.policy == BACKEND_NONE || c.backend.policy == BACKEND_FIXED ||
	      c.backend.policy == BACKEND_AUTO);
	CHECK(!strcmp(c.backend.fixed, "zbud") ||
	      !strcmp(c.backend.fixed, "zsmalloc"));
	CHECK(c.backend.zsmalloc_below_object_bytes <
	      c.backend.zbud_above_object_bytes);
	if (c.metrics.textfile[0])
		CHECK(textfile_check(c.metrics.textfile) == NULL);
	{
		struct sockaddr_storage ss;
		char why[512];

		/* the default listen address is kept even when disabled */
		CHECK(parse_listen(c.metrics.listen, &ss, why, sizeof(why)) == 0);
	}
	return 0;
}
