// SPDX-License-Identifier: GPL-2.0
/*
 * The connection table: one table for every namespace (the namespace is part of the
 * key), 2^conn_tab_bits buckets, each connection in it by both of its tuples. See
 * dp.h for the lifetime and locking rules; this file is the only one that links or
 * unlinks connections.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/rculist.h>
#include <linux/jiffies.h>
#include "dp.h"
#include "fnat_tcpopt.h"
#include "sync.h"

#define FNAT_CONN_LOCK_BITS	10
#define FNAT_CONN_LOCKS		(1U << FNAT_CONN_LOCK_BITS)

/* Local ports tried per local address before moving on to the next one. */
#define FNAT_PORT_TRIES		64

static struct hlist_head *fnat_conn_tab __read_mostly;
static u32 fnat_conn_mask __read_mostly;
static spinlock_t fnat_conn_locks[FNAT_CONN_LOCKS];
static siphash_key_t fnat_conn_key __read_mostly;
static struct kmem_cache *fnat_conn_cache __read_mostly;

static const char *const fnat_state_names[FNAT_S_MAX] = {
	[FNAT_S_NONE] = "NONE",
	[FNAT_S_SYN_RECV] = "SYN_RECV",
	[FNAT_S_ESTABLISHED] = "ESTABLISHED",
	[FNAT_S_FIN_WAIT] = "FIN_WAIT",
	[FNAT_S_TIME_WAIT] = "TIME_WAIT",
	[FNAT_S_CLOSE] = "CLOSE",
	[FNAT_S_UDP] = "UDP",
	[FNAT_S_SYNPROXY] = "SYN_PROXY",
};

const char *fnat_conn_state_name(unsigned int state)
{
	return state < FNAT_S_MAX ? fnat_state_names[state] : "?";
}

/* Bucket of a tuple. Both directions use the same function: the client-side tuple
 * is (client, VIP), the RS-side tuple is (RS, LIP), each as (source, destination) of
 * the packets that are looked up with it. */
static u32 fnat_conn_hash(const struct net *net, u8 protocol, u16 af,
			  const union nf_inet_addr *saddr, __be16 sport,
			  const union nf_inet_addr *daddr, __be16 dport)
{
	struct {
		u64 net;
		union nf_inet_addr saddr, daddr;
		__be16 sport, dport;
		u16 af;
		u8 protocol;
		u8 pad;
	} __aligned(SIPHASH_ALIGNMENT) k;

	memset(&k, 0, sizeof(k));
	k.net = (u64)(unsigned long)net;
	if (af == AF_INET6) {
		k.saddr = *saddr;
		k.daddr = *daddr;
	} else {
		k.saddr.ip = saddr->ip;
		k.daddr.ip = daddr->ip;
	}
	k.sport = sport;
	k.dport = dport;
	k.af = af;
	k.protocol = protocol;
	return (u32)siphash(&k, sizeof(k), &fnat_conn_key) & fnat_conn_mask;
}

static inline u32 fnat_conn_c_bucket(const struct fnat_conn *cp)
{
	return fnat_conn_hash(fnat_conn_net(cp), cp->protocol, cp->af, &cp->caddr, cp->cport,
			      &cp->vaddr, cp->vport);
}

static inline u32 fnat_conn_r_bucket(const struct fnat_conn *cp)
{
	return fnat_conn_hash(fnat_conn_net(cp), cp->protocol, cp->af, &cp->daddr, cp->dport,
			      &cp->laddr, cp->lport);
}

static inline spinlock_t *fnat_bucket_lock(u32 bucket)
{
	return &fnat_conn_locks[bucket & (FNAT_CONN_LOCKS - 1)];
}

/* Take the locks of two buckets in a fixed order (one lock if they share it). The
 * packet path runs in softirq; the control plane and timers take them with BHs off.
 * For sparse, both helpers always hold two contexts (__acquire for a shared lock). */
static void fnat_lock_two(u32 a, u32 b)
	__acquires(bucket_a) __acquires(bucket_b)
{
	spinlock_t *la = fnat_bucket_lock(a), *lb = fnat_bucket_lock(b);

	if (la == lb) {
		spin_lock_bh(la);
		__acquire(bucket_b);
	} else if (la < lb) {
		spin_lock_bh(la);
		spin_lock_nested(lb, SINGLE_DEPTH_NESTING);
	} else {
		spin_lock_bh(lb);
		spin_lock_nested(la, SINGLE_DEPTH_NESTING);
	}
}

static void fnat_unlock_two(u32 a, u32 b)
	__releases(bucket_a) __releases(bucket_b)
{
	spinlock_t *la = fnat_bucket_lock(a), *lb = fnat_bucket_lock(b);

	if (la != lb)
		spin_unlock(la < lb ? lb : la);
	else
		__release(bucket_b);
	spin_unlock_bh(la < lb ? la : lb);
}

static inline bool fnat_addr_eq(u16 af, const union nf_inet_addr *a, const union nf_inet_addr *b)
{
	return fnat_addr_equal(af, a, b);
}

static bool fnat_conn_match_in(const struct fnat_conn *cp, const struct net *net,
			       const struct fnat_tuple *t)
{
	return cp->cport == t->sport && cp->vport == t->dport && cp->protocol == t->protocol &&
	       cp->af == t->af && fnat_addr_eq(t->af, &cp->caddr, &t->saddr) &&
	       fnat_addr_eq(t->af, &cp->vaddr, &t->daddr) && net_eq(fnat_conn_net(cp), net);
}

static bool fnat_conn_match_out(const struct fnat_conn *cp, const struct net *net,
				const struct fnat_tuple *t)
{
	return cp->dport == t->sport && cp->lport == t->dport && cp->protocol == t->protocol &&
	       cp->af == t->af && fnat_addr_eq(t->af, &cp->daddr, &t->saddr) &&
	       fnat_addr_eq(t->af, &cp->laddr, &t->daddr) && net_eq(fnat_conn_net(cp), net);
}

/* Which of its connection's entries h is: hn[0] starts the 64-byte aligned object,
 * hn[1] is 16 bytes in (both checked at build time, the alignment at the cache's
 * creation), so bit 4 of the address tells, without a byte in every entry. */
#define FNAT_CONN_ALIGN	64
static_assert(offsetof(struct fnat_conn, hn[FNAT_DIR_IN]) == 0 &&
	      offsetof(struct fnat_conn, hn[FNAT_DIR_OUT]) == sizeof(struct fnat_conn_hnode) &&
	      sizeof(struct fnat_conn_hnode) == 16);

static inline enum fnat_dir fnat_hnode_dir(const struct fnat_conn_hnode *h)
{
	return ((unsigned long)h / sizeof(*h)) & 1 ? FNAT_DIR_OUT : FNAT_DIR_IN;
}

