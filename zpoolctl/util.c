// SPDX-License-Identifier: GPL-2.0
/*
 * util.c - paths under --root, reading and writing small files, strict
 * number parsing, human-readable sizes, messages and the privilege check.
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

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "zpoolctl: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void msg_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void msg_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
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

const char *zpath(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n, m;

	n = snprintf(buf, size, "%s", opt.root);
	if (n < 0 || (size_t)n >= size)
		goto overflow;
	va_start(ap, fmt);
	m = vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)m >= size - n)
		goto overflow;
	return buf;
overflow:
	/* --root is limited in length, so this is a bug, not bad input */
	msg_err("internal error: path too long under %s", opt.root);
	abort();
}

bool path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int read_all(const char *path, char **out, size_t *len, size_t max)
{
	size_t cap = 4096, n = 0;
	char *buf, *nb;
	ssize_t r;
	int fd, err;

	*out = NULL;
	if (len)
		*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (cap - n < 2) {
			if (cap >= max) {
				err = -EFBIG;
				goto bad;
			}
			cap *= 2;
			nb = realloc(buf, cap);
			if (!nb) {
				err = -ENOMEM;
				goto bad;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto bad;
		}
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
bad:
	free(buf);
	close(fd);
	return err;
}

int read_small(const char *path, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (n < size - 1) {
		r = read(fd, buf + n, size - 1 - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			close(fd);
			buf[0] = '\0';
			return (int)r;
		}
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	buf[n] = '\0';
	if (memchr(buf, '\0', n)) {
		/* binary content: not what a sysfs text file holds */
		buf[0] = '\0';
		return -EINVAL;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' ||
			 buf[n - 1] == '\t' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return (int)n;
}

int write_value(const char *path, const char *value)
{
	char buf[256];
	int fd, n, err = 0;
	ssize_t w;

	n = snprintf(buf, sizeof(buf), "%s\n", value);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -EINVAL;
	/* no O_CREAT: a missing file means the kernel lacks the feature */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		w = write(fd, buf, n);
	} while (w < 0 && errno == EINTR);
	if (w < 0)
		err = -errno;
	else if (w != n)
		err = -EIO;
	if (close(fd) < 0 && !err)
		err = -errno;
	return err;
}

bool parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return false;
		d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

bool parse_arg_range(const char *s, uint64_t min, uint64_t max, bool pct,
		     uint64_t *out)
{
	char buf[32];
	size_t n;

	if (!s)
		return false;
	n = strlen(s);
	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n + 1);
	if (pct && n > 1 && buf[n - 1] == '%')
		buf[n - 1] = '\0';
	if (!parse_u64(buf, out))
		return false;
	return *out >= min && *out <= max;
}

struct num read_num(const char *path)
{
	struct num r = { false, 0 };
	char buf[64];
	int n;

	n = read_small(path, buf, sizeof(buf));
	if (n < 0) {
		if (n != -ENOENT && n != -EACCES && n != -ENOTDIR)
			msg_warn("cannot read %s: %s", path, strerror(-n));
		return r;
	}
	if (!parse_u64(buf, &r.v)) {
		sanitize(buf);
		msg_warn("%s: unexpected content '%s' (expected a number)",
			 path, buf);
		r.v = 0;
		return r;
	}
	r.has = true;
	return r;
}

void fmt_human(char *buf, size_t size, uint64_t bytes)
{
	static const char units[] = "BKMGTPE";
	unsigned exp = 0;
	uint64_t dec, frac, tenths;

	while (exp < 60 && bytes >= (1ULL << (exp + 10)))
		exp += 10;
	if (exp == 0) {
		snprintf(buf, size, "%lluB", (unsigned long long)bytes);
		return;
	}
	dec = bytes >> exp;
	frac = bytes & ((1ULL << exp) - 1);
	/* one decimal, rounded; frac < 2^60 so frac * 10 cannot overflow */
	tenths = (frac * 10 + (1ULL << (exp - 1))) >> exp;
	if (tenths >= 10) {
		dec++;
		tenths = 0;
	}
	if (tenths)
		snprintf(buf, size, "%llu.%llu%c", (unsigned long long)dec,
			 (unsigned long long)tenths, units[exp / 10]);
	else
		snprintf(buf, size, "%llu%c", (unsigned long long)dec,
			 units[exp / 10]);
}

void fmt_size(char *buf, size_t size, uint64_t bytes)
{
	if (opt.bytes)
		snprintf(buf, size, "%llu", (unsigned long long)bytes);
	else
		fmt_human(buf, size, bytes);
}

void sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
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
