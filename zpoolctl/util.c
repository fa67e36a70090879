// SPDX-License-Identifier: GPL-2.0
/*
 * util.c - messages, sizes with --bytes, the privilege check, and the
 * pool-argument and availability checks.  Paths under --root, file reading
 * and writing, numbers and the readers are in lib/ (libzpoolx.h), shared
 * with zpoold.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zpoolctl.h"

char *escape_str(char *out, size_t size, const char *in)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;

	if (!size)
		return out;
	while (*s) {
		char e[8];
		size_t el, n = zx_utf8_seq(s, true);

		if (n == 1 && *s >= 0x20 && *s != 0x7f && *s != '\\') {
			e[0] = (char)*s;
			el = 1;
		} else if (n > 1) {
			memcpy(e, s, n);
			el = n;
		} else {
			n = 1;
			switch (*s) {
			case '\n': memcpy(e, "\\n", 2); el = 2; break;
			case '\r': memcpy(e, "\\r", 2); el = 2; break;
			case '\t': memcpy(e, "\\t", 2); el = 2; break;
			case '\\': memcpy(e, "\\\\", 2); el = 2; break;
			default:
				snprintf(e, sizeof(e), "\\x%02x", *s);
				el = 4;
			}
		}
		if (o + el >= size)
			break;		/* never half an escape */
		memcpy(out + o, e, el);
		o += el;
		s += n;
	}
	out[o] = '\0';
	return out;
}

/* one message line on stderr, every byte of text escaped */
static void msg_line(const char *prefix, const char *text)
{
	size_t size = ESCAPED_SIZE(strlen(text));
	char *e = malloc(size);

	fflush(stdout);
	if (e)
		escape_str(e, size, text);
	fprintf(stderr, "zpoolctl: %s%s\n", prefix, e ? e : "out of memory");
	free(e);
}

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	char *text;

	if (vasprintf(&text, fmt, ap) < 0) {
		msg_line(prefix, "out of memory");
		return;
	}
	msg_line(prefix, text);
	free(text);
}

/* lib/'s warnings (zx_warn_hook): escaped like every message */
void warn_escaped(const char *text)
{
	msg_line("warning: ", text);
}

void msg_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

int fail(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	return code;
}

void fmt_size(char *buf, size_t size, uint64_t bytes)
{
	if (opt.bytes)
		snprintf(buf, size, "%llu", (unsigned long long)bytes);
	else
		fmt_human(buf, size, bytes);
}

int need_privilege(const char *what)
{
	uid_t euid = geteuid();
	struct stat st;

	if (euid == 0)
		return 0;
	if (!opt.root_given)
		return fail(EXIT_PERM,
			    "%s changes kernel settings and needs root: run it as root",
			    what);
	if (stat(opt.root[0] ? opt.root : "/", &st) == 0 && st.st_uid == euid)
		return 0;
	return fail(EXIT_PERM,
		    "%s needs root: run it as root, or with --root DIR as the owner of DIR",
		    what);
}

int write_failed(int err, const char *what, const char *path,
		 const char *hint)
{
	int code;

	switch (err) {
	case EACCES:
	case EPERM:
		code = EXIT_PERM;
		break;
	case ENOENT:
	case EOPNOTSUPP:
		code = EXIT_UNAVAIL;
		break;
	default:
		code = EXIT_FAIL;
	}
	return fail(code, "%s: writing %s failed: %s%s%s", what, path,
		    strerror(err), hint ? "; " : "", hint ? hint : "");
}

int parse_pool_arg(const char *arg, unsigned long *id)
{
	uint64_t v;

	if (!parse_arg_range(arg, 1, UINT_MAX, false, &v))
		return fail(EXIT_USAGE,
			    "invalid pool '%.64s': a pool id is a number 1..%u, as listed by zpoolctl status",
			    arg, UINT_MAX);
	*id = (unsigned long)v;
	return 0;
}

int need_zpoolx(const struct zpoolx_info *zx)
{
	char p[PATH_MAX + 256];

	if (!zx->loaded)
		return fail(EXIT_UNAVAIL,
			    "the zpoolx module is not loaded (%s is missing): run modprobe zpoolx",
			    ZPATH(p, ZPOOLX_MOD));
	if (!zx->sysfs)
		return fail(EXIT_UNAVAIL,
			    "%s is missing although the zpoolx module is loaded",
			    ZPATH(p, ZPOOLX_SYS));
	return 0;
}

int need_zswap(const struct zswap_info *z)
{
	char p[PATH_MAX + 256];

	if (!z->present)
		return fail(EXIT_UNAVAIL,
			    "zswap is not available: %s is missing (a kernel without CONFIG_ZSWAP?)",
			    ZPATH(p, ZSWAP_PARAMS));
	return 0;
}
