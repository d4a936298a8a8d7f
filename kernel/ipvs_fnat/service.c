// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual services and their destinations (real servers).
 *
 * Every function here that changes something runs under the namespace's control
 * mutex and either fails before changing anything or succeeds completely. Packet
 * path readers find services in the RCU hash table and walk the RCU lists.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/jhash.h>
#include "fnat.h"
#include "dp.h"

static u32 fnat_svc_hash(const struct fnat_net *fn, const struct fnat_svc_key *k)
{
	u32 h = jhash2((const u32 *)k->addr.all,
		       k->af == AF_INET6 ? 4 : 1, fn->hash_seed);

	h = jhash_3words(h, (u32)k->protocol << 16 | ntohs(k->port), k->af, fn->hash_seed);
	return h & (FNAT_SVC_TAB_SIZE - 1);
}

static bool fnat_svc_match(const struct fnat_service *svc, const struct fnat_svc_key *k)
{
	return svc->key.af == k->af && svc->key.protocol == k->protocol &&
	       svc->key.port == k->port && fnat_addr_equal(k->af, &svc->key.addr, &k->addr);
}

/* Lookup by key: under rcu_read_lock() or the control mutex. */
struct fnat_service *fnat_svc_find(struct fnat_net *fn, const struct fnat_svc_key *key)
{
	struct fnat_service *svc;

	hlist_for_each_entry_rcu(svc, &fn->svc_table[fnat_svc_hash(fn, key)], hnode,
				 lockdep_is_held(&fn->lock))
		if (fnat_svc_match(svc, key))
			return svc;
	return NULL;
}

/* Lookup by id (dumps resuming): under rcu_read_lock() or the control mutex. */
struct fnat_service *fnat_svc_find_id(struct fnat_net *fn, u64 id)
{
	struct fnat_service *svc;

	list_for_each_entry_rcu(svc, &fn->svc_list, list, lockdep_is_held(&fn->lock))
		if (svc->id == id)
			return svc;
	return NULL;
}

bool fnat_svc_hold_rcu(struct fnat_service *svc)
{
	return refcount_inc_not_zero(&svc->refcnt);
}

static void fnat_svc_free_rcu(struct rcu_head *head)
{
	struct fnat_service *svc = container_of(head, struct fnat_service, rcu);

	/* Past a grace period since the last reference went: nobody sees it. */
	fnat_sched_state_free(rcu_dereference_protected(svc->sched, 1));
	fnat_stats_free(&svc->stats);
	fnat_sp_stats_free(&svc->sp_stats);
	fnat_svc_routes_free(svc);
	kfree(svc);
	atomic_dec(&fnat_live_objects);
}

void fnat_svc_put(struct fnat_service *svc)
{
	if (refcount_dec_and_test(&svc->refcnt))
		call_rcu(&svc->rcu, fnat_svc_free_rcu);
}

int fnat_svc_add(struct fnat_net *fn, const struct fnat_svc_conf *conf,
		 struct netlink_ext_ack *extack)
{
	struct fnat_sched_state *st;
	struct fnat_service *svc;
	int err;

	lockdep_assert_held(&fn->lock);
	if (fnat_svc_find(fn, &conf->key)) {
		NL_SET_ERR_MSG(extack, "service already exists");
		return -EEXIST;
	}

	svc = kzalloc(sizeof(*svc), GFP_KERNEL_ACCOUNT);
	if (!svc)
		return -ENOMEM;
	err = fnat_stats_init(&svc->stats);
	if (err)
		goto err_free;
	if (conf->key.protocol == IPPROTO_TCP) {
		err = fnat_sp_stats_init(&svc->sp_stats);
		if (err)
			goto err_stats;
	}
	refcount_set(&svc->refcnt, 1);
	svc->key = conf->key;
	svc->fn = fn;
	svc->svc_flags = conf->has_flags ? conf->flags : 0;
	svc->timeout = conf->has_timeout ? conf->timeout : FNAT_DEF_PERSIST_TIMEOUT;
	svc->netmask = conf->has_netmask ? conf->netmask :
		       (conf->key.af == AF_INET6 ? 128 : 32);
	svc->owner = conf->has_owner ? conf->owner : IPVS_FNAT_OWNER_NONE;
	INIT_LIST_HEAD(&svc->dests);
	fnat_laddr_pool_init(&svc->laddrs);

	st = fnat_sched_state_new(svc, conf->sched);
	if (IS_ERR(st)) {
		err = PTR_ERR(st);
		goto err_stats;
	}
	RCU_INIT_POINTER(svc->sched, st);

