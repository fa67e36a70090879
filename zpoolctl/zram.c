// SPDX-License-Identifier: GPL-2.0
/*
 * zram.c - the zram devices swapped on, for status and doctor.
 *
 * zswap (through frontswap, Linux 6.1) sits in front of every swap
 * device, zram included: swap_writepage() offers each page to zswap
 * before the device, and zswap's writeback decompresses a page and writes
 * it to the device its swap slot is on.  With zram swap the device
 * compresses it again, into RAM.  So status shows zram swap next to zswap
 * and doctor explains what the two do together.
 *
 * A zram swap device is a /proc/swaps entry named /dev/zramN; what it
 * holds comes from /sys/block/zramN/ (Documentation/admin-guide/blockdev/
 * zram.rst): disksize, comp_algorithm ("lzo [lz4] zstd", the selected one
 * in brackets) and mm_stat (orig_data_size compr_data_size mem_used_total
 * mem_limit mem_used_max same_pages ..., bytes and pages).  A missing file
 * is unknown, never 0.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "zpoolctl.h"

/* "/dev/zramN" -> N */
static bool zram_name(const char *name, unsigned long *num)
{
	uint64_t v;

	if (strncmp(name, "/dev/zram", 9) || strlen(name + 9) > 6 ||
	    !parse_u64(name + 9, &v))
		return false;
	*num = (unsigned long)v;
	return true;
}

/* the [selected] algorithm of comp_algorithm */
static void read_algorithm(struct zram_dev *d)
{
	char p[PATH_MAX + 256], buf[512], *lb, *rb;

	d->algorithm[0] = '\0';
	if (read_small(ZPATH(p, "/sys/block/zram%lu/comp_algorithm", d->num),
		       buf, sizeof(buf)) < 0)
		return;
	lb = strchr(buf, '[');
	rb = lb ? strchr(lb, ']') : NULL;
	if (!rb || rb == lb + 1 ||
	    (size_t)(rb - lb - 1) >= sizeof(d->algorithm)) {
		sanitize(buf);
		msg_warn("%s: unexpected content '%.64s' (expected the algorithms, the selected one in brackets)",
			 p, buf);
		return;
	}
	memcpy(d->algorithm, lb + 1, (size_t)(rb - lb - 1));
	d->algorithm[rb - lb - 1] = '\0';
	sanitize_text(d->algorithm, sizeof(d->algorithm));
}

/* mm_stat: fields 1, 2, 3 and 6 */
static void read_mm_stat(struct zram_dev *d)
{
	char p[PATH_MAX + 256], buf[512], *tok, *save = NULL;
	struct num *want[6] = { &d->orig_bytes, &d->compr_bytes, &d->mem_used,
				NULL, NULL, &d->same_pages };
	struct num got[6];
	size_t i = 0;

	if (read_small(ZPATH(p, "/sys/block/zram%lu/mm_stat", d->num), buf,
		       sizeof(buf)) < 0)
		return;
	memset(got, 0, sizeof(got));
	for (tok = strtok_r(buf, " \t", &save); tok && i < 6;
	     tok = strtok_r(NULL, " \t", &save), i++) {
		got[i].has = parse_u64(tok, &got[i].v);
		/* mem_used_max is printed signed: only the first three and
		 * same_pages must be numbers */
		if (!got[i].has && want[i])
			break;
	}
	if (i < 3 || !got[0].has || !got[1].has || !got[2].has) {
		msg_warn("%s: unexpected content (expected orig_data_size compr_data_size mem_used_total ...)",
			 p);
		return;
	}
	for (i = 0; i < 6; i++)
		if (want[i])
			*want[i] = got[i];
}

void read_zram(const struct sysinfo *s, struct zram_info *zi)
{
	char p[PATH_MAX + 256];
	size_t i;

	memset(zi, 0, sizeof(*zi));
	zi->known = s->swaps_present;
	zi->disk_prio_max = LONG_MIN;
	for (i = 0; i < s->nswaps; i++) {
		const struct swapdev *sw = &s->swaps[i];
		struct zram_dev *d;
		unsigned long num;

		if (!zram_name(sw->name, &num)) {
			zi->ndisk++;
			if (sw->prio > zi->disk_prio_max)
				zi->disk_prio_max = sw->prio;
			continue;
		}
		if (zi->n >= sizeof(zi->dev) / sizeof(zi->dev[0]))
			continue;
		d = &zi->dev[zi->n++];
		snprintf(d->name, sizeof(d->name), "%.31s", sw->name);
		d->num = num;
		d->prio = sw->prio;
		d->swap_size_kb = sw->size_kb;
		d->swap_used_kb = sw->used_kb;
		d->disksize = read_num(ZPATH(p, "/sys/block/zram%lu/disksize",
					     num));
		read_algorithm(d);
		read_mm_stat(d);
	}
}

bool zram_first(const struct zram_info *zi, const struct zram_dev *d)
{
	/* the kernel allocates swap slots from the highest priority down,
	 * round-robin among equal priorities */
	return !zi->ndisk || d->prio >= zi->disk_prio_max;
}
