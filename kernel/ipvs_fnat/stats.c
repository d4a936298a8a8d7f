// SPDX-License-Identifier: GPL-2.0
/*
 * 64-bit counters of services and destinations: per-CPU, written by the packet path
 * without locks (u64_stats_sync for 32-bit readers), summed by the control plane.
 * ZERO does not touch the per-CPU counters (other CPUs may be writing them); it
 * records the current totals as a base that later reads subtract.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "fnat.h"

int fnat_stats_init(struct fnat_stats *s)
{
	int cpu;

	memset(s, 0, sizeof(*s));
	s->cpu = alloc_percpu(struct fnat_cpu_stats);
	if (!s->cpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(s->cpu, cpu)->syncp);
	return 0;
}

void fnat_stats_free(struct fnat_stats *s)
{
	free_percpu(s->cpu);
	s->cpu = NULL;
}

static void fnat_stats_sum(const struct fnat_stats *s, struct fnat_counters *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct fnat_cpu_stats *c = per_cpu_ptr(s->cpu, cpu);
		struct fnat_counters v;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&c->syncp);
			v.conns = u64_stats_read(&c->conns);
			v.inpkts = u64_stats_read(&c->inpkts);
			v.outpkts = u64_stats_read(&c->outpkts);
			v.inbytes = u64_stats_read(&c->inbytes);
			v.outbytes = u64_stats_read(&c->outbytes);
		} while (u64_stats_fetch_retry(&c->syncp, start));
		sum->conns += v.conns;
		sum->inpkts += v.inpkts;
		sum->outpkts += v.outpkts;
		sum->inbytes += v.inbytes;
		sum->outbytes += v.outbytes;
	}
}

/* Totals since creation or the last ZERO. */
void fnat_stats_read(const struct fnat_stats *s, struct fnat_counters *sum)
{
	fnat_stats_sum(s, sum);
	sum->conns -= s->base.conns;
	sum->inpkts -= s->base.inpkts;
	sum->outpkts -= s->base.outpkts;
	sum->inbytes -= s->base.inbytes;
	sum->outbytes -= s->base.outbytes;
}

void fnat_stats_zero(struct fnat_stats *s)
{
	fnat_stats_sum(s, &s->base);
	memset(&s->rate, 0, sizeof(s->rate));
}
