// SPDX-License-Identifier: GPL-2.0
/*
 * util.c - the root prefix, reading and writing small files, strict number
 * parsing, human-readable sizes and the warning hook.  Shared by zpoolctl
 * and zpoold (lib/libzpoolx.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libzpoolx.h"

static const char *root = "";
const char *zx_progname = "zpoolx";
void (*zx_warn_hook)(const char *text);

void zx_set_root(const char *r)
{
	root = r ? r : "";
}

const char *zx_root(void)
{
	return root;
}

void msg_warn(const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (zx_warn_hook) {
		zx_warn_hook(text);
		return;
	}
	fflush(stdout);
	fprintf(stderr, "%s: warning: %s\n", zx_progname, text);
}

const char *zpath(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n, m;

	n = snprintf(buf, size, "%s", root);
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
	fflush(stdout);
	fprintf(stderr, "%s: internal error: path too long under %s\n",
		zx_progname, root);
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
	size_t cap = max < 4095 ? max + 1 : 4096, n = 0;
	char *buf, *nb, extra;
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
		if (n == cap - 1) {
			/* full (one byte is the NUL's): at max, one more is too many */
			if (n >= max) {
				do {
					r = read(fd, &extra, 1);
				} while (r < 0 && errno == EINTR);
				if (r < 0) {
					err = -errno;
					goto bad;
				}
				if (r == 0)
					break;
				err = -EFBIG;
				goto bad;
			}
			cap = cap >= (max + 1) / 2 ? max + 1 : cap * 2;
			nb = realloc(buf, cap);
			if (!nb) {
				err = -ENOMEM;
				goto bad;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - 1 - n);
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

/*
 * The length of the valid UTF-8 sequence at s (1..4), or 0 if the bytes
 * there are not one (a stray continuation byte, an overlong form, a
 * surrogate, past U+10FFFF, or cut short); with no_c1, the C1 controls
 * U+0080..U+009F count as not one either.
 */
size_t zx_utf8_seq(const unsigned char *s, bool no_c1)
{
	unsigned char c = s[0];
	size_t n, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xc2 && no_c1)
		lo = 0xa0;		/* U+0080..U+009F: C1 controls */
	else if (c == 0xe0)
		lo = 0xa0;		/* overlong */
	else if (c == 0xed)
		hi = 0x9f;		/* surrogates */
	else if (c == 0xf0)
		lo = 0x90;		/* overlong */
	else if (c == 0xf4)
		hi = 0x8f;		/* above U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

void sanitize(char *s)
{
	unsigned char *p = (unsigned char *)s;
	size_t n;

	while (*p) {
		if (*p < 0x20 || *p == 0x7f) {
			*p++ = '?';
			continue;
		}
		n = zx_utf8_seq(p, false);
		if (!n) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
}

void sanitize_text(char *s, size_t size)
{
	static const char repl[] = "\xef\xbf\xbd";	/* U+FFFD */
	size_t len = strlen(s), i = 0, o = 0, n;
	char *in;

	if (!size)
		return;
	in = malloc(len + 1);
	if (!in) {
		sanitize(s);	/* '?' for what is not text: no room needed */
		return;
	}
	memcpy(in, s, len + 1);
	while (i < len) {
		unsigned char c = (unsigned char)in[i];
		const char *w = in + i;

		if (c < 0x20 || c == 0x7f) {
			w = "?";
			n = 1;
			i++;
		} else if ((n = zx_utf8_seq((const unsigned char *)in + i, false))) {
			i += n;
		} else {
			w = repl;
			n = 3;
			i++;
		}
		if (o + n >= size)
			break;	/* cut at a character boundary */
		memcpy(s + o, w, n);
		o += n;
	}
	s[o] = '\0';
	free(in);
}

unsigned zx_page_size(void)
{
	static unsigned size;

	if (!size) {
		long v = sysconf(_SC_PAGESIZE);

		size = v > 0 ? (unsigned)v : 4096u;
	}
	return size;
}
