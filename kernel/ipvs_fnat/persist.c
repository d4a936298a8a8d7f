// SPDX-License-Identifier: GPL-2.0
/*
 * Persistence (ipvsadm -p): a client — its address under the service's netmask —
 * goes to the same real server for the persistence timeout after its last new
 * connection. A template maps (namespace, protocol, client prefix, VIP, port) to a
 * destination; it holds a reference on the destination, counted in persistconns.
 *
 * One small table for every namespace. Lookups are RCU; inserts and removals take
 * fnat_persist_lock (a new persistent client is rare next to packets). A template's
 * timer re-arms itself while ->expires moves forward and removes it once it passes;
 * removal sets UNHASHED once, drops the table's hold, and the destination reference
 * goes with the RCU free. A template is followed even when its destination has been
 * quiesced (weight 0), as with IPVS, but not once the destination is deleted or over
 * its threshold: then the client is scheduled anew.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/siphash.h>
#include <linux/random.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/inetdevice.h>
#include <net/ipv6.h>
#include "dp.h"
#include "sched_algo.h"
#include "sync.h"

#define FNAT_PERSIST_BITS	12

struct fnat_persist {
	struct hlist_node node;
	possible_net_t net;
	u16 af;
	u8 protocol;
	__be16 vport;
	union nf_inet_addr caddr;	/* masked */
	union nf_inet_addr vaddr;
	struct fnat_dest *dest;		/* a reference */
	unsigned long expires;
	unsigned long flags;		/* FNAT_CONN_F_UNHASHED, FNAT_CONN_F_DYING */
	refcount_t refcnt;		/* the table's */
	struct timer_list timer;
	struct rcu_head rcu;
};

static struct hlist_head fnat_persist_tab[1 << FNAT_PERSIST_BITS];
static DEFINE_SPINLOCK(fnat_persist_lock);
static siphash_key_t fnat_persist_key __read_mostly;

/* The client's address under the service's persistence netmask. */
static void fnat_persist_mask(u16 af, const union nf_inet_addr *a, u8 plen,
			      union nf_inet_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (af == AF_INET6) {
		ipv6_addr_prefix(&out->in6, &a->in6, plen);
	} else {
		out->ip = plen ? a->ip & inet_make_mask(plen) : 0;
	}
}

static u32 fnat_persist_hash(const struct net *net, u8 protocol, const union nf_inet_addr *caddr,
			     const union nf_inet_addr *vaddr, __be16 vport)
{
	struct {
		u64 net;
		union nf_inet_addr caddr, vaddr;
		__be16 vport;
		u8 protocol;
		u8 pad[5];
	} __aligned(SIPHASH_ALIGNMENT) k;

	memset(&k, 0, sizeof(k));
	k.net = (u64)(unsigned long)net;
	k.caddr = *caddr;
	k.vaddr = *vaddr;
	k.vport = vport;
	k.protocol = protocol;
	return (u32)siphash(&k, sizeof(k), &fnat_persist_key) & ((1 << FNAT_PERSIST_BITS) - 1);
}

static void fnat_persist_free_rcu(struct rcu_head *head)
{
	struct fnat_persist *p = container_of(head, struct fnat_persist, rcu);

	fnat_dest_put(p->dest);
	kfree(p);
	atomic_dec(&fnat_live_objects);
}

static void fnat_persist_put(struct fnat_persist *p)
{
	if (refcount_dec_and_test(&p->refcnt))
		call_rcu(&p->rcu, fnat_persist_free_rcu);
}

static void fnat_persist_unhash(struct fnat_persist *p)
{
	bool mine;

	spin_lock_bh(&fnat_persist_lock);
	mine = !test_and_set_bit(FNAT_CONN_F_UNHASHED, &p->flags);
	if (mine)
		hlist_del_rcu(&p->node);
	spin_unlock_bh(&fnat_persist_lock);
	if (!mine)
		return;
	atomic_dec(&p->dest->persistconns);
	fnat_persist_put(p);
}

static void fnat_persist_timer(struct timer_list *t)
{
	struct fnat_persist *p = from_timer(p, t, timer);
	unsigned long expires = READ_ONCE(p->expires);

	if (test_bit(FNAT_CONN_F_DYING, &p->flags))
		return;
	if (time_before(jiffies, expires)) {
		mod_timer(&p->timer, expires);
		return;
	}
	fnat_persist_unhash(p);
}

