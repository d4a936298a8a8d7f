// SPDX-License-Identifier: GPL-2.0
/*
 * The table of TOAs bound to sockets.
 *
 * Entries live in a hash table keyed by the socket's address: hlist buckets, each with
 * its own spinlock for writers (taken with BHs off: binding runs in softirq, removal in
 * either context) and RCU for readers (the getname hooks, getsockopt). Entries come from
 * their own kmem_cache and are freed after a grace period.
 *
 * Lifetime. An entry is bound by the syn_recv_sock return hook while the new child is
 * still locked by the softirq that creates it, before anyone else can reach it, and is
 * removed when the socket is destroyed: an ftrace callback on tcp_v4_destroy_sock(),
 * which every TCP socket, IPv4 or IPv6, goes through exactly once on its way out
 * (inet_csk_destroy_sock() for children never accepted, for orphans and for the
 * listener's queue; tcp_close() otherwise). An ftrace callback, not a kprobe: a kprobe
 * is skipped when it fires while another kprobe handler runs on the same CPU (say, a
 * softirq destroying a socket while a getname kretprobe handler runs), and a skipped
 * removal would leave an entry behind.
 *
 * Defence in depth against an entry outliving its socket all the same: each entry
 * records the connection (addresses, ports) the socket had when it was bound; a lookup
 * for a socket whose connection differs reports it stale and is not used; binding a
 * socket whose address still has an entry replaces it (counted in entries_stale); and
 * whatever socket later reuses that address removes the entry when it is destroyed.
 *
 * On unload everything left is freed after the hooks are gone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/hash.h>
#include <linux/module.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <net/ipv6.h>

#include "compat.h"
#include "stats.h"
#include "table.h"

static unsigned int hash_bits = 14;
module_param(hash_bits, uint, 0444);
MODULE_PARM_DESC(hash_bits, "log2 of the number of TOA table buckets (8-20, default 14)");

/* The connection a socket had when its TOA was bound. */
struct toa_conn_id {
	struct in6_addr daddr;	/* IPv4: first word */
	struct in6_addr saddr;
	__be16 dport;
	__u16 num;
	unsigned short family;
};

struct toa_entry {
	struct hlist_node node;
	const struct sock *sk;
	struct toa_conn_id id;
	struct toa_data toa;
	struct rcu_head rcu;
};

struct toa_bucket {
	spinlock_t lock;
	struct hlist_head head;
};

static struct toa_bucket *toa_buckets;
static struct kmem_cache *toa_entry_cache;

static struct toa_bucket *toa_bucket_of(const struct sock *sk)
{
	return &toa_buckets[hash_ptr(sk, hash_bits)];
}

static void toa_conn_id_get(const struct sock *sk, struct toa_conn_id *id)
{
	memset(id, 0, sizeof(*id));
	id->family = READ_ONCE(sk->sk_family);
	id->dport = READ_ONCE(sk->sk_dport);
	id->num = READ_ONCE(sk->sk_num);
	if (id->family == AF_INET) {
		id->daddr.s6_addr32[0] = READ_ONCE(sk->sk_daddr);
		id->saddr.s6_addr32[0] = READ_ONCE(sk->sk_rcv_saddr);
#if IS_ENABLED(CONFIG_IPV6)
	} else if (id->family == AF_INET6) {
		id->daddr = sk->sk_v6_daddr;
		id->saddr = sk->sk_v6_rcv_saddr;
#endif
	}
}

static bool toa_conn_id_equal(const struct toa_conn_id *a, const struct toa_conn_id *b)
{
	return a->family == b->family && a->dport == b->dport && a->num == b->num &&
	       ipv6_addr_equal(&a->daddr, &b->daddr) &&
	       ipv6_addr_equal(&a->saddr, &b->saddr);
}

static void toa_entry_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(toa_entry_cache, container_of(head, struct toa_entry, rcu));
}

static void toa_entry_free(struct toa_entry *e)
{
	call_rcu(&e->rcu, toa_entry_free_rcu);
	toa_stat_inc(TOA_STAT_ENTRIES_FREE);
}

/*
 * toa_table_bind - bind @toa to the new socket @sk
 *
 * Called from the syn_recv_sock return hook in softirq, with @sk locked and owned by
 * the request that created it. Never sleeps.
 */
int toa_table_bind(struct sock *sk, const struct toa_data *toa)
{
	struct toa_bucket *b = toa_bucket_of(sk);
	struct toa_entry *e, *old;
	bool replaced = false;

	e = kmem_cache_alloc(toa_entry_cache, GFP_ATOMIC | __GFP_NOWARN);
	if (unlikely(!e)) {
		toa_stat_inc(TOA_STAT_ENTRIES_ALLOC_FAILED);
		return -ENOMEM;
	}
	e->sk = sk;
	toa_conn_id_get(sk, &e->id);
	e->toa = *toa;

	spin_lock_bh(&b->lock);
	hlist_for_each_entry(old, &b->head, node) {
		if (old->sk == sk) {
			hlist_replace_rcu(&old->node, &e->node);
			replaced = true;
			break;
		}
	}
	if (!replaced)
		hlist_add_head_rcu(&e->node, &b->head);
	spin_unlock_bh(&b->lock);

	toa_stat_inc(TOA_STAT_ENTRIES_ALLOC);
	if (unlikely(replaced)) {
		toa_stat_inc(TOA_STAT_ENTRIES_STALE);
		toa_entry_free(old);
	}
	return 0;
}

