// SPDX-License-Identifier: GPL-2.0
/*
 * The schedulers: rr, wrr, lc, wlc, sh, mh. The algorithms are the plain C of
 * fnat_sched_core.h (unit-tested in userspace); this file feeds them the service's
 * destinations.
 *
 * Each scheduler works from a snapshot of the destinations (an array, in list
 * order, with their weights, and for sh and mh the lookup table built from them),
 * rebuilt by ->update() under the control mutex whenever the destinations or their
 * weights change, and published with RCU. A snapshot holds a reference on each of
 * its destinations, dropped when the snapshot is freed after a grace period, so a
 * packet that reads an old snapshot never meets a freed destination; a destination
 * deleted meanwhile is refused by the connection code (its UNLINKED bit).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/random.h>
#include "fnat.h"
#include "sched_algo.h"
#include "fnat_sched_core.h"

struct fnat_sched_snap {
	struct rcu_head rcu;
	unsigned int n;
	struct fnat_dest **dests;	/* n, each a reference */
	u32 *weights;			/* n, weights when the snapshot was taken */
	u8 *avail;			/* n, wrr's scratch (under the state's lock) */
	s16 *tab;			/* sh: FNAT_SH_TAB_SIZE, mh: FNAT_MH_TAB_SIZE */
};

struct fnat_sched_algo_state {
	struct fnat_sched_state hdr;	/* first: what sched.c allocates and frees */
	struct fnat_sched_snap __rcu *snap;
	spinlock_t lock;		/* wrr's cursor */
	struct fnat_wrr_cursor wrr;
	atomic_t rr_cursor;
	u32 seed;			/* sh and mh flow hashing */
};

enum fnat_tab_kind { FNAT_TAB_NONE, FNAT_TAB_SH, FNAT_TAB_MH };

static inline struct fnat_sched_algo_state *algo_state(struct fnat_sched_state *st)
{
	return container_of(st, struct fnat_sched_algo_state, hdr);
}

/*
 * May dest take a new connection now? Weight above 0, not being deleted, not held
 * back by the passive check, and not over its upper threshold. Over the threshold it stays unavailable until its
 * connections drop below the lower threshold (3/4 of the upper when none is set),
 * so it does not flap at the limit.
 */
static bool fnat_dest_available(struct fnat_dest *dest)
{
	u32 upper = READ_ONCE(dest->u_thresh), lower, conns;

	if (!test_bit(FNAT_DEST_F_AVAILABLE, &dest->flags) || atomic_read(&dest->weight) <= 0)
		return false;
	/* Inhibited by the passive check (dest_check.c), or its trial is out. */
	if (unlikely(test_bit(FNAT_DEST_F_CHECK, &dest->flags)) && !fnat_dc_admits(dest))
		return false;
	if (!upper)
		return true;
	conns = atomic_read(&dest->activeconns) + atomic_read(&dest->inactconns);
	if (test_bit(FNAT_DEST_F_OVERLOADED, &dest->flags)) {
		lower = READ_ONCE(dest->l_thresh);
		if (!lower)
			lower = upper * 3 / 4;
		if (conns >= lower)
			return false;
		clear_bit(FNAT_DEST_F_OVERLOADED, &dest->flags);
		return true;
	}
	if (conns >= upper) {
		set_bit(FNAT_DEST_F_OVERLOADED, &dest->flags);
		return false;
	}
	return true;
}

/* For the SYN proxy's retry, which picks a real server outside any scheduler. */
bool fnat_sched_dest_available(struct fnat_dest *dest)
{
	return fnat_dest_available(dest);
}

/* --- snapshots ------------------------------------------------------------------------ */

static void fnat_snap_free(struct fnat_sched_snap *snap)
{
	unsigned int i;

	for (i = 0; i < snap->n; i++)
		fnat_dest_put(snap->dests[i]);
	kvfree(snap);
}

static void fnat_snap_free_rcu(struct rcu_head *head)
{
	fnat_snap_free(container_of(head, struct fnat_sched_snap, rcu));
}

/* A snapshot of svc's destinations, with the lookup table of the given kind.
 * Control mutex held (or the service not yet visible). */
static struct fnat_sched_snap *fnat_snap_build(struct fnat_service *svc, enum fnat_tab_kind kind)
{
	unsigned int n = 0, i = 0, tab = 0, key_words;
	struct fnat_sched_snap *snap;
	struct fnat_dest *dest;
	size_t size;
	u8 *p;

	list_for_each_entry(dest, &svc->dests, list)
		n++;
	if (kind == FNAT_TAB_SH)
		tab = FNAT_SH_TAB_SIZE;
	else if (kind == FNAT_TAB_MH)
		tab = FNAT_MH_TAB_SIZE;
	size = sizeof(*snap) + n * (sizeof(void *) + sizeof(u32) + 1) + tab * sizeof(s16);
	snap = kvzalloc(ALIGN(size, 8) + 8, GFP_KERNEL_ACCOUNT);
	if (!snap)
		return NULL;
	p = (u8 *)(snap + 1);
	snap->dests = (struct fnat_dest **)p;
	p += n * sizeof(void *);
	snap->weights = (u32 *)p;
	p += n * sizeof(u32);
	snap->tab = tab ? (s16 *)p : NULL;
	p += tab * sizeof(s16);
	snap->avail = p;

