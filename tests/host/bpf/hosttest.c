// SPDX-License-Identifier: GPL-2.0
/*
 * hosttest.c - host tests of libzpoolx_bpf (bpf/zpoolx_bpf.h) that need no
 * BPF: histogram bucket bounds, names, status strings, and the argument
 * errors that zpx_bpf_open/read/retry refuse before touching the kernel.
 * Nothing here loads or attaches a program (that is tests/vm/tests/bpf.sh).
 * Built with ASan/UBSan by `make -C bpf sanitize`; prints TAP.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "zpoolx_bpf.h"

static int n, failed;

static void tap(bool ok, const char *desc)
{
	printf("%sok %d - %s\n", ok ? "" : "not ", ++n, desc);
	if (!ok)
		failed++;
}

int main(void)
{
	struct zpx_bpf_error err;
	struct zpx_bpf_stats st;
	struct zpx_bpf *b = (struct zpx_bpf *)&n;	/* must be overwritten */
	bool ok;
	unsigned int i, j;
	int codes[] = { ZPX_BPF_OK, ZPX_BPF_PARTIAL, ZPX_BPF_E_PERM,
			ZPX_BPF_E_NOBTF, ZPX_BPF_E_NOKERNEL, ZPX_BPF_E_NOTARGET,
			ZPX_BPF_E_LOAD, ZPX_BPF_E_NOMEM, ZPX_BPF_E_INVAL,
			ZPX_BPF_E_READ };

	tap(zpx_bpf_bucket_low(0) == 0 && zpx_bpf_bucket_high(0) == 0,
	    "bucket 0 holds the value 0 only");
	tap(zpx_bpf_bucket_low(1) == 1 && zpx_bpf_bucket_high(1) == 1 &&
	    zpx_bpf_bucket_low(2) == 2 && zpx_bpf_bucket_high(2) == 3 &&
	    zpx_bpf_bucket_low(13) == 4096 && zpx_bpf_bucket_high(13) == 8191,
	    "bucket i holds 2^(i-1)..2^i-1");
	ok = true;
	for (i = 0; i + 1 < ZPX_BPF_HIST_BUCKETS; i++)
		ok = ok && zpx_bpf_bucket_high(i) + 1 == zpx_bpf_bucket_low(i + 1);
	tap(ok, "the buckets are contiguous");
	tap(zpx_bpf_bucket_low(63) == 1ULL << 62 &&
	    zpx_bpf_bucket_high(63) == UINT64_MAX,
	    "the last bucket is open-ended (2^62..UINT64_MAX)");

	tap(!strcmp(zpx_bpf_hist_name(ZPX_BPF_HIST_OBJECT_SIZE), "object_size") &&
	    !strcmp(zpx_bpf_hist_unit(ZPX_BPF_HIST_OBJECT_SIZE), "bytes") &&
	    !strcmp(zpx_bpf_hist_name(ZPX_BPF_HIST_EVICT_NS), "evict_latency") &&
	    !strcmp(zpx_bpf_hist_name(ZPX_BPF_HIST_ZSWAP_STORE_NS), "zswap_store_latency") &&
	    !strcmp(zpx_bpf_hist_name(ZPX_BPF_HIST_ZSWAP_LOAD_NS), "zswap_load_latency") &&
	    !strcmp(zpx_bpf_hist_unit(ZPX_BPF_HIST_ZSWAP_LOAD_NS), "ns") &&
	    !strcmp(zpx_bpf_hist_name(ZPX_BPF_NR_HISTS), "?"),
	    "histogram names and units");
	tap(!strcmp(zpx_bpf_attach_name(0), "zpoolx_alloc") &&
	    !strcmp(zpx_bpf_attach_name(5), "zpoolx_migrate") &&
	    !strcmp(zpx_bpf_attach_name(6), "zswap_frontswap_store") &&
	    !strcmp(zpx_bpf_attach_name(7), "zswap_frontswap_load") &&
	    !strcmp(zpx_bpf_attach_name(8), "?"),
	    "probe names by bit");
	ok = true;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		for (j = 0; j < i; j++)
			ok = ok && strcmp(zpx_bpf_strerror(codes[i]),
					  zpx_bpf_strerror(codes[j]));
	tap(ok && !strcmp(zpx_bpf_strerror(-99), "unknown error"),
	    "every status has its own message");

	tap(zpx_bpf_open(NULL, 0, &err) == ZPX_BPF_E_INVAL &&
	    err.code == ZPX_BPF_E_INVAL && strstr(err.msg, "out is NULL"),
	    "open: NULL out refused");
	tap(zpx_bpf_open(&b, 0x100, &err) == ZPX_BPF_E_INVAL && !b &&
	    strstr(err.msg, "unknown flags 0x100 (accepted: NO_ZSWAP, NO_ZPOOLX, VERBOSE)"),
	    "open: unknown flags refused, named with the accepted ones");
	b = (struct zpx_bpf *)&n;
	tap(zpx_bpf_open(&b, ZPX_BPF_NO_ZSWAP | ZPX_BPF_NO_ZPOOLX, NULL) ==
	    ZPX_BPF_E_INVAL && !b,
	    "open: NO_ZSWAP with NO_ZPOOLX refused (nothing to attach), err may be NULL");
	tap(zpx_bpf_read(NULL, &st, &err) == ZPX_BPF_E_INVAL &&
	    strstr(err.msg, "NULL"), "read: NULL handle refused");
	tap(zpx_bpf_retry(NULL, &err) == ZPX_BPF_E_INVAL, "retry: NULL handle refused");
	zpx_bpf_destroy(NULL);
	tap(zpx_bpf_attached(NULL) == 0, "destroy(NULL) is a no-op, attached(NULL) is 0");
	tap(ZPX_BPF_ATT_ALL == (ZPX_BPF_ATT_ZPOOLX | ZPX_BPF_ATT_ZSWAP) &&
	    ZPX_BPF_ATT_ZSWAP == (ZPX_BPF_ATT_ZSWAP_STORE | ZPX_BPF_ATT_ZSWAP_LOAD),
	    "attach masks");

	printf("1..%d\n", n);
	return failed ? 1 : 0;
}