static inline struct fnat_conn *fnat_hnode_conn(const struct fnat_conn_hnode *h)
{
	return container_of((struct fnat_conn_hnode *)(h - fnat_hnode_dir(h)), struct fnat_conn,
			    hn[0]);
}

/* Does entry h carry tuple t (its direction's tuple, as the packet has it)? */
static bool fnat_hnode_match(const struct fnat_conn_hnode *h, const struct net *net,
			     const struct fnat_tuple *t)
{
	const struct fnat_conn *cp = fnat_hnode_conn(h);

	return fnat_hnode_dir(h) == FNAT_DIR_IN ? fnat_conn_match_in(cp, net, t) :
						 fnat_conn_match_out(cp, net, t);
}

/* Each connection of bucket b once, by its client-side entry (a loop statement:
 * break and continue work in its body). Under RCU or the bucket's lock. */
#define fnat_for_each_conn_rcu(cp, h, b)					\
	hlist_for_each_entry_rcu(h, &fnat_conn_tab[b], node)			\
		if (fnat_hnode_dir(h) != FNAT_DIR_IN || !((cp) = fnat_hnode_conn(h))) {} else

static inline u32 fnat_tuple_bucket(const struct net *net, const struct fnat_tuple *t)
{
	return fnat_conn_hash(net, t->protocol, t->af, &t->saddr, t->sport, &t->daddr, t->dport);
}

/* Under RCU. The result is valid until the read-side section ends. No two entries
 * carry the same tuple (fnat_conn_taken()), so the first match is the one. */
struct fnat_conn *fnat_conn_lookup(struct net *net, const struct fnat_tuple *t,
				   enum fnat_dir *dir)
{
	struct fnat_conn_hnode *h;

	hlist_for_each_entry_rcu(h, &fnat_conn_tab[fnat_tuple_bucket(net, t)], node)
		if (fnat_hnode_match(h, net, t)) {
			*dir = fnat_hnode_dir(h);
			return fnat_hnode_conn(h);
		}
	return NULL;
}

struct fnat_conn *fnat_conn_lookup_dir(struct net *net, const struct fnat_tuple *t,
				       enum fnat_dir dir)
{
	struct fnat_conn_hnode *h;

	hlist_for_each_entry_rcu(h, &fnat_conn_tab[fnat_tuple_bucket(net, t)], node)
		if (fnat_hnode_dir(h) == dir && fnat_hnode_match(h, net, t))
			return fnat_hnode_conn(h);
	return NULL;
}

/* Is t the tuple of any entry of bucket b, either direction? Bucket lock held. */
static bool fnat_bucket_holds(u32 b, const struct net *net, const struct fnat_tuple *t)
{
	struct fnat_conn_hnode *h;

	hlist_for_each_entry(h, &fnat_conn_tab[b], node)
		if (fnat_hnode_match(h, net, t))
			return true;
	return false;
}

/* --- states and counters ---------------------------------------------------------- */

static u32 fnat_state_timeout(struct net *net, enum fnat_conn_state s)
{
	const struct fnat_config *cfg = &fnat_net(net)->cfg;
	u32 secs;

	switch (s) {
	case FNAT_S_ESTABLISHED:
		secs = READ_ONCE(cfg->timeout_tcp);
		break;
	case FNAT_S_FIN_WAIT:
	case FNAT_S_TIME_WAIT:
		secs = READ_ONCE(cfg->timeout_tcp_fin);
		break;
	case FNAT_S_UDP:
		secs = READ_ONCE(cfg->timeout_udp);
		break;
	case FNAT_S_CLOSE:
		secs = 10;
		break;
	case FNAT_S_SYNPROXY:
		/* The first retransmission of the SYN to the real server (synproxy.c
		 * backs off from there, up to timeout_syn in all). */
		return HZ;
	default:
		secs = READ_ONCE(cfg->timeout_syn);
		break;
	}
	return secs * HZ;
}

/* Move cp to a new state: its timeout, and the destination's active/inactive
 * counts. Caller holds cp->lock (or owns cp, before it is hashed). */
void fnat_conn_set_state_locked(struct fnat_conn *cp, enum fnat_conn_state state)
{
	unsigned long timeout = fnat_state_timeout(fnat_conn_net(cp), state);
	bool active = state == FNAT_S_ESTABLISHED;

	cp->state = state;
	WRITE_ONCE(cp->timeout, timeout);
	/*
	 * A shorter timeout (FIN, RST) takes effect now: pull the pending timer in; when
	 * it fires before ->expires it re-arms itself. A timer that is not pending (the
	 * connection not yet hashed, or its callback running) is left alone: the
	 * callback reads the new timeout through ->expires, and an expiring one has shut
	 * its timer down.
	 */
	if (timer_pending(&cp->timer))
		timer_reduce(&cp->timer, jiffies + timeout);
	if (active && !test_bit(FNAT_CONN_F_ACTIVE, &cp->flags)) {
		set_bit(FNAT_CONN_F_ACTIVE, &cp->flags);
		atomic_inc(&cp->dest->activeconns);
		atomic_dec(&cp->dest->inactconns);
	} else if (!active && test_bit(FNAT_CONN_F_ACTIVE, &cp->flags)) {
		clear_bit(FNAT_CONN_F_ACTIVE, &cp->flags);
		atomic_dec(&cp->dest->activeconns);
		atomic_inc(&cp->dest->inactconns);
	}
	/* The backups learn every state change of a connection they hold. */
	fnat_sync_conn_changed(cp);
}

/*
 * Live connections of every namespace together, against fnat_conn_max_global (a
 * module parameter, so that no namespace admin can raise it): the table and the
 * connection cache are shared by all namespaces, and a namespace's own conn_max is
 * set by whoever administers it, possibly an unprivileged user's user namespace.
 */
static atomic_t fnat_conn_global = ATOMIC_INIT(0);

/* Give back what fnat_conn_reserve() took (a failed creation, or an unhashed
 * connection). */
static void fnat_conn_unreserve(struct fnat_net *fn)
{
	atomic_dec(&fn->conn_count);
	atomic_dec(&fnat_conn_global);
}

/* --- removal ---------------------------------------------------------------------- */

static void fnat_conn_free_rcu(struct rcu_head *head)
{
	struct fnat_conn *cp = container_of(head, struct fnat_conn, rcu);

	if (cp->sp_skb)
		fnat_synproxy_free(cp);
	fnat_dest_put(cp->dest);
	fnat_laddr_put(cp->lip);
	kmem_cache_free(fnat_conn_cache, cp);
	atomic_dec(&fnat_live_objects);
}

void fnat_conn_put(struct fnat_conn *cp)
{
	if (refcount_dec_and_test(&cp->refcnt))
		call_rcu(&cp->rcu, fnat_conn_free_rcu);
}

/*
 * Take cp out of the table, once: the caller that sets UNHASHED under the bucket
 * locks does the accounting and drops the table's reference.
 */