	list_for_each_entry(dest, &svc->dests, list) {
		if (!fnat_dest_hold_rcu(dest))
			continue;
		snap->dests[i] = dest;
		snap->weights[i] = max(atomic_read(&dest->weight), 0);
		i++;
	}
	snap->n = i;

	if (kind == FNAT_TAB_SH) {
		fnat_sh_build(snap->tab, snap->weights, snap->n);
	} else if (kind == FNAT_TAB_MH) {
		/* Key of a destination: its address and port, as words. */
		u32 (*keys)[5];
		const u32 **kp;
		u32 *scratch;

		key_words = svc->key.af == AF_INET6 ? 5 : 2;
		keys = kvmalloc_array(max(snap->n, 1U), sizeof(*keys), GFP_KERNEL);
		kp = kvmalloc_array(max(snap->n, 1U), sizeof(*kp), GFP_KERNEL);
		scratch = kvmalloc_array(2 * max(snap->n, 1U), sizeof(u32), GFP_KERNEL);
		if (!keys || !kp || !scratch) {
			kvfree(keys);
			kvfree(kp);
			kvfree(scratch);
			fnat_snap_free(snap);
			return NULL;
		}
		for (i = 0; i < snap->n; i++) {
			dest = snap->dests[i];
			if (svc->key.af == AF_INET6) {
				memcpy(keys[i], &dest->addr.in6, 16);
				keys[i][4] = (__force u32)dest->port;
			} else {
				keys[i][0] = (__force u32)dest->addr.ip;
				keys[i][1] = (__force u32)dest->port;
			}
			kp[i] = keys[i];
		}
		fnat_mh_build(snap->tab, scratch, kp, key_words, snap->weights, snap->n);
		kvfree(keys);
		kvfree(kp);
		kvfree(scratch);
	}
	return snap;
}

static enum fnat_tab_kind fnat_tab_kind(const struct fnat_sched_ops *ops)
{
	if (!strcmp(ops->name, "sh"))
		return FNAT_TAB_SH;
	if (!strcmp(ops->name, "mh"))
		return FNAT_TAB_MH;
	return FNAT_TAB_NONE;
}

static void fnat_algo_publish(struct fnat_service *svc, struct fnat_sched_algo_state *as,
			      struct fnat_sched_snap *snap)
{
	struct fnat_sched_snap *old = rcu_replace_pointer(as->snap, snap, true);

	spin_lock_bh(&as->lock);
	fnat_wrr_reset(&as->wrr);
	spin_unlock_bh(&as->lock);
	if (old)
		call_rcu(&old->rcu, fnat_snap_free_rcu);
}

static int fnat_algo_init(struct fnat_service *svc, struct fnat_sched_state *st)
{
	struct fnat_sched_algo_state *as = algo_state(st);
	struct fnat_sched_snap *snap;

	spin_lock_init(&as->lock);
	fnat_wrr_reset(&as->wrr);
	atomic_set(&as->rr_cursor, 0);
	as->seed = get_random_u32();
	snap = fnat_snap_build(svc, fnat_tab_kind(st->ops));
	if (!snap)
		return -ENOMEM;
	RCU_INIT_POINTER(as->snap, snap);
	return 0;
}

static void fnat_algo_update(struct fnat_service *svc, struct fnat_sched_state *st)
{
	struct fnat_sched_algo_state *as = algo_state(st);
	struct fnat_sched_snap *snap = fnat_snap_build(svc, fnat_tab_kind(st->ops));

	/* Out of memory: keep scheduling from the previous snapshot; a destination
	 * deleted since is refused when the connection is made, and the next change
	 * tries again. */
	if (!snap) {
		pr_warn_ratelimited("out of memory rebuilding the %s scheduler's table\n",
				    st->ops->name);
		return;
	}
	fnat_algo_publish(svc, as, snap);
}

/* From an RCU callback: the state is unreachable, and so is its last snapshot. */
static void fnat_algo_release(struct fnat_sched_state *st)
{
	struct fnat_sched_snap *snap = rcu_dereference_protected(algo_state(st)->snap, 1);

	if (snap)
		fnat_snap_free(snap);
}

/* --- the algorithms (RCU read side, softirq) ------------------------------------------- */

static struct fnat_dest *fnat_rr_schedule(struct fnat_service *svc, struct fnat_sched_state *st,
					  const struct sk_buff *skb)
{
	struct fnat_sched_algo_state *as = algo_state(st);
	struct fnat_sched_snap *snap = rcu_dereference(as->snap);
	unsigned int i, start;

	if (!snap || !snap->n)
		return NULL;
	start = (unsigned int)atomic_inc_return(&as->rr_cursor);
	for (i = 0; i < snap->n; i++) {
		struct fnat_dest *dest = snap->dests[(start + i) % snap->n];

		if (fnat_dest_available(dest))
			return dest;
	}
	return NULL;
}