	svc->id = fnat_next_id(fn);
	atomic_inc(&fnat_live_objects);
	hlist_add_head_rcu(&svc->hnode, &fn->svc_table[fnat_svc_hash(fn, &svc->key)]);
	list_add_tail_rcu(&svc->list, &fn->svc_list);
	fn->num_services++;
	fnat_changed(fn);
	return 0;

err_stats:
	fnat_sp_stats_free(&svc->sp_stats);
	fnat_stats_free(&svc->stats);
err_free:
	kfree(svc);
	return err;
}

int fnat_svc_edit(struct fnat_net *fn, struct fnat_service *svc,
		  const struct fnat_svc_conf *conf, struct netlink_ext_ack *extack)
{
	struct fnat_sched_state *st = NULL, *old;

	lockdep_assert_held(&fn->lock);
	if (conf->has_owner && conf->owner != svc->owner) {
		NL_SET_ERR_MSG(extack, "a service's OWNER is set at creation and cannot change");
		return -EINVAL;
	}
	old = rcu_dereference_protected(svc->sched, lockdep_is_held(&fn->lock));
	if (conf->sched && conf->sched != old->ops) {
		/* The only step that can fail comes first. */
		st = fnat_sched_state_new(svc, conf->sched);
		if (IS_ERR(st))
			return PTR_ERR(st);
	}

	if (conf->has_flags) {
		WRITE_ONCE(svc->svc_flags, conf->flags);
		/* Off: nothing the check decided holds any more. */
		if (!(conf->flags & IPVS_FNAT_SVC_F_DEST_CHECK))
			fnat_dc_reset_svc(svc);
	}
	if (conf->has_timeout)
		WRITE_ONCE(svc->timeout, conf->timeout);
	if (conf->has_netmask)
		WRITE_ONCE(svc->netmask, conf->netmask);
	if (st) {
		rcu_assign_pointer(svc->sched, st);
		fnat_sched_state_free_rcu(old);
	}
	fnat_changed(fn);
	return 0;
}

/* Take dest out of its service's list and drop the list's reference. */
static void fnat_dest_unlink(struct fnat_service *svc, struct fnat_dest *dest)
{
	clear_bit(FNAT_DEST_F_AVAILABLE, &dest->flags);
	set_bit(FNAT_F_UNLINKED, &dest->flags);
	list_del_rcu(&dest->list);
	svc->num_dests--;
	fnat_dest_put(dest);
}

static void __fnat_svc_del(struct fnat_net *fn, struct fnat_service *svc, bool conns)
{
	struct fnat_dest *dest, *tmp;
	bool had_dests = !list_empty(&svc->dests);

	lockdep_assert_held(&fn->lock);
	set_bit(FNAT_F_UNLINKED, &svc->flags);
	hlist_del_rcu(&svc->hnode);
	list_del_rcu(&svc->list);
	fn->num_services--;
	list_for_each_entry_safe(dest, tmp, &svc->dests, list)
		fnat_dest_unlink(svc, dest);
	/* The scheduler lets go of the destinations it may hold (and so of svc). */
	if (had_dests)
		fnat_sched_update(svc);
	fnat_laddr_flush(fn, &svc->laddrs);
	/* Its connections go with it (they hold the references that keep svc). */
	if (conns)
		fnat_conn_flush_svc(fn->net, svc);
	fnat_changed(fn);
	fnat_svc_put(svc);
}

void fnat_svc_del(struct fnat_net *fn, struct fnat_service *svc)
{
	__fnat_svc_del(fn, svc, true);
}

void fnat_svc_flush(struct fnat_net *fn)
{
	struct fnat_service *svc, *tmp;

	lockdep_assert_held(&fn->lock);
	list_for_each_entry_safe(svc, tmp, &fn->svc_list, list)
		__fnat_svc_del(fn, svc, false);
	/* With no service left, no connection uses the default pool either. */
	fnat_laddr_flush(fn, &fn->default_laddrs);
	/* One sweep of the connection table for all of them. */
	fnat_conn_flush_unlinked_net(fn->net);
}

void fnat_svc_zero(struct fnat_service *svc)
{
	struct fnat_dest *dest;

	lockdep_assert_held(&svc->fn->lock);
	fnat_stats_zero(&svc->stats);
	fnat_sp_stats_zero(&svc->sp_stats);
	list_for_each_entry(dest, &svc->dests, list)
		fnat_stats_zero(&dest->stats);
}

/* --- destinations ------------------------------------------------------------------ */

