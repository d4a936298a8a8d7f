// SPDX-License-Identifier: GPL-2.0
/*
 * Counters: per-CPU, module-wide, summed on read. /proc/net/toa_stats exists in every
 * network namespace (a pernet proc entry) so that a server in a container can read
 * them; the numbers are the whole machine's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>

#include "compat.h"
#include "hooks.h"
#include "stats.h"

DEFINE_PER_CPU(struct toa_pcpu_stats, toa_pcpu_stats);

static const char *const toa_stat_names[TOA_STAT_MAX] = {
	[TOA_STAT_SYN_RECV_SOCK_TOA]	= "syn_recv_sock_toa",
	[TOA_STAT_SYN_RECV_SOCK_NO_TOA]	= "syn_recv_sock_no_toa",
	[TOA_STAT_UNTRUSTED]		= "untrusted",
	[TOA_STAT_MALFORMED]		= "malformed",
	[TOA_STAT_NO_CHILD]		= "no_child",
	[TOA_STAT_ENTRIES_ALLOC]	= "entries_alloc",
	[TOA_STAT_ENTRIES_ALLOC_FAILED]	= "entries_alloc_failed",
	[TOA_STAT_ENTRIES_FREE]		= "entries_free",
	[TOA_STAT_ENTRIES_STALE]	= "entries_stale",
	[TOA_STAT_GETNAME_TOA_OK]	= "getname_toa_ok",
	[TOA_STAT_GETNAME_TOA_MISMATCH]	= "getname_toa_mismatch",
	[TOA_STAT_GETNAME_TOA_BYPASS]	= "getname_toa_bypass",
	[TOA_STAT_GETNAME_TOA_EMPTY]	= "getname_toa_empty",
	[TOA_STAT_GETSOCKOPT_TOA_OK]	= "getsockopt_toa_ok",
	[TOA_STAT_GETSOCKOPT_TOA_EMPTY]	= "getsockopt_toa_empty",
};

static int toa_stats_show(struct seq_file *seq, void *v)
{
	unsigned int i, cpu;
	u64 sum;

	for (i = 0; i < TOA_STAT_MAX; i++) {
		sum = 0;
		for_each_possible_cpu(cpu)
			sum += READ_ONCE(per_cpu_ptr(&toa_pcpu_stats, cpu)->cnt[i]);
		seq_printf(seq, "%s %llu\n", toa_stat_names[i], sum);
	}
	seq_printf(seq, "probe_missed %lu\n", toa_hooks_missed());
	return 0;
}

static int __net_init toa_stats_net_init(struct net *net)
{
	if (!proc_create_net_single("toa_stats", 0444, net->proc_net,
				    toa_stats_show, NULL))
		return -ENOMEM;
	return 0;
}

static void __net_exit toa_stats_net_exit(struct net *net)
{
	remove_proc_entry("toa_stats", net->proc_net);
}

static struct pernet_operations toa_stats_net_ops = {
	.init = toa_stats_net_init,
	.exit = toa_stats_net_exit,
};

int __init toa_stats_init(void)
{
	return register_pernet_subsys(&toa_stats_net_ops);
}

void toa_stats_exit(void)
{
	unregister_pernet_subsys(&toa_stats_net_ops);
}