static bool fnat_persist_match(const struct fnat_persist *p, const struct net *net, u16 af,
			       u8 protocol, const union nf_inet_addr *caddr,
			       const union nf_inet_addr *vaddr, __be16 vport)
{
	return p->vport == vport && p->protocol == protocol && p->af == af &&
	       fnat_addr_equal(af, &p->caddr, caddr) && fnat_addr_equal(af, &p->vaddr, vaddr) &&
	       net_eq(read_pnet(&p->net), net);
}

/* The destination for a new connection of a persistent service, under RCU. */
struct fnat_dest *fnat_persist_schedule(struct net *net, struct fnat_service *svc,
					const struct fnat_tuple *t,
					struct fnat_dest *(*schedule)(struct fnat_service *svc,
								      struct sk_buff *skb),
					struct sk_buff *skb)
{
	unsigned long timeout = (unsigned long)READ_ONCE(svc->timeout) * HZ;
	union nf_inet_addr caddr;
	struct fnat_persist *p, *o;
	struct fnat_dest *dest;
	u32 b;

	fnat_persist_mask(t->af, &t->saddr, READ_ONCE(svc->netmask), &caddr);
	b = fnat_persist_hash(net, t->protocol, &caddr, &t->daddr, t->dport);
	hlist_for_each_entry_rcu(p, &fnat_persist_tab[b], node) {
		if (!fnat_persist_match(p, net, t->af, t->protocol, &caddr, &t->daddr, t->dport))
			continue;
		dest = p->dest;
		if (test_bit(FNAT_F_UNLINKED, &dest->flags) ||
		    test_bit(FNAT_DEST_F_OVERLOADED, &dest->flags) ||
		    (test_bit(FNAT_DEST_F_CHECK, &dest->flags) && !fnat_dc_admits(dest)))
			break;	/* schedule anew; the stale template expires by itself */
		WRITE_ONCE(p->expires, jiffies + timeout);
		return dest;
	}

	dest = schedule(svc, skb);
	if (!dest)
		return NULL;
	p = kzalloc(sizeof(*p), GFP_ATOMIC | __GFP_NOWARN);
	if (!p || !fnat_dest_hold_rcu(dest)) {
		kfree(p);
		return dest;	/* persistence is best effort; the connection still goes */
	}
	write_pnet(&p->net, net);
	p->af = t->af;
	p->protocol = t->protocol;
	p->caddr = caddr;
	p->vaddr = t->daddr;
	p->vport = t->dport;
	p->dest = dest;
	p->expires = jiffies + timeout;
	refcount_set(&p->refcnt, 1);
	timer_setup(&p->timer, fnat_persist_timer, 0);

	spin_lock(&fnat_persist_lock);
	/* A template for this client made meanwhile on another CPU wins. */
	hlist_for_each_entry(o, &fnat_persist_tab[b], node)
		if (fnat_persist_match(o, net, t->af, t->protocol, &caddr, &t->daddr, t->dport))
			break;
	if (!o) {
		hlist_add_head_rcu(&p->node, &fnat_persist_tab[b]);
		atomic_inc(&dest->persistconns);
		atomic_inc(&fnat_live_objects);
		mod_timer(&p->timer, p->expires);
	}
	spin_unlock(&fnat_persist_lock);
	if (o) {
		fnat_dest_put(dest);
		kfree(p);
		return o->dest;
	}
	return dest;
}

/*
 * A connection synced from another director's master, of a persistent service: its
 * client keeps its real server here too. The template is made, refreshed, or moved
 * to dest (the master's choice wins over an older one of ours). Process context.
 */