static void fnat_conn_unhash(struct fnat_conn *cp)
{
	u32 cb = fnat_conn_c_bucket(cp), rb;
	struct net *net = fnat_conn_net(cp);
	bool mine;

	for (;;) {
		rb = fnat_conn_r_bucket(cp);
		fnat_lock_two(cb, rb);
		/* A SYN proxy retry moves the RS-side tuple under both buckets' locks
		 * (fnat_conn_move_dest()): read after taking ours, it is stable. */
		if (likely(!test_bit(FNAT_CONN_F_SP_RETRIED, &cp->flags)) ||
		    rb == fnat_conn_r_bucket(cp))
			break;
		fnat_unlock_two(cb, rb);
	}
	mine = !test_and_set_bit(FNAT_CONN_F_UNHASHED, &cp->flags);
	if (mine) {
		hlist_del_rcu(&cp->hn[FNAT_DIR_IN].node);
		hlist_del_rcu(&cp->hn[FNAT_DIR_OUT].node);
	}
	fnat_unlock_two(cb, rb);
	if (!mine)
		return;

	if (test_bit(FNAT_CONN_F_ACTIVE, &cp->flags))
		atomic_dec(&cp->dest->activeconns);
	else
		atomic_dec(&cp->dest->inactconns);
	atomic_dec(&cp->lip->conns);
	fnat_conn_unreserve(fnat_net(net));
	fnat_dp_count(net, FNAT_C_CONN_EXPIRED);
	/* The backups were told of it: they are told of its end (the master's
	 * worker sees UNHASHED; the queue holds its own reference). Ordered against
	 * the worker's set_bit(SYNCED) by test_and_set_bit() above. */
	if (test_bit(FNAT_CONN_F_SYNCED, &cp->flags))
		fnat_sync_conn_changed(cp);
	fnat_conn_put(cp);
}

/*
 * The connection's timer. It re-arms itself while packets keep moving ->expires
 * forward, and removes the connection once they stop. A connection being torn down
 * (DYING) is left to the flusher, which holds a reference and unhashes it.
 */
static void fnat_conn_timer(struct timer_list *t)
{
	struct fnat_conn *cp = from_timer(cp, t, timer);
	unsigned long expires = READ_ONCE(cp->expires);

	if (test_bit(FNAT_CONN_F_DYING, &cp->flags))
		return;
	/* A SYN proxy's handshake with the real server: retransmit, or give up. */
	if (READ_ONCE(cp->state) == FNAT_S_SYNPROXY && fnat_synproxy_timer(cp))
		return;
	if (time_before(jiffies, expires)) {
		mod_timer(&cp->timer, expires);
		return;
	}
	/* Expiring: shut the timer down first, so that a packet still holding cp under
	 * RCU cannot re-arm it through fnat_conn_set_state_locked()'s timer_reduce()
	 * (a shut-down timer ignores re-arming). */
	timer_shutdown(&cp->timer);
	/* A handshake the real server never answered: the passive check's failure. */
	if (READ_ONCE(cp->state) == FNAT_S_SYN_RECV && !test_bit(FNAT_CONN_F_RS_ISN, &cp->flags))
		fnat_dc_result(cp, false);
	/* Idle and ESTABLISHED: reset both ends (expire_rst) before forgetting it;
	 * never a copy installed from another director's master, whose connection
	 * may well be alive there. */
	if (!test_bit(FNAT_CONN_F_SYNC_PEER, &cp->flags))
		fnat_rst_expire(cp);
	fnat_conn_unhash(cp);
}

/*
 * A client opens a new connection from the port of its closed one (TIME_WAIT,
 * CLOSE) still in the table: remove the old one now, from the packet path, so that
 * the SYN is scheduled like any new connection. Softirq, under RCU: the timer is
 * shut down without waiting (a callback running elsewhere is in its own RCU section,
 * and the connection is freed only after a grace period).
 */
void fnat_conn_expire_now(struct fnat_conn *cp)
{
	set_bit(FNAT_CONN_F_DYING, &cp->flags);
	timer_shutdown(&cp->timer);
	fnat_conn_unhash(cp);
}

/* Remove cp now (teardown); the caller holds a reference. The timer is shut down
 * first, so it cannot run or re-arm once the connection is gone. */
static void fnat_conn_kill(struct fnat_conn *cp)
{
	set_bit(FNAT_CONN_F_DYING, &cp->flags);
	timer_shutdown_sync(&cp->timer);
	fnat_conn_unhash(cp);
}

/* --- creation --------------------------------------------------------------------- */

/* What fnat_conn_taken() found in the two buckets of cp's tuples. */
enum fnat_conn_clash {
	FNAT_CLASH_NONE,	/* both tuples free: cp may go in */
	FNAT_CLASH_PORT,	/* the RS-side tuple (LIP:lport -> RS) is in use: try another port */
	FNAT_CLASH_CLIENT,	/* the client's tuple is already there: another CPU created
				 * this very connection meanwhile (the same SYN, or its
				 * retransmission, on two CPUs); no port would help */
};

/* Put cp in the table under both tuples. Both bucket locks held. */
static void fnat_conn_link(struct fnat_conn *cp, u32 cb, u32 rb)
{
	hlist_add_head_rcu(&cp->hn[FNAT_DIR_IN].node, &fnat_conn_tab[cb]);
	hlist_add_head_rcu(&cp->hn[FNAT_DIR_OUT].node, &fnat_conn_tab[rb]);
}

/* Is cp's client-side or RS-side tuple already the tuple of an entry in the table,
 * of either direction (so that a packet's one lookup can never find two)? Bucket
 * locks held. The client tuple is checked first: when it is taken, every port would
 * be refused, and the caller must use the existing connection. */
static enum fnat_conn_clash fnat_conn_taken(const struct fnat_conn *cp, u32 cb, u32 rb)
{
	struct net *net = fnat_conn_net(cp);
	struct fnat_tuple t;

	t.protocol = cp->protocol;
	t.af = cp->af;
	t.saddr = cp->caddr;
	t.sport = cp->cport;
	t.daddr = cp->vaddr;
	t.dport = cp->vport;
	if (fnat_bucket_holds(cb, net, &t))
		return FNAT_CLASH_CLIENT;
	t.saddr = cp->daddr;
	t.sport = cp->dport;
	t.daddr = cp->laddr;
	t.dport = cp->lport;
	if (fnat_bucket_holds(rb, net, &t))
		return FNAT_CLASH_PORT;
	return FNAT_CLASH_NONE;
}

/* Claim a free local port on la for cp: check and insert under the bucket locks in
 * one step. Returns FNAT_CLASH_NONE when cp is in the table, FNAT_CLASH_CLIENT when
 * the same client connection is (the caller gives up), FNAT_CLASH_PORT when every
 * port tried was taken. */
