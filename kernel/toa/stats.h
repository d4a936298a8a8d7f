/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU event counters, shown summed in /proc/net/toa_stats (in every network
 * namespace). docs/toa.md defines each one; the comments here are the short form.
 */
#ifndef TOA_STATS_H
#define TOA_STATS_H

#include <linux/percpu.h>
#include <linux/types.h>

enum toa_stat {
	/* One per handshake (syn_recv_sock call; the IPv4-in-IPv6 nested call counts
	 * once), in exactly one of these three: */
	TOA_STAT_SYN_RECV_SOCK_TOA,	/* one valid TOA, accepted kind, trusted source */
	TOA_STAT_SYN_RECV_SOCK_NO_TOA,	/* no usable TOA: none, malformed, kind off */
	TOA_STAT_UNTRUSTED,		/* a valid TOA from a source outside `trusted` */
	/* Details of the above: */
	TOA_STAT_MALFORMED,		/* no_toa because the options were malformed */
	TOA_STAT_NO_CHILD,		/* toa, but no socket owned by this request */
	/* The table: */
	TOA_STAT_ENTRIES_ALLOC,		/* entries bound to a new socket */
	TOA_STAT_ENTRIES_ALLOC_FAILED,	/* toa, but no memory for the entry */
	TOA_STAT_ENTRIES_FREE,		/* entries removed and freed */
	TOA_STAT_ENTRIES_STALE,		/* entries found left over for a reused socket */
	/* getname (accept's address, getpeername, SO_PEERNAME, getsockname): */
	TOA_STAT_GETNAME_TOA_OK,	/* peer address replaced by the TOA */
	TOA_STAT_GETNAME_TOA_MISMATCH,	/* entry present but not applicable */
	TOA_STAT_GETNAME_TOA_BYPASS,	/* not a peer query on TCP, or the call failed */
	TOA_STAT_GETNAME_TOA_EMPTY,	/* peer query on TCP without an entry */
	/* getsockopt(IPPROTO_IP, TOA_SO_GET_LOOKUP): */
	TOA_STAT_GETSOCKOPT_TOA_OK,
	TOA_STAT_GETSOCKOPT_TOA_EMPTY,
	TOA_STAT_MAX
};

struct toa_pcpu_stats {
	u64 cnt[TOA_STAT_MAX];
};

DECLARE_PER_CPU(struct toa_pcpu_stats, toa_pcpu_stats);

static inline void toa_stat_inc(enum toa_stat s)
{
	this_cpu_inc(toa_pcpu_stats.cnt[s]);
}

int toa_stats_init(void);
void toa_stats_exit(void);

#endif /* TOA_STATS_H */