static struct fnat_dest *fnat_wrr_schedule(struct fnat_service *svc, struct fnat_sched_state *st,
					   const struct sk_buff *skb)
{
	struct fnat_sched_algo_state *as = algo_state(st);
	struct fnat_sched_snap *snap = rcu_dereference(as->snap);
	unsigned int i;
	int idx;

	if (!snap || !snap->n)
		return NULL;
	spin_lock(&as->lock);
	for (i = 0; i < snap->n; i++)
		snap->avail[i] = fnat_dest_available(snap->dests[i]);
	idx = fnat_wrr_next(&as->wrr, snap->weights, snap->avail, snap->n);
	spin_unlock(&as->lock);
	return idx < 0 ? NULL : snap->dests[idx];
}

/* lc (equal weights) and wlc: lockless, over the live counters. */
static struct fnat_dest *fnat_lc_pick(struct fnat_sched_state *st, bool weighted)
{
	struct fnat_sched_snap *snap = rcu_dereference(algo_state(st)->snap);
	struct fnat_dest *best = NULL;
	u64 best_oh = 0;
	u32 best_w = 0;
	unsigned int i;

	if (!snap)
		return NULL;
	for (i = 0; i < snap->n; i++) {
		struct fnat_dest *dest = snap->dests[i];
		u32 w;
		u64 oh;

		if (!fnat_dest_available(dest))
			continue;
		w = weighted ? atomic_read(&dest->weight) : 1;
		oh = fnat_conn_overhead(atomic_read(&dest->activeconns),
					atomic_read(&dest->inactconns));
		if (!best || fnat_wlc_better(oh, w, best_oh, best_w)) {
			best = dest;
			best_oh = oh;
			best_w = w;
		}
	}
	return best;
}

static struct fnat_dest *fnat_lc_schedule(struct fnat_service *svc, struct fnat_sched_state *st,
					  const struct sk_buff *skb)
{
	return fnat_lc_pick(st, false);
}

static struct fnat_dest *fnat_wlc_schedule(struct fnat_service *svc, struct fnat_sched_state *st,
					   const struct sk_buff *skb)
{
	return fnat_lc_pick(st, true);
}

/* The client's address as words (sh), or address and port (mh). */
static unsigned int fnat_flow_words(const struct fnat_service *svc, const struct sk_buff *skb,
				    u32 *w, bool with_port)
{
	unsigned int n;
	__be16 sport = 0;

	if (svc->key.af == AF_INET6) {
		memcpy(w, &ipv6_hdr(skb)->saddr, 16);
		n = 4;
	} else {
		w[0] = (__force u32)ip_hdr(skb)->saddr;
		n = 1;
	}
	if (with_port) {
		/* The caller pulled the ports (the packet path checked them). */
		sport = *(const __be16 *)skb_transport_header(skb);
		w[n++] = (__force u32)sport;
	}
	return n;
}

static struct fnat_dest *fnat_tab_pick(struct fnat_sched_snap *snap, unsigned int slot)
{
	s16 idx;

	if (!snap || !snap->tab)
		return NULL;
	idx = snap->tab[slot];
	if (idx < 0 || idx >= snap->n || !fnat_dest_available(snap->dests[idx]))
		return NULL;
	return snap->dests[idx];
}

static struct fnat_dest *fnat_sh_schedule(struct fnat_service *svc, struct fnat_sched_state *st,
					  const struct sk_buff *skb)
{
	struct fnat_sched_algo_state *as = algo_state(st);
	u32 w[5];
	unsigned int n = fnat_flow_words(svc, skb, w, false);

	return fnat_tab_pick(rcu_dereference(as->snap), fnat_sh_bucket(w, n, as->seed));
}

static struct fnat_dest *fnat_mh_schedule(struct fnat_service *svc, struct fnat_sched_state *st,
					  const struct sk_buff *skb)
{
	struct fnat_sched_algo_state *as = algo_state(st);
	u32 w[5];
	unsigned int n = fnat_flow_words(svc, skb, w, true);

	/* A fixed seed, not as->seed: every director must map a flow alike. */
	return fnat_tab_pick(rcu_dereference(as->snap), fnat_mh_slot(w, n, 0x9e3779b9u));
}

#define FNAT_ALGO(n, fn) {						\
	.name = n,							\
	.state_size = sizeof(struct fnat_sched_algo_state),		\
	.init = fnat_algo_init,						\
	.update = fnat_algo_update,					\
	.release = fnat_algo_release,					\
	.schedule = fn,							\
}

const struct fnat_sched_ops fnat_schedulers[FNAT_NUM_SCHEDULERS] = {
	FNAT_ALGO("rr", fnat_rr_schedule),	/* round robin */
	FNAT_ALGO("wrr", fnat_wrr_schedule),	/* weighted round robin */
	FNAT_ALGO("lc", fnat_lc_schedule),	/* least connections */
	FNAT_ALGO("wlc", fnat_wlc_schedule),	/* weighted least connections */
	FNAT_ALGO("sh", fnat_sh_schedule),	/* source hashing */
	FNAT_ALGO("mh", fnat_mh_schedule),	/* Maglev hashing */
};