static enum fnat_conn_clash fnat_conn_claim_port(struct fnat_conn *cp, struct fnat_laddr *la,
						 u32 range)
{
	u16 lo = fnat_port_min(range), hi = fnat_port_max(range);
	u32 span = (u32)hi - lo + 1, start = get_random_u32(), i, tries;

	tries = min_t(u32, span, FNAT_PORT_TRIES);
	cp->lip = la;
	cp->laddr = la->addr;
	for (i = 0; i < tries; i++) {
		enum fnat_conn_clash clash;
		u32 cb, rb;

		/* A random start, then a stride through the range: every port of a
		 * small range is tried, and a large range is probed spread out. */
		cp->lport = htons((u16)(lo + (start + i * 7919u) % span));
		cb = fnat_conn_c_bucket(cp);
		rb = fnat_conn_r_bucket(cp);
		fnat_lock_two(cb, rb);
		clash = fnat_conn_taken(cp, cb, rb);
		if (clash == FNAT_CLASH_NONE) {
			fnat_conn_link(cp, cb, rb);
		}
		fnat_unlock_two(cb, rb);
		if (clash != FNAT_CLASH_PORT)
			return clash;
		atomic64_inc(&la->port_conflicts);
	}
	return FNAT_CLASH_PORT;
}

/*
 * Reserve a place for one more connection in net and globally, before anything is
 * allocated: atomic_inc_return() makes both limits hard, however many CPUs take SYNs
 * at once (checking, then incrementing later, let each CPU overshoot). A reservation
 * is either kept by the connection once hashed (released by fnat_conn_unhash()) or
 * given back with fnat_conn_unreserve() on failure. Returns the drop reason, or
 * FNAT_C_MAX when reserved.
 */
static int fnat_conn_reserve(struct fnat_net *fn)
{
	u32 conn_max = READ_ONCE(fn->cfg.conn_max);

	if ((unsigned int)atomic_inc_return(&fnat_conn_global) > READ_ONCE(fnat_conn_max_global)) {
		atomic_dec(&fnat_conn_global);
		return FNAT_C_CONN_LIMIT_GLOBAL;
	}
	if ((u32)atomic_inc_return(&fn->conn_count) > conn_max && conn_max) {
		atomic_dec(&fn->conn_count);
		atomic_dec(&fnat_conn_global);
		return FNAT_C_CONN_LIMIT;
	}
	return FNAT_C_MAX;
}

/* A LIP a new connection of family af may be given: not another director's. */
static inline bool fnat_laddr_usable(const struct fnat_laddr *la, u16 af)
{
	return la->af == af && !(la->lflags & IPVS_FNAT_LADDR_F_PEER) &&
	       !test_bit(FNAT_F_UNLINKED, &la->flags);
}

/*
 * A new connection for a client-side tuple t, scheduled to dest of svc, from one of
 * the service's local addresses (rotating). Under RCU, softirq. On failure returns
 * NULL with *drop_reason set to the counter that explains it; when the same client
 * tuple was created on another CPU meanwhile it returns NULL with
 * *drop_reason = FNAT_C_MAX, and the caller looks the connection up again. With sp
 * (a valid SYN proxy cookie ACK) the connection starts in FNAT_S_SYNPROXY, its
 * handshake's numbers set before it is visible; synproxy.c then sends the SYN to
 * the real server.
 */
struct fnat_conn *fnat_conn_new(struct net *net, struct fnat_service *svc,
				struct fnat_dest *dest, const struct fnat_tuple *t,
				const struct fnat_synproxy_ack *sp, int *drop_reason)
{
	struct fnat_net *fn = fnat_net(net);
	u32 range = READ_ONCE(fn->cfg.port_range);
	enum fnat_conn_clash clash = FNAT_CLASH_PORT;
	unsigned int n, tried = 0, start;
	struct fnat_laddr_pool *pool = &svc->laddrs;
	struct fnat_laddr *la;
	struct fnat_conn *cp;
	bool family_seen = false;
	int reason;

	/* The service's own LIPs, or else the namespace's default pool. */
	n = READ_ONCE(pool->num);
	if (!n) {
		pool = &fn->default_laddrs;
		n = READ_ONCE(pool->num);
	}
	if (!n) {
		*drop_reason = FNAT_C_NO_LADDR_DROP;
		return NULL;
	}
	reason = fnat_conn_reserve(fn);
	if (reason != FNAT_C_MAX) {
		*drop_reason = reason;
		return NULL;
	}
	/* Deleted meanwhile: the deletion sweeps connections only after a grace
	 * period, so checking here, inside our RCU section, is enough. */
	if (test_bit(FNAT_F_UNLINKED, &svc->flags) || test_bit(FNAT_F_UNLINKED, &dest->flags) ||
	    !fnat_dest_hold_rcu(dest)) {
		fnat_conn_unreserve(fn);
		*drop_reason = FNAT_C_NO_SERVICE_DROP;
		return NULL;
	}
	/* Atomic (softirq) and quiet: under memory pressure a SYN is refused and
	 * counted in nomem_drop rather than dipping further or logging per packet. */
	cp = kmem_cache_zalloc(fnat_conn_cache, GFP_ATOMIC | __GFP_NOWARN);
	if (!cp) {
		fnat_dest_put(dest);
		fnat_conn_unreserve(fn);
		*drop_reason = FNAT_C_NOMEM_DROP;
		return NULL;
	}
	write_pnet(&cp->net, net);
	cp->af = t->af;
	cp->protocol = t->protocol;
	cp->caddr = t->saddr;
	cp->cport = t->sport;
	cp->vaddr = t->daddr;
	cp->vport = t->dport;
	cp->daddr = dest->addr;
	cp->dport = dest->port ? dest->port : t->dport;
	cp->dest = dest;
	refcount_set(&cp->refcnt, 1);	/* the table's */
	spin_lock_init(&cp->lock);
	timer_setup(&cp->timer, fnat_conn_timer, 0);
	/* Counted as inactive until ESTABLISHED; the state sets the timeout. */
	atomic_inc(&dest->inactconns);
	if (sp) {
		__set_bit(FNAT_CONN_F_SYNPROXY, &cp->flags);
		/* The real server's scale is learnt from its SYN-ACK. */
		cp->wscale = FNAT_WSCALE_NONE << 4 | (sp->wscale & 0xf);
		cp->c_nxt = sp->c_isn + 1;
		cp->r_nxt = 0;
		fnat_conn_set_state_locked(cp, FNAT_S_SYNPROXY);
	} else {
		fnat_conn_set_state_locked(cp, t->protocol == IPPROTO_UDP ? FNAT_S_UDP :
					   FNAT_S_SYN_RECV);
	}
	cp->expires = jiffies + cp->timeout;

	/* Walk the pool from a rotating start so that connections spread over it. */
	start = (unsigned int)atomic_inc_return(&pool->cursor);
	list_for_each_entry_rcu(la, &pool->list, list) {
		if (tried++ < start % n)
			continue;
		if (fnat_laddr_usable(la, t->af) && fnat_laddr_hold_rcu(la)) {
			family_seen = true;
			clash = fnat_conn_claim_port(cp, la, range);
			if (clash == FNAT_CLASH_NONE)
				goto claimed;
			fnat_laddr_put(la);
			if (clash == FNAT_CLASH_CLIENT)
				goto failed;
		}
	}
	tried = 0;
	list_for_each_entry_rcu(la, &pool->list, list) {
		if (tried++ >= start % n)
			break;
		if (fnat_laddr_usable(la, t->af) && fnat_laddr_hold_rcu(la)) {
			family_seen = true;
			clash = fnat_conn_claim_port(cp, la, range);
			if (clash == FNAT_CLASH_NONE)
				goto claimed;
			fnat_laddr_put(la);
			if (clash == FNAT_CLASH_CLIENT)
				goto failed;
		}
	}
failed:
	atomic_dec(&dest->inactconns);
	fnat_dest_put(dest);
	kmem_cache_free(fnat_conn_cache, cp);
	fnat_conn_unreserve(fn);
	/* The client's connection exists (made on another CPU): not a refusal; the
	 * caller forwards the packet on it. */
	if (clash == FNAT_CLASH_CLIENT) {
		fnat_dp_count(net, FNAT_C_CONN_RACE);
		*drop_reason = FNAT_C_MAX;
	} else {
		/* (the default pool may hold no address of this family) */
		*drop_reason = family_seen ? FNAT_C_NO_PORT : FNAT_C_NO_LADDR_DROP;
	}
	return NULL;

claimed:
	/* The reservation is now the connection's (released in fnat_conn_unhash()). */
	atomic_inc(&fnat_live_objects);
	atomic_inc(&cp->lip->conns);
	mod_timer(&cp->timer, cp->expires);
	fnat_dp_count(net, FNAT_C_CONN_NEW);
	fnat_stats_conn(&svc->stats);
	fnat_stats_conn(&dest->stats);
	return cp;
}