/* Lookup in svc's list: under rcu_read_lock() or the control mutex. */
struct fnat_dest *fnat_dest_find(struct fnat_service *svc, u16 af,
				 const union nf_inet_addr *addr, __be16 port)
{
	struct fnat_dest *dest;

	list_for_each_entry_rcu(dest, &svc->dests, list, lockdep_is_held(&svc->fn->lock))
		if (dest->af == af && dest->port == port &&
		    fnat_addr_equal(af, &dest->addr, addr))
			return dest;
	return NULL;
}

bool fnat_dest_hold_rcu(struct fnat_dest *dest)
{
	return refcount_inc_not_zero(&dest->refcnt);
}

static void fnat_dest_free_rcu(struct rcu_head *head)
{
	struct fnat_dest *dest = container_of(head, struct fnat_dest, rcu);

	fnat_stats_free(&dest->stats);
	fnat_dest_routes_free(dest);
	fnat_svc_put(dest->svc);
	kfree(dest);
	atomic_dec(&fnat_live_objects);
}

void fnat_dest_put(struct fnat_dest *dest)
{
	if (refcount_dec_and_test(&dest->refcnt))
		call_rcu(&dest->rcu, fnat_dest_free_rcu);
}

static int fnat_dest_check_thresh(u32 upper, u32 lower, struct netlink_ext_ack *extack)
{
	if (upper && lower > upper) {
		NL_SET_ERR_MSG(extack, "lower threshold is above the upper threshold");
		return -EINVAL;
	}
	return 0;
}

int fnat_dest_add(struct fnat_net *fn, struct fnat_service *svc,
		  const struct fnat_dest_conf *conf, struct netlink_ext_ack *extack)
{
	u32 weight = conf->has_weight ? conf->weight : 1;
	u32 upper = conf->has_u_thresh ? conf->u_thresh : 0;
	u32 lower = conf->has_l_thresh ? conf->l_thresh : 0;
	struct fnat_dest *dest;
	int err;

	lockdep_assert_held(&fn->lock);
	if (fnat_dest_find(svc, conf->af, &conf->addr, conf->port)) {
		NL_SET_ERR_MSG(extack, "destination already exists");
		return -EEXIST;
	}
	err = fnat_dest_check_thresh(upper, lower, extack);
	if (err)
		return err;

	dest = kzalloc(sizeof(*dest), GFP_KERNEL_ACCOUNT);
	if (!dest)
		return -ENOMEM;
	err = fnat_stats_init(&dest->stats);
	if (err) {
		kfree(dest);
		return err;
	}
	refcount_set(&dest->refcnt, 1);
	dest->af = conf->af;
	dest->addr = conf->addr;
	dest->port = conf->port;
	atomic_set(&dest->weight, weight);
	dest->u_thresh = upper;
	dest->l_thresh = lower;
	atomic_set(&dest->activeconns, 0);
	atomic_set(&dest->inactconns, 0);
	atomic_set(&dest->persistconns, 0);
	fnat_dc_init(dest);
	refcount_inc(&svc->refcnt);
	dest->svc = svc;
	dest->id = fnat_next_id(fn);
	atomic_inc(&fnat_live_objects);
	set_bit(FNAT_DEST_F_AVAILABLE, &dest->flags);

	list_add_tail_rcu(&dest->list, &svc->dests);
	svc->num_dests++;
	fnat_sched_update(svc);
	fnat_changed(fn);
	return 0;
}

int fnat_dest_edit(struct fnat_net *fn, struct fnat_service *svc, struct fnat_dest *dest,
		   const struct fnat_dest_conf *conf, struct netlink_ext_ack *extack)
{
	u32 upper = conf->has_u_thresh ? conf->u_thresh : dest->u_thresh;
	u32 lower = conf->has_l_thresh ? conf->l_thresh : dest->l_thresh;
	int err;

	lockdep_assert_held(&fn->lock);
	err = fnat_dest_check_thresh(upper, lower, extack);
	if (err)
		return err;
	if (conf->has_weight)
		atomic_set(&dest->weight, conf->weight);
	WRITE_ONCE(dest->u_thresh, upper);
	WRITE_ONCE(dest->l_thresh, lower);
	/* An operator's (or a health checker's) word on it overrides the passive check. */
	fnat_dc_reset(dest);
	fnat_sched_update(svc);
	fnat_changed(fn);
	return 0;
}

void fnat_dest_del(struct fnat_net *fn, struct fnat_service *svc, struct fnat_dest *dest)
{
	lockdep_assert_held(&fn->lock);
	fnat_dest_unlink(svc, dest);
	fnat_conn_flush_dest(fn->net, dest);
	fnat_sched_update(svc);
	fnat_changed(fn);
}
