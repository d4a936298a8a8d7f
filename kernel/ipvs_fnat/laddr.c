// SPDX-License-Identifier: GPL-2.0
/*
 * Pools of local addresses (LIPs): the director's own addresses that FULLNAT
 * connections to the real servers come from. Each service has its own pool, and the
 * namespace has a default pool (fnat_net.default_laddrs) that every service whose
 * own pool is empty takes its addresses from, those of its family. A pool is an RCU
 * list in insertion order, which the packet path rotates through (conn.c); changes
 * are made under fnat_net.lock. A peer LIP (IPVS_FNAT_LADDR_F_PEER) is another
 * director's: in the pool so that the connections that director's sync master
 * sends can be installed with it, never given to a new connection here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include "fnat.h"
#include "dp.h"

void fnat_laddr_pool_init(struct fnat_laddr_pool *pool)
{
	INIT_LIST_HEAD(&pool->list);
	pool->num = 0;
	atomic_set(&pool->cursor, 0);
}

/* Lookup in a pool: under rcu_read_lock() or the control mutex. */
struct fnat_laddr *fnat_laddr_find(struct fnat_net *fn, struct fnat_laddr_pool *pool, u16 af,
				   const union nf_inet_addr *addr)
{
	struct fnat_laddr *la;

	list_for_each_entry_rcu(la, &pool->list, list, lockdep_is_held(&fn->lock))
		if (la->af == af && fnat_addr_equal(af, &la->addr, addr))
			return la;
	return NULL;
}

bool fnat_laddr_hold_rcu(struct fnat_laddr *la)
{
	return refcount_inc_not_zero(&la->refcnt);
}

static void fnat_laddr_free_rcu(struct rcu_head *head)
{
	kfree(container_of(head, struct fnat_laddr, rcu));
	atomic_dec(&fnat_live_objects);
}

void fnat_laddr_put(struct fnat_laddr *la)
{
	if (refcount_dec_and_test(&la->refcnt))
		call_rcu(&la->rcu, fnat_laddr_free_rcu);
}

int fnat_laddr_add(struct fnat_net *fn, struct fnat_laddr_pool *pool, u16 af,
		   const union nf_inet_addr *addr, u32 lflags)
{
	struct fnat_laddr *la;

	lockdep_assert_held(&fn->lock);
	if (fnat_laddr_find(fn, pool, af, addr))
		return -EEXIST;
	la = kzalloc(sizeof(*la), GFP_KERNEL_ACCOUNT);
	if (!la)
		return -ENOMEM;
	refcount_set(&la->refcnt, 1);
	la->af = af;
	la->lflags = lflags;
	la->addr = *addr;
	atomic64_set(&la->port_conflicts, 0);
	atomic_set(&la->conns, 0);
	la->id = fnat_next_id(fn);
	atomic_inc(&fnat_live_objects);
	list_add_tail_rcu(&la->list, &pool->list);
	WRITE_ONCE(pool->num, pool->num + 1);
	fnat_changed(fn);
	return 0;
}

static void fnat_laddr_unlink(struct fnat_laddr_pool *pool, struct fnat_laddr *la)
{
	set_bit(FNAT_F_UNLINKED, &la->flags);
	list_del_rcu(&la->list);
	WRITE_ONCE(pool->num, pool->num - 1);
	fnat_laddr_put(la);
}

/* Remove la from its pool; the connections using it are expired. */
void fnat_laddr_del(struct fnat_net *fn, struct fnat_laddr_pool *pool, struct fnat_laddr *la)
{
	union nf_inet_addr addr = la->addr;
	u16 af = la->af;

	lockdep_assert_held(&fn->lock);
	fnat_laddr_unlink(pool, la);
	fnat_conn_flush_laddr(fn->net, la);
	/* No connection from it is left to route (la itself may be gone). */
	fnat_routes_forget_laddr(fn, af, &addr);
	fnat_changed(fn);
}

/* Empty a pool. The caller expires the connections (with their service), or, for
 * the default pool, does so itself. */
void fnat_laddr_flush(struct fnat_net *fn, struct fnat_laddr_pool *pool)
{
	struct fnat_laddr *la, *tmp;

	lockdep_assert_held(&fn->lock);
	list_for_each_entry_safe(la, tmp, &pool->list, list)
		fnat_laddr_unlink(pool, la);
}