/*
 * The SYN proxy's retry (synproxy.c): cp, still in FNAT_S_SYNPROXY (cp->lock held by
 * the caller), goes to real server nd instead, whose reference the caller took and
 * cp now keeps. The RS-side tuple changes, so its RS-side entry moves to its new bucket under
 * both buckets' locks; unhash re-reads the bucket after locking (SP_RETRIED). An RCU
 * reader walking the old bucket at that moment may follow the node into the new one
 * and miss the rest of the old: one lookup missed, its packet dropped, never a stale
 * pointer (nothing is freed). Returns false, and changes nothing, when the new
 * tuple is taken or cp is leaving the table.
 */
bool fnat_conn_move_dest(struct fnat_conn *cp, struct fnat_dest *nd)
{
	struct net *net = fnat_conn_net(cp);
	struct fnat_dest *od = cp->dest;
	__be16 nport = nd->port ? nd->port : cp->vport;
	u32 ob, nb;
	struct fnat_tuple t = {
		.saddr = nd->addr,
		.sport = nport,
		.daddr = cp->laddr,
		.dport = cp->lport,
		.af = cp->af,
		.protocol = cp->protocol,
	};
	bool ok = false;

	set_bit(FNAT_CONN_F_SP_RETRIED, &cp->flags);
	ob = fnat_conn_r_bucket(cp);
	nb = fnat_conn_hash(net, cp->protocol, cp->af, &nd->addr, nport, &cp->laddr, cp->lport);
	fnat_lock_two(ob, nb);
	if (test_bit(FNAT_CONN_F_UNHASHED, &cp->flags))
		goto out;
	if (fnat_bucket_holds(nb, net, &t))
		goto out;
	hlist_del_rcu(&cp->hn[FNAT_DIR_OUT].node);
	cp->daddr = nd->addr;
	cp->dport = nport;
	hlist_add_head_rcu(&cp->hn[FNAT_DIR_OUT].node, &fnat_conn_tab[nb]);
	/* In FNAT_S_SYNPROXY a connection counts as inactive. */
	atomic_inc(&nd->inactconns);
	atomic_dec(&od->inactconns);
	WRITE_ONCE(cp->dest, nd);
	ok = true;
out:
	fnat_unlock_two(ob, nb);
	if (ok) {
		fnat_stats_conn(&nd->stats);
		fnat_dest_put(od);
	}
	return ok;
}

/* --- walking and flushing ----------------------------------------------------------- */

struct fnat_conn *fnat_conn_next(struct net *net, unsigned int *bucket, unsigned int *idx)
{
	struct fnat_conn_hnode *h;
	struct fnat_conn *cp;
	unsigned int i;

	for (; *bucket <= fnat_conn_mask; (*bucket)++, *idx = 0) {
		i = 0;
		fnat_for_each_conn_rcu(cp, h, *bucket) {
			if (!net_eq(fnat_conn_net(cp), net))
				continue;
			if (i++ < *idx)
				continue;
			*idx = i;
			return cp;
		}
	}
	return NULL;
}

/*
 * Remove every connection of net for which match() is true. Process context. Each
 * bucket is scanned under RCU; matching connections are taken (a reference each) a
 * few at a time and killed outside the RCU section, since killing waits for their
 * timers.
 */
#define FNAT_FLUSH_BATCH 32

static void fnat_conn_flush(struct net *net, bool (*match)(const struct fnat_conn *cp,
							   const void *arg),
			    const void *arg)
{
	struct fnat_conn *batch[FNAT_FLUSH_BATCH], *cp;
	struct fnat_conn_hnode *h;
	unsigned int b, n, i;

	for (b = 0; b <= fnat_conn_mask; b++) {
		if (hlist_empty(&fnat_conn_tab[b]))
			continue;
		do {
			n = 0;
			rcu_read_lock();
			fnat_for_each_conn_rcu(cp, h, b) {
				if (!net_eq(fnat_conn_net(cp), net) || !match(cp, arg) ||
				    test_bit(FNAT_CONN_F_UNHASHED, &cp->flags) ||
				    !refcount_inc_not_zero(&cp->refcnt))
					continue;
				batch[n++] = cp;
				if (n == FNAT_FLUSH_BATCH)
					break;
			}
			rcu_read_unlock();
			for (i = 0; i < n; i++) {
				fnat_conn_kill(batch[i]);
				fnat_conn_put(batch[i]);
			}
		} while (n == FNAT_FLUSH_BATCH);
		cond_resched();
	}
}

static bool fnat_match_all(const struct fnat_conn *cp, const void *arg)
{
	return true;
}

static bool fnat_match_dest(const struct fnat_conn *cp, const void *arg)
{
	return cp->dest == arg;
}

static bool fnat_match_laddr(const struct fnat_conn *cp, const void *arg)
{
	return cp->lip == arg;
}

static bool fnat_match_svc(const struct fnat_conn *cp, const void *arg)
{
	return cp->dest->svc == arg;
}