void fnat_persist_sync(struct net *net, const struct fnat_sync_conn *c, u8 netmask,
		       u32 timeout, struct fnat_dest *dest)
{
	unsigned long expires = jiffies + (unsigned long)timeout * HZ;
	struct fnat_persist *p, *o, *old = NULL;
	union nf_inet_addr caddr;
	u32 b;

	fnat_persist_mask(c->af, &c->caddr, netmask, &caddr);
	b = fnat_persist_hash(net, c->protocol, &caddr, &c->vaddr, c->vport);
	p = kzalloc(sizeof(*p), GFP_KERNEL | __GFP_NOWARN);

	spin_lock_bh(&fnat_persist_lock);
	hlist_for_each_entry(o, &fnat_persist_tab[b], node) {
		if (!fnat_persist_match(o, net, c->af, c->protocol, &caddr, &c->vaddr, c->vport))
			continue;
		if (o->dest == dest) {
			if (time_after(expires, READ_ONCE(o->expires)))
				WRITE_ONCE(o->expires, expires);
			spin_unlock_bh(&fnat_persist_lock);
			kfree(p);
			return;
		}
		if (!p)
			break;	/* keep the old one rather than none */
		/* Another real server's: replaced, the old one unhashed here and
		 * its timer stopped below. */
		set_bit(FNAT_CONN_F_DYING, &o->flags);
		set_bit(FNAT_CONN_F_UNHASHED, &o->flags);
		hlist_del_rcu(&o->node);
		atomic_dec(&o->dest->persistconns);
		old = o;
		break;
	}
	if (p && (old || !o) && refcount_inc_not_zero(&dest->refcnt)) {
		write_pnet(&p->net, net);
		p->af = c->af;
		p->protocol = c->protocol;
		p->caddr = caddr;
		p->vaddr = c->vaddr;
		p->vport = c->vport;
		p->dest = dest;
		p->expires = expires;
		refcount_set(&p->refcnt, 1);
		timer_setup(&p->timer, fnat_persist_timer, 0);
		hlist_add_head_rcu(&p->node, &fnat_persist_tab[b]);
		atomic_inc(&dest->persistconns);
		atomic_inc(&fnat_live_objects);
		mod_timer(&p->timer, p->expires);
		p = NULL;
	}
	spin_unlock_bh(&fnat_persist_lock);
	kfree(p);
	if (old) {
		timer_shutdown_sync(&old->timer);
		fnat_persist_put(old);
	}
}

/*
 * Remove the templates of net for which match() holds; process context. A few at a
 * time: unhashed under the lock (readers may still be on them: they are freed by
 * RCU), then their timers stopped outside it.
 */
#define FNAT_PERSIST_BATCH 32

static void fnat_persist_flush(struct net *net, const void *arg,
			       bool (*match)(const struct fnat_persist *p, const void *arg))
{
	struct fnat_persist *batch[FNAT_PERSIST_BATCH], *p;
	unsigned int b, n, i;

	for (b = 0; b < ARRAY_SIZE(fnat_persist_tab); b++) {
		do {
			n = 0;
			spin_lock_bh(&fnat_persist_lock);
			hlist_for_each_entry(p, &fnat_persist_tab[b], node) {
				if (!net_eq(read_pnet(&p->net), net) || !match(p, arg))
					continue;
				set_bit(FNAT_CONN_F_DYING, &p->flags);
				set_bit(FNAT_CONN_F_UNHASHED, &p->flags);
				batch[n++] = p;
				if (n == FNAT_PERSIST_BATCH)
					break;
			}
			for (i = 0; i < n; i++) {
				hlist_del_rcu(&batch[i]->node);
				atomic_dec(&batch[i]->dest->persistconns);
			}
			spin_unlock_bh(&fnat_persist_lock);
			/* The table's hold is now ours: nothing else frees them. */
			for (i = 0; i < n; i++) {
				timer_shutdown_sync(&batch[i]->timer);
				fnat_persist_put(batch[i]);
			}
		} while (n == FNAT_PERSIST_BATCH);
	}
}

static bool fnat_persist_match_all(const struct fnat_persist *p, const void *arg)
{
	return true;
}

static bool fnat_persist_match_dest(const struct fnat_persist *p, const void *arg)
{
	return p->dest == arg;
}

static bool fnat_persist_match_svc(const struct fnat_persist *p, const void *arg)
{
	return p->dest->svc == arg;
}

void fnat_persist_flush_net(struct net *net)
{
	fnat_persist_flush(net, NULL, fnat_persist_match_all);
}

void fnat_persist_flush_dest(struct net *net, const struct fnat_dest *dest)
{
	fnat_persist_flush(net, dest, fnat_persist_match_dest);
}

void fnat_persist_flush_svc(struct net *net, const struct fnat_service *svc)
{
	fnat_persist_flush(net, svc, fnat_persist_match_svc);
}

void fnat_persist_init(void)
{
	unsigned int b;

	for (b = 0; b < ARRAY_SIZE(fnat_persist_tab); b++)
		INIT_HLIST_HEAD(&fnat_persist_tab[b]);
	get_random_bytes(&fnat_persist_key, sizeof(fnat_persist_key));
}