/*
 * toa_table_lookup - the TOA bound to @sk
 *
 * For the getname and getsockopt hooks, on a socket the caller holds. Any context.
 */
enum toa_lookup toa_table_lookup(const struct sock *sk, struct toa_data *out)
{
	struct toa_bucket *b = toa_bucket_of(sk);
	enum toa_lookup ret = TOA_LOOKUP_NONE;
	struct toa_conn_id id;
	struct toa_entry *e;

	rcu_read_lock();
	hlist_for_each_entry_rcu(e, &b->head, node) {
		if (e->sk != sk)
			continue;
		toa_conn_id_get(sk, &id);
		if (!toa_conn_id_equal(&id, &e->id)) {
			ret = TOA_LOOKUP_STALE;
		} else {
			*out = e->toa;
			ret = TOA_LOOKUP_OK;
		}
		break;
	}
	rcu_read_unlock();
	return ret;
}

/* Remove the entry of a socket being destroyed, if it has one. */
static void toa_table_unbind(const struct sock *sk)
{
	struct toa_bucket *b = toa_bucket_of(sk);
	struct toa_entry *e, *found = NULL;

	/*
	 * Most sockets have no entry: look without the lock first. An entry for @sk
	 * can't appear concurrently: it is bound before the socket is reachable by
	 * anything that could destroy it.
	 */
	rcu_read_lock();
	hlist_for_each_entry_rcu(e, &b->head, node) {
		if (e->sk == sk) {
			found = e;
			break;
		}
	}
	rcu_read_unlock();
	if (likely(!found))
		return;

	found = NULL;
	spin_lock_bh(&b->lock);
	hlist_for_each_entry(e, &b->head, node) {
		if (e->sk == sk) {
			hlist_del_rcu(&e->node);
			found = e;
			break;
		}
	}
	spin_unlock_bh(&b->lock);
	if (found)
		toa_entry_free(found);
}

/* ftrace callback on tcp_v4_destroy_sock(struct sock *sk) */
static void toa_destroy_sock_hook(unsigned long ip, unsigned long parent_ip,
				  struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	struct pt_regs *regs = ftrace_get_regs(fregs);

	if (likely(regs))
		toa_table_unbind((const struct sock *)regs_get_kernel_argument(regs, 0));
}

static struct ftrace_ops toa_destroy_sock_ops = {
	.func = toa_destroy_sock_hook,
	.flags = FTRACE_OPS_FL_SAVE_REGS,
};

static unsigned char toa_destroy_sock_sym[] = "tcp_v4_destroy_sock";

/*
 * Free every entry left: those of sockets still alive. Only once nothing can look
 * entries up or bind new ones. Returns how many there were.
 */
static unsigned long toa_table_flush(void)
{
	struct hlist_node *tmp;
	unsigned long n = 0;
	struct toa_entry *e;
	unsigned int i;

	for (i = 0; i < (1U << hash_bits); i++) {
		spin_lock_bh(&toa_buckets[i].lock);
		hlist_for_each_entry_safe(e, tmp, &toa_buckets[i].head, node) {
			hlist_del_rcu(&e->node);
			toa_entry_free(e);
			n++;
		}
		spin_unlock_bh(&toa_buckets[i].lock);
		cond_resched();
	}
	return n;
}

int __init toa_table_init(void)
{
	unsigned int i;
	int err;

	if (hash_bits < 8 || hash_bits > 20) {
		pr_err("hash_bits=%u is out of range (8-20)\n", hash_bits);
		return -EINVAL;
	}
	toa_buckets = kvcalloc(1U << hash_bits, sizeof(*toa_buckets), GFP_KERNEL);
	if (!toa_buckets)
		return -ENOMEM;
	for (i = 0; i < (1U << hash_bits); i++) {
		spin_lock_init(&toa_buckets[i].lock);
		INIT_HLIST_HEAD(&toa_buckets[i].head);
	}
	toa_entry_cache = KMEM_CACHE(toa_entry, 0);
	if (!toa_entry_cache) {
		err = -ENOMEM;
		goto err_buckets;
	}

	err = ftrace_set_filter(&toa_destroy_sock_ops, toa_destroy_sock_sym,
				strlen(toa_destroy_sock_sym), 0);
	if (err) {
		pr_err("cannot trace %s: %d\n", toa_destroy_sock_sym, err);
		goto err_cache;
	}
	err = register_ftrace_function(&toa_destroy_sock_ops);
	if (err) {
		pr_err("cannot hook %s: %d\n", toa_destroy_sock_sym, err);
		goto err_filter;
	}
	return 0;

err_filter:
	ftrace_free_filter(&toa_destroy_sock_ops);
err_cache:
	kmem_cache_destroy(toa_entry_cache);
err_buckets:
	kvfree(toa_buckets);
	return err;
}

/* After every reader and writer hook is gone. */
void toa_table_exit(void)
{
	unsigned long n;

	unregister_ftrace_function(&toa_destroy_sock_ops);
	ftrace_free_filter(&toa_destroy_sock_ops);
	n = toa_table_flush();
	if (n)
		pr_info("freed the TOAs of %lu sockets still open\n", n);
	rcu_barrier();
	kmem_cache_destroy(toa_entry_cache);
	kvfree(toa_buckets);
}