void fnat_conn_flush_net(struct net *net)
{
	fnat_conn_flush(net, fnat_match_all, NULL);
	fnat_persist_flush_net(net);
}

/* See dp.h. The grace period makes every packet that saw the object linked finish
 * (inserting its connection, if it made one) before the sweep starts. */
static void fnat_conn_flush_unlinked(struct net *net,
				     bool (*match)(const struct fnat_conn *cp, const void *arg),
				     const void *arg)
{
	synchronize_rcu();
	if (!atomic_read(&fnat_net(net)->conn_count))
		return;
	fnat_conn_flush(net, match, arg);
}

void fnat_conn_flush_unlinked_net(struct net *net)
{
	fnat_conn_flush_unlinked(net, fnat_match_all, NULL);
	fnat_persist_flush_net(net);
}

/* A deleted destination's persistence templates go with its connections. */
void fnat_conn_flush_dest(struct net *net, const struct fnat_dest *dest)
{
	fnat_conn_flush_unlinked(net, fnat_match_dest, dest);
	fnat_persist_flush_dest(net, dest);
}

void fnat_conn_flush_laddr(struct net *net, const struct fnat_laddr *la)
{
	fnat_conn_flush_unlinked(net, fnat_match_laddr, la);
}

void fnat_conn_flush_svc(struct net *net, const struct fnat_service *svc)
{
	fnat_conn_flush_unlinked(net, fnat_match_svc, svc);
	fnat_persist_flush_svc(net, svc);
}

/* --- connection sync (sync.h, docs/sync.md) ----------------------------------------- */

/* What the master sends: everything another director needs to go on forwarding
 * cp. Under cp->lock, so that the state, flags and numbers are of one moment. */
void fnat_conn_snapshot(struct fnat_conn *cp, struct fnat_sync_conn *c)
{
	long left;

	memset(c, 0, sizeof(*c));
	spin_lock_bh(&cp->lock);
	c->af = cp->af;
	c->protocol = cp->protocol;
	c->state = cp->state;
	c->cport = cp->cport;
	c->vport = cp->vport;
	c->lport = cp->lport;
	c->dport = cp->dport;
	c->caddr = cp->caddr;
	c->vaddr = cp->vaddr;
	c->laddr = cp->laddr;
	c->daddr = cp->daddr;
	left = (long)(READ_ONCE(cp->expires) - jiffies);
	c->expires_ms = left > 0 ? jiffies_to_msecs(left) : 0;
	if (test_bit(FNAT_CONN_F_TOA_DONE, &cp->flags))
		c->flags |= IPVS_FNAT_SYNC_CF_TOA_DONE;
	if (test_bit(FNAT_CONN_F_RS_ISN, &cp->flags))
		c->flags |= IPVS_FNAT_SYNC_CF_RS_ISN;
	if (test_bit(FNAT_CONN_F_CFIN, &cp->flags))
		c->flags |= IPVS_FNAT_SYNC_CF_CFIN;
	if (test_bit(FNAT_CONN_F_RFIN, &cp->flags))
		c->flags |= IPVS_FNAT_SYNC_CF_RFIN;
	if (READ_ONCE(cp->dest->svc->svc_flags) & IPVS_FNAT_SVC_F_PERSISTENT)
		c->flags |= IPVS_FNAT_SYNC_CF_PERSISTENT;
	c->seq_delta = READ_ONCE(cp->seq_delta);
	c->rs_isn = READ_ONCE(cp->rs_isn);
	c->c_nxt = READ_ONCE(cp->c_nxt);
	c->r_nxt = READ_ONCE(cp->r_nxt);
	if (test_bit(FNAT_CONN_F_SYNPROXY, &cp->flags)) {
		c->flags |= IPVS_FNAT_SYNC_CF_SYNPROXY;
		c->rs_seq_delta = cp->rs_seq_delta;
		c->ts_in_delta = cp->ts_in_delta;
		c->ts_out_delta = cp->ts_out_delta;
		c->wscale = cp->wscale;
	}
	spin_unlock_bh(&cp->lock);
}

/* Copy what a record says into cp (new, or ours to update: cp->lock held or cp not
 * yet visible). Flags only ever get set: a record never takes back what a
 * connection has done (its TOA delivered, a FIN seen). */
static void fnat_conn_sync_fill(struct fnat_conn *cp, const struct fnat_sync_conn *c)
{
	unsigned long expires = jiffies + msecs_to_jiffies(c->expires_ms);

	if (c->flags & IPVS_FNAT_SYNC_CF_TOA_DONE)
		set_bit(FNAT_CONN_F_TOA_DONE, &cp->flags);
	if (c->flags & IPVS_FNAT_SYNC_CF_RS_ISN)
		set_bit(FNAT_CONN_F_RS_ISN, &cp->flags);
	if (c->flags & IPVS_FNAT_SYNC_CF_CFIN)
		set_bit(FNAT_CONN_F_CFIN, &cp->flags);
	if (c->flags & IPVS_FNAT_SYNC_CF_RFIN)
		set_bit(FNAT_CONN_F_RFIN, &cp->flags);
	WRITE_ONCE(cp->seq_delta, c->seq_delta);
	WRITE_ONCE(cp->rs_isn, c->rs_isn);
	WRITE_ONCE(cp->c_nxt, c->c_nxt);
	WRITE_ONCE(cp->r_nxt, c->r_nxt);
	if (c->flags & IPVS_FNAT_SYNC_CF_SYNPROXY) {
		cp->rs_seq_delta = c->rs_seq_delta;
		cp->ts_in_delta = c->ts_in_delta;
		cp->ts_out_delta = c->ts_out_delta;
		cp->wscale = c->wscale;
		set_bit(FNAT_CONN_F_SYNPROXY, &cp->flags);
	}
	if (cp->state != c->state)
		fnat_conn_set_state_locked(cp, c->state);
	WRITE_ONCE(cp->expires, expires);
}

/* Is cp the connection the record c describes, both tuples alike? */
static bool fnat_conn_sync_same(const struct fnat_conn *cp, const struct fnat_sync_conn *c)
{
	return cp->lport == c->lport && cp->dport == c->dport &&
	       fnat_addr_eq(c->af, &cp->laddr, &c->laddr) &&
	       fnat_addr_eq(c->af, &cp->daddr, &c->daddr);
}

static void fnat_sync_tuples(const struct fnat_sync_conn *c, struct fnat_tuple *in,
			     struct fnat_tuple *out)
{
	memset(in, 0, sizeof(*in));
	in->af = c->af;
	in->protocol = c->protocol;
	in->saddr = c->caddr;
	in->sport = c->cport;
	in->daddr = c->vaddr;
	in->dport = c->vport;
	*out = *in;
	out->saddr = c->daddr;
	out->sport = c->dport;
	out->daddr = c->laddr;
	out->dport = c->lport;
}

/* The local address of c in svc's pool (or, for a service without one, the
 * namespace's default pool), with a reference; NULL if this director has none. */
