// SPDX-License-Identifier: GPL-2.0
/*
 * zpx_bpf_none.c - the BPF statistics library's interface (bpf/zpoolx_bpf.h)
 * without BPF, for builds that cannot load BPF programs: on Android a vendor
 * program does not load BPF (bpfloader does, from its own directories), so
 * Android.bp links zpoolctl with this instead of bpf/libzpoolx_bpf.a, and
 * `zpoolctl bpf` says why it has nothing to show.
 */
#include <stdio.h>
#include <string.h>

#include "../../bpf/zpoolx_bpf.h"

#define WHY "this build has no BPF statistics (Android: vendor programs do not load BPF programs; bpfloader does)"

const char *zpx_bpf_strerror(int code)
{
	switch (code) {
	case ZPX_BPF_OK: return "ok";
	case ZPX_BPF_E_NOKERNEL: return "BPF not available";
	case ZPX_BPF_E_INVAL: return "invalid argument";
	}
	return "BPF not available";
}

static int none(struct zpx_bpf_error *err)
{
	if (err) {
		err->code = ZPX_BPF_E_NOKERNEL;
		err->sys_errno = 0;
		snprintf(err->msg, sizeof(err->msg), "%s", WHY);
	}
	return ZPX_BPF_E_NOKERNEL;
}

int zpx_bpf_open(struct zpx_bpf **out, unsigned int flags,
		 struct zpx_bpf_error *err)
{
	(void)flags;
	if (out)
		*out = NULL;
	return none(err);
}

uint32_t zpx_bpf_attached(const struct zpx_bpf *b)
{
	(void)b;
	return 0;
}

int zpx_bpf_retry(struct zpx_bpf *b, struct zpx_bpf_error *err)
{
	(void)b;
	return none(err);
}

int zpx_bpf_read(struct zpx_bpf *b, struct zpx_bpf_stats *st,
		 struct zpx_bpf_error *err)
{
	(void)b;
	if (st)
		memset(st, 0, sizeof(*st));
	return none(err);
}

void zpx_bpf_destroy(struct zpx_bpf *b)
{
	(void)b;
}

uint64_t zpx_bpf_bucket_low(unsigned int i)
{
	if (i == 0 || i >= ZPX_BPF_HIST_BUCKETS)
		return 0;
	return (uint64_t)1 << (i - 1);
}

uint64_t zpx_bpf_bucket_high(unsigned int i)
{
	if (i >= ZPX_BPF_HIST_BUCKETS - 1)
		return UINT64_MAX;
	return ((uint64_t)1 << i) - 1;
}

const char *zpx_bpf_hist_name(unsigned int id)
{
	static const char *const names[ZPX_BPF_NR_HISTS] = {
		"object_size", "evict_latency", "zswap_store_latency",
		"zswap_load_latency",
	};

	return id < ZPX_BPF_NR_HISTS ? names[id] : "?";
}

const char *zpx_bpf_hist_unit(unsigned int id)
{
	if (id >= ZPX_BPF_NR_HISTS)
		return "?";
	return id == ZPX_BPF_HIST_OBJECT_SIZE ? "bytes" : "ns";
}

const char *zpx_bpf_attach_name(unsigned int bit_index)
{
	static const char *const names[] = {
		"zpoolx_alloc", "zpoolx_free", "zpoolx_evict",
		"zpoolx_reclaim", "zpoolx_compact", "zpoolx_migrate",
		"zswap_frontswap_store", "zswap_frontswap_load",
	};

	return bit_index < sizeof(names) / sizeof(names[0]) ?
		       names[bit_index] : "?";
}
