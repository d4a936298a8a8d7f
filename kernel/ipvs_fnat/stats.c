// SPDX-License-Identifier: GPL-2.0
/*
 * 64-bit counters of services and destinations: per-CPU, written by the packet path
 * without locks (u64_stats_sync for 32-bit readers), summed by the control plane.
 * ZERO does not touch the per-CPU counters (other CPUs may be writing them); it
 * records the current totals as a base that later reads subtract.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/math64.h>
#include <linux/workqueue.h>
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
	memset(&s->est_avg, 0, sizeof(s->est_avg));
}

int fnat_sp_stats_init(struct fnat_sp_stats *s)
{
	int cpu;

	memset(s, 0, sizeof(*s));
	s->cpu = alloc_percpu(struct fnat_sp_cpu_stats);
	if (!s->cpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(s->cpu, cpu)->syncp);
	return 0;
}

void fnat_sp_stats_free(struct fnat_sp_stats *s)
{
	free_percpu(s->cpu);
	s->cpu = NULL;
}

static void fnat_sp_stats_sum(const struct fnat_sp_stats *s, u64 sum[FNAT_SP_MAX])
{
	int cpu, i;

	memset(sum, 0, FNAT_SP_MAX * sizeof(*sum));
	if (!s->cpu)
		return;
	for_each_possible_cpu(cpu) {
		const struct fnat_sp_cpu_stats *c = per_cpu_ptr(s->cpu, cpu);
		u64 v[FNAT_SP_MAX];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&c->syncp);
			for (i = 0; i < FNAT_SP_MAX; i++)
				v[i] = u64_stats_read(&c->c[i]);
		} while (u64_stats_fetch_retry(&c->syncp, start));
		for (i = 0; i < FNAT_SP_MAX; i++)
			sum[i] += v[i];
	}
}

/* Totals since creation or the last ZERO (all 0 for a UDP service). */
void fnat_sp_stats_read(const struct fnat_sp_stats *s, u64 sum[FNAT_SP_MAX])
{
	int i;

	fnat_sp_stats_sum(s, sum);
	for (i = 0; i < FNAT_SP_MAX; i++)
		sum[i] -= s->base[i];
}

void fnat_sp_stats_zero(struct fnat_sp_stats *s)
{
	fnat_sp_stats_sum(s, s->base);
}

/*
 * One estimator pass over s, FNAT_EST_INTERVAL after the previous one: the
 * per-second rate of the last interval moves the average a quarter of the way
 * (IPVS's smoothing: about 8 s to follow a change). Control mutex held.
 */
static u64 fnat_est_one(u64 now, u64 *last, u64 *avg)
{
	/* delta per second, scaled: delta * HZ / interval << shift */
	u64 inst = div_u64((now - *last) * HZ << FNAT_EST_SHIFT, FNAT_EST_INTERVAL);

	*last = now;
	if (inst >= *avg)
		*avg += (inst - *avg) >> 2;
	else
		*avg -= (*avg - inst) >> 2;
	return (*avg + (1 << (FNAT_EST_SHIFT - 1))) >> FNAT_EST_SHIFT;
}

void fnat_stats_estimate(struct fnat_stats *s)
{
	struct fnat_counters now;

	fnat_stats_sum(s, &now);
	WRITE_ONCE(s->rate.conns, fnat_est_one(now.conns, &s->est_last.conns, &s->est_avg.conns));
	WRITE_ONCE(s->rate.inpkts,
		   fnat_est_one(now.inpkts, &s->est_last.inpkts, &s->est_avg.inpkts));
	WRITE_ONCE(s->rate.outpkts,
		   fnat_est_one(now.outpkts, &s->est_last.outpkts, &s->est_avg.outpkts));
	WRITE_ONCE(s->rate.inbytes,
		   fnat_est_one(now.inbytes, &s->est_last.inbytes, &s->est_avg.inbytes));
	WRITE_ONCE(s->rate.outbytes,
		   fnat_est_one(now.outbytes, &s->est_last.outbytes, &s->est_avg.outbytes));
}

/* The namespace's estimator: every service and destination, every interval. */
static void fnat_est_work(struct work_struct *work)
{
	struct fnat_net *fn = container_of(to_delayed_work(work), struct fnat_net, est_work);
	struct fnat_service *svc;
	struct fnat_dest *dest;

	mutex_lock(&fn->lock);
	list_for_each_entry(svc, &fn->svc_list, list) {
		fnat_stats_estimate(&svc->stats);
		list_for_each_entry(dest, &svc->dests, list)
			fnat_stats_estimate(&dest->stats);
	}
	mutex_unlock(&fn->lock);
	queue_delayed_work(system_power_efficient_wq, &fn->est_work, FNAT_EST_INTERVAL);
}

void fnat_est_start(struct fnat_net *fn)
{
	INIT_DELAYED_WORK(&fn->est_work, fnat_est_work);
	queue_delayed_work(system_power_efficient_wq, &fn->est_work, FNAT_EST_INTERVAL);
}

/* Before the namespace's tables go. The work re-queues itself; the _sync cancel
 * waits for a running pass and stops the re-queue. */
void fnat_est_stop(struct fnat_net *fn)
{
	cancel_delayed_work_sync(&fn->est_work);
}