static struct fnat_laddr *fnat_sync_laddr(struct fnat_net *fn, struct fnat_service *svc,
					  const struct fnat_sync_conn *c)
{
	struct fnat_laddr_pool *pool = READ_ONCE(svc->laddrs.num) ? &svc->laddrs :
								   &fn->default_laddrs;
	struct fnat_laddr *la;

	list_for_each_entry_rcu(la, &pool->list, list)
		if (la->af == c->af && fnat_addr_eq(c->af, &la->addr, &c->laddr) &&
		    !test_bit(FNAT_F_UNLINKED, &la->flags))
			return fnat_laddr_hold_rcu(la) ? la : NULL;
	return NULL;
}

/* Kill a connection found under RCU (a reference taken first); false if it was
 * already going. Drops and retakes the RCU read lock: the caller looks again. */
static bool fnat_conn_sync_kill_rcu(struct fnat_conn *cp)
	__releases(RCU) __acquires(RCU)
{
	if (!refcount_inc_not_zero(&cp->refcnt))
		return false;
	rcu_read_unlock();
	fnat_conn_kill(cp);
	fnat_conn_put(cp);
	rcu_read_lock();
	return true;
}

/*
 * Install or update the connection a master sent (sync_backup.c's worker). The rule
 * for what is not here (docs/sync.md): a record for a service, real server or local
 * address this director does not have is dropped and counted (a later refresh or a
 * resync brings it once the configuration exists); a connection this director
 * forwards itself is never overwritten (its own packets are the truth: counted
 * conflict); an older installed copy with other tuples is replaced.
 */
enum fnat_dp_counter fnat_conn_sync_apply(struct net *net, const struct fnat_sync_conn *c)
{
	struct fnat_net *fn = fnat_net(net);
	struct fnat_svc_key key = {
		.af = c->af,
		.protocol = c->protocol,
		.port = c->vport,
		.addr = c->vaddr,
	};
	struct fnat_service *svc;
	struct fnat_dest *dest = NULL;
	struct fnat_laddr *la = NULL;
	struct fnat_conn *cp, *o;
	struct fnat_tuple tin, tout;
	enum fnat_dp_counter ret;
	bool persistent = false;
	u32 ptimeout = 0;
	u8 pmask = 0;
	int tries;
	u32 cb, rb;

	fnat_sync_tuples(c, &tin, &tout);
	/* Allocated before the RCU section, where it could not sleep. */
	cp = kmem_cache_zalloc(fnat_conn_cache, GFP_KERNEL | __GFP_NOWARN);
	if (!cp)
		return FNAT_C_SYNC_CONN_LIMIT;

	rcu_read_lock();
	for (tries = 0; tries < 4; tries++) {
		o = fnat_conn_lookup_in(net, &tin);
		if (o && test_bit(FNAT_CONN_F_UNHASHED, &o->flags))
			o = NULL;
		if (o && !test_bit(FNAT_CONN_F_SYNC_PEER, &o->flags) &&
		    !fnat_conn_sync_same(o, c)) {
			/* Another connection of the client's port, forwarded
			 * here: ours wins. */
			ret = FNAT_C_SYNC_CONFLICT;
			goto out_unlock;
		}
		if (o && fnat_conn_sync_same(o, c)) {
			bool moved = false;

			spin_lock_bh(&o->lock);
			if (!test_bit(FNAT_CONN_F_UNHASHED, &o->flags)) {
				/* Forwarded here before, and by that director since
				 * (a master sends only connections it forwards):
				 * the router moved the flow (scale-out,
				 * docs/scale-out.md). The sender's now, as it says; a
				 * packet forwarded here again takes it back. */
				moved = !test_and_set_bit(FNAT_CONN_F_SYNC_PEER, &o->flags);
				fnat_conn_sync_fill(o, c);
			}
			spin_unlock_bh(&o->lock);
			if (moved)
				fnat_dp_count(net, FNAT_C_SYNC_MOVED);
			if (timer_pending(&o->timer))
				timer_reduce(&o->timer, READ_ONCE(o->expires));
			ret = FNAT_C_SYNC_RX_CONNS;
			persistent = c->flags & IPVS_FNAT_SYNC_CF_PERSISTENT;
			dest = o->dest;
			svc = dest->svc;
			if (persistent && (READ_ONCE(svc->svc_flags) & IPVS_FNAT_SVC_F_PERSISTENT) &&
			    fnat_dest_hold_rcu(dest)) {
				ptimeout = READ_ONCE(svc->timeout);
				pmask = READ_ONCE(svc->netmask);
			} else {
				dest = NULL;
			}
			goto out_unlock;
		}
		if (o) {
			/* An installed copy of an older connection of this client
			 * port: this record is newer. */
			fnat_conn_sync_kill_rcu(o);
			continue;
		}
		o = fnat_conn_lookup_out(net, &tout);
		if (o && !test_bit(FNAT_CONN_F_UNHASHED, &o->flags)) {
			if (!test_bit(FNAT_CONN_F_SYNC_PEER, &o->flags)) {
				ret = FNAT_C_SYNC_CONFLICT;
				goto out_unlock;
			}
			fnat_conn_sync_kill_rcu(o);
			continue;
		}
		break;
	}

	svc = fnat_svc_find(fn, &key);
	if (!svc || test_bit(FNAT_F_UNLINKED, &svc->flags)) {
		ret = FNAT_C_SYNC_NO_SERVICE;
		goto out_unlock;
	}
	dest = fnat_dest_find(svc, c->af, &c->daddr, c->dport);
	if (!dest && c->dport == c->vport)
		dest = fnat_dest_find(svc, c->af, &c->daddr, 0);
	if (!dest || test_bit(FNAT_F_UNLINKED, &dest->flags) || !fnat_dest_hold_rcu(dest)) {
		dest = NULL;
		ret = FNAT_C_SYNC_NO_DEST;
		goto out_unlock;
	}
	la = fnat_sync_laddr(fn, svc, c);
	if (!la) {
		ret = FNAT_C_SYNC_NO_LADDR;
		goto out_dest;
	}
	if (fnat_conn_reserve(fn) != FNAT_C_MAX) {
		ret = FNAT_C_SYNC_CONN_LIMIT;
		goto out_laddr;
	}

	write_pnet(&cp->net, net);
	cp->af = c->af;
	cp->protocol = c->protocol;
	cp->caddr = c->caddr;
	cp->cport = c->cport;
	cp->vaddr = c->vaddr;
	cp->vport = c->vport;
	cp->laddr = c->laddr;
	cp->lport = c->lport;
	cp->daddr = c->daddr;
	cp->dport = c->dport;
	cp->dest = dest;
	cp->lip = la;
	refcount_set(&cp->refcnt, 1);	/* the table's */
	spin_lock_init(&cp->lock);
	timer_setup(&cp->timer, fnat_conn_timer, 0);
	/* Another director's until a packet of it is forwarded here; its check
	 * result, if any, was the master's. */
	__set_bit(FNAT_CONN_F_SYNC_PEER, &cp->flags);
	__set_bit(FNAT_CONN_F_DC_DONE, &cp->flags);
	cp->sync_pkts = U8_MAX;
	atomic_inc(&dest->inactconns);
	cp->state = FNAT_S_NONE;
	fnat_conn_sync_fill(cp, c);

