// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_cmdline.c - libFuzzer harness of zpoolctl's command line:
 * parse_cmdline() (zpoolctl/zpoolctl.c) on an argv made of the input, its
 * NUL-separated parts (at most 32), and escape_str() (zpoolctl/util.c),
 * which every message uses, on each of them.  No command runs: a command
 * could write to the real /sys.
 *
 * Checked besides the sanitizers: the parse ends in an exit code of
 * zpoolctl(8) or in a command with the option values in their documented
 * ranges; an escaped string has no control character, is valid UTF-8,
 * fits its buffer and unescapes to the original.
 */
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "zpoolctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "fuzz_cmdline: %s:%d: not %s\n",    \
				__FILE__, __LINE__, #cond);                 \
			abort();                                           \
		}                                                          \
	} while (0)

static const char *const commands[] = {
	"status", "set-backend", "set-compressor", "set-limit",
	"set-accept-threshold", "enable", "disable", "compact", "writeback",
	"stats", "top", "doctor", "advise", "bpf",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	zx_progname = "zpoolctl";
	zx_warn_hook = warn_escaped;
	CHECK(setlocale(LC_CTYPE, "C.UTF-8"));
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* the escaped form back to bytes; length, or -1 if it is not one */
static long unescape(const char *s, char *out)
{
	long n = 0;

	while (*s) {
		if (*s != '\\') {
			out[n++] = *s++;
			continue;
		}
		switch (s[1]) {
		case 'n': out[n++] = '\n'; s += 2; break;
		case 'r': out[n++] = '\r'; s += 2; break;
		case 't': out[n++] = '\t'; s += 2; break;
		case '\\': out[n++] = '\\'; s += 2; break;
		case 'x':
			if (hexval(s[2]) < 0 || hexval(s[3]) < 0)
				return -1;
			out[n++] = (char)(hexval(s[2]) * 16 + hexval(s[3]));
			s += 4;
			break;
		default:
			return -1;
		}
	}
	out[n] = '\0';
	return n;
}

static void check_escape(const char *arg)
{
	size_t len = strlen(arg), size = ESCAPED_SIZE(len), i;
	char *e = malloc(size), *back = malloc(len + 1), small[9];
	mbstate_t mb;
	const char *p;

	CHECK(e && back);
	CHECK(escape_str(e, size, arg) == e);
	CHECK(strlen(e) < size);
	for (i = 0; e[i]; i++)
		CHECK((unsigned char)e[i] >= 0x20 && e[i] != 0x7f);
	memset(&mb, 0, sizeof(mb));
	p = e;
	CHECK(mbsrtowcs(NULL, &p, 0, &mb) != (size_t)-1);
	for (p = e; *p; p++)	/* no C1 control U+0080..U+009F */
		CHECK(!((unsigned char)p[0] == 0xc2 &&
			(unsigned char)p[1] >= 0x80 &&
			(unsigned char)p[1] <= 0x9f));
	CHECK(unescape(e, back) == (long)len && !memcmp(back, arg, len));
	/* a short buffer: a prefix, never half an escape */
	escape_str(small, sizeof(small), arg);
	CHECK(strlen(small) < sizeof(small));
	CHECK(!strncmp(small, e, strlen(small)));
	CHECK(unescape(small, back) >= 0);
	free(e);
	free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *argv[34];
	struct cmdline cl;
	int argc = 0, ret, i;
	size_t off = 0;

	buf = malloc(size + 1);
	CHECK(buf);
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = "zpoolctl";
	while (off <= size && argc < 33) {
		argv[argc++] = buf + off;
		off += strlen(buf + off) + 1;
	}
	argv[argc] = NULL;
	for (i = 1; i < argc; i++)
		check_escape(argv[i]);

	cmdline_reset();
	ret = parse_cmdline(argc, argv, &cl);
	if (ret >= 0) {
		CHECK(ret == EXIT_OK || ret == EXIT_USAGE);
	} else {
		size_t k;

		CHECK(ret == -1);
		for (k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
			if (!strcmp(cl.name, commands[k]))
				break;
		CHECK(k < sizeof(commands) / sizeof(commands[0]));
		CHECK(cl.nargs >= 0 && cl.nargs <= 2);
		for (i = 0; i < cl.nargs; i++)
			CHECK(cl.args[i] != NULL);
		CHECK(opt.interval_ms >= 10 && opt.interval_ms <= 3600000);
		CHECK(opt.iterations >= 0 && opt.iterations <= 1000000);
		CHECK(opt.pid >= 0 && opt.pid <= 4194304);
		CHECK(opt.samples >= 1 && opt.samples <= 65536);
		CHECK(!(opt.file && opt.pid));
		CHECK(!opt.file || opt.file[0]);
		/* --root: the prefix without a trailing '/' ("/" is "") */
		CHECK(opt.root && (opt.root_given || !opt.root[0]));
		CHECK(!opt.root[0] || opt.root[strlen(opt.root) - 1] != '/');
	}
	free(buf);
	return 0;
}