	cb = fnat_conn_c_bucket(cp);
	rb = fnat_conn_r_bucket(cp);
	fnat_lock_two(cb, rb);
	/* A client packet may have made this connection meanwhile (or another
	 * director's record used its port): the table decides, in one step. */
	if (fnat_conn_taken(cp, cb, rb) == FNAT_CLASH_NONE) {
		fnat_conn_link(cp, cb, rb);
		ret = FNAT_C_SYNC_RX_CONNS;
	} else {
		ret = FNAT_C_SYNC_CONFLICT;
	}
	fnat_unlock_two(cb, rb);
	if (ret != FNAT_C_SYNC_RX_CONNS) {
		if (test_bit(FNAT_CONN_F_ACTIVE, &cp->flags))
			atomic_dec(&dest->activeconns);
		else
			atomic_dec(&dest->inactconns);
		fnat_conn_unreserve(fn);
		goto out_laddr;
	}
	atomic_inc(&fnat_live_objects);
	atomic_inc(&la->conns);
	mod_timer(&cp->timer, cp->expires);
	fnat_dp_count(net, FNAT_C_CONN_NEW);
	persistent = (c->flags & IPVS_FNAT_SYNC_CF_PERSISTENT) &&
		     (READ_ONCE(svc->svc_flags) & IPVS_FNAT_SVC_F_PERSISTENT);
	if (persistent && fnat_dest_hold_rcu(dest)) {
		ptimeout = READ_ONCE(svc->timeout);
		pmask = READ_ONCE(svc->netmask);
	} else {
		persistent = false;
	}
	rcu_read_unlock();
	if (persistent) {
		fnat_persist_sync(net, c, pmask, ptimeout, dest);
		fnat_dest_put(dest);
	}
	return ret;

out_laddr:
	fnat_laddr_put(la);
out_dest:
	fnat_dest_put(dest);
	dest = NULL;
out_unlock:
	rcu_read_unlock();
	kmem_cache_free(fnat_conn_cache, cp);
	/* (an updated connection's template: the reference taken above) */
	if (dest) {
		fnat_persist_sync(net, c, pmask, ptimeout, dest);
		fnat_dest_put(dest);
	}
	return ret;
}

/* A master's connection ended: remove our installed copy (never one forwarded here
 * since). FNAT_C_SYNC_DELETED, or FNAT_C_MAX when there was none. */
enum fnat_dp_counter fnat_conn_sync_delete(struct net *net, const struct fnat_sync_conn *c)
{
	struct fnat_tuple tin, tout;
	struct fnat_conn *cp;
	bool gone = false;

	fnat_sync_tuples(c, &tin, &tout);
	rcu_read_lock();
	cp = fnat_conn_lookup_in(net, &tin);
	if (cp && test_bit(FNAT_CONN_F_SYNC_PEER, &cp->flags) && fnat_conn_sync_same(cp, c))
		gone = fnat_conn_sync_kill_rcu(cp);
	rcu_read_unlock();
	return gone ? FNAT_C_SYNC_DELETED : FNAT_C_MAX;
}

unsigned int fnat_conn_collect(struct net *net, unsigned int *bucket, unsigned int nbuckets,
			       bool (*match)(const struct fnat_conn *cp, const void *arg),
			       const void *arg, struct fnat_conn **out, unsigned int max,
			       bool *done)
{
	unsigned int n = 0, end = *bucket + nbuckets;
	struct fnat_conn_hnode *h;
	struct fnat_conn *cp;

	*done = false;
	rcu_read_lock();
	for (; *bucket <= fnat_conn_mask && *bucket < end; (*bucket)++) {
		unsigned int here = 0;

		/* A bucket is taken whole or not at all, so that the position stays a
		 * bucket number; a bucket's connections beyond max wait for the next
		 * call (buckets hold a few each). */
		fnat_for_each_conn_rcu(cp, h, *bucket)
			if (net_eq(fnat_conn_net(cp), net) && match(cp, arg))
				here++;
		if (n + here > max && n)
			break;
		fnat_for_each_conn_rcu(cp, h, *bucket) {
			if (n == max)
				break;
			if (!net_eq(fnat_conn_net(cp), net) || !match(cp, arg) ||
			    test_bit(FNAT_CONN_F_UNHASHED, &cp->flags) ||
			    !refcount_inc_not_zero(&cp->refcnt))
				continue;
			out[n++] = cp;
		}
	}
	if (*bucket > fnat_conn_mask) {
		*bucket = 0;
		*done = true;
	}
	rcu_read_unlock();
	return n;
}

/* --- module ------------------------------------------------------------------------- */

int fnat_conn_init(void)
{
	u32 size = fnat_conn_tab_size(), i;

	/* conn_max_global=0 (the default): connections may take up to 1/16 of RAM, so
	 * that a flood fills the table, never the memory userspace needs. */
	if (!fnat_conn_max_global) {
		u64 cap = div_u64((u64)totalram_pages() << PAGE_SHIFT,
				  16 * ALIGN(sizeof(struct fnat_conn), L1_CACHE_BYTES));

		fnat_conn_max_global = clamp_t(u64, cap, 1024, INT_MAX);
	}
	/* The alignment is what fnat_hnode_dir() reads an entry's direction by. */
	fnat_conn_cache = kmem_cache_create("fnat_conn", sizeof(struct fnat_conn), FNAT_CONN_ALIGN,
					    SLAB_HWCACHE_ALIGN, NULL);
	if (!fnat_conn_cache)
		return -ENOMEM;
	fnat_conn_tab = kvmalloc_array(size, sizeof(*fnat_conn_tab), GFP_KERNEL);
	if (!fnat_conn_tab) {
		kmem_cache_destroy(fnat_conn_cache);
		return -ENOMEM;
	}
	for (i = 0; i < size; i++)
		INIT_HLIST_HEAD(&fnat_conn_tab[i]);
	fnat_conn_mask = size - 1;
	for (i = 0; i < FNAT_CONN_LOCKS; i++)
		spin_lock_init(&fnat_conn_locks[i]);
	get_random_bytes(&fnat_conn_key, sizeof(fnat_conn_key));
	return 0;
}

/* After every namespace's connections are gone (pernet exit) and their RCU
 * callbacks have run (rcu_barrier by the caller). */
void fnat_conn_exit(void)
{
	kvfree(fnat_conn_tab);
	kmem_cache_destroy(fnat_conn_cache);
}
