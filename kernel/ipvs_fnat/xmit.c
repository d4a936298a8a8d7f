// SPDX-License-Identifier: GPL-2.0
/*
 * Sending translated packets. The packet leaves as if the director had sent it from
 * the new source address: routed to its new destination, marked untracked (FULLNAT
 * traffic creates no conntrack entries) and handed to ip_local_out()/ip6_local_out(),
 * which set the length fields and the IPv4 header checksum and run the output hooks.
 * A packet too big for the route with DF set meets the stack's usual answer: an ICMP
 * "fragmentation needed" / "packet too big" to its (translated) source, a local
 * address, which the ICMP translation takes back to the original sender.
 *
 * Routes kept for the packet path, in both directions: a destination keeps the
 * routes to its real server from the local addresses its connections use
 * (fnat_dest.route[]: one per LIP, as the source takes part in the lookup, for
 * policy routing by source), and a service the routes of its replies, from its VIP
 * to its clients (fnat_service.reply_route[]). Each cache is an array of slots; a
 * (source, destination) pair's entry is in the first FNAT_ROUTE_PROBE slots from
 * the pair's hash. An entry is immutable (the dst with a reference, the pair it was
 * looked up for, the cookie that validates it, when it was made) and published
 * under RCU: a packet finds its pair's entry, checks it with dst_check() and leaves
 * on its dst without a reference of its own (skb_dst_set_noref(); the stack takes
 * one, skb_dst_force(), wherever a packet outlives the RCU section, such as a
 * neighbour's queue). An IPv4 route goes stale when the namespace's routing
 * generation moves on (any route or address change, a device going down) and when
 * a PMTU exception is made for its next hop; an IPv6 one when the serial number of
 * its fib node changes. A stale or missing entry is looked up again and swapped in
 * with xchg() by whichever CPU finds it so (GFP_ATOMIC; if there is no memory the
 * packet leaves on an uncached route); the old entry is freed, with its dst
 * reference, after a grace period. Nothing is written per packet, no lock, no
 * refcount: the entries are read-mostly lines shared by every CPU.
 * A service's clients may be many more than its slots: an entry then keeps its slot
 * for FNAT_ROUTE_TENURE against other clients, whose packets meanwhile leave on
 * routes of their own, as every packet did before there was a cache (what the kernel
 * dropped its IPv4 route cache for, a cache that grows with the clients, this is
 * not: its size and the rate at which it changes are bounded).
 * The entries go with their destination or service (their RCU callbacks) or, for a
 * local address being deleted, at once (fnat_routes_forget_laddr()); a VIP's go with
 * its service.
 *
 * A segment that gets a TOA needs the route's MTU before it grows: the route fetched
 * for that check is put on the skb (fnat_conn_route()) and is the one it leaves on.
 *
 * Segments of the director's own (the RSTs of expiring connections, the SYN proxy's
 * SYN-ACKs and SYNs) are built by fnat_tcp_build() and leave the same way.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_route.h>
#include <net/route.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/tcp.h>
#include <linux/jhash.h>
#include <linux/slab.h>
#include <net/ip6_checksum.h>
#include "dp.h"
#include "fnat_tcpopt.h"

#define FNAT_HOPLIMIT	64

void fnat_rewrite_l3(struct sk_buff *skb, u16 af, const union nf_inet_addr *saddr,
		     const union nf_inet_addr *daddr)
{
	if (af == AF_INET6) {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		ip6h->saddr = saddr->in6;
		ip6h->daddr = daddr->in6;
	} else {
		struct iphdr *iph = ip_hdr(skb);

		csum_replace4(&iph->check, iph->saddr, saddr->ip);
		csum_replace4(&iph->check, iph->daddr, daddr->ip);
		iph->saddr = saddr->ip;
		iph->daddr = daddr->ip;
	}
}

static struct rtable *fnat_route4(struct net *net, __be32 saddr, __be32 daddr, u8 proto)
{
	struct flowi4 fl4 = {
		.daddr = daddr,
		.saddr = saddr,
		.flowi4_proto = proto,
		/* The source is a VIP or LIP: ours, but not necessarily on an interface. */
		.flowi4_flags = FLOWI_FLAG_ANYSRC,
	};

	return ip_route_output_key(net, &fl4);
}

static struct dst_entry *fnat_route6(struct net *net, const struct in6_addr *saddr,
				     const struct in6_addr *daddr, u8 proto)
{
	struct flowi6 fl6 = {
		.daddr = *daddr,
		.saddr = *saddr,
		.flowi6_proto = proto,
		.flowi6_flags = FLOWI_FLAG_ANYSRC,
	};
	struct dst_entry *dst = ip6_route_output(net, NULL, &fl6);

	if (dst->error) {
		int err = dst->error;

		dst_release(dst);
		return ERR_PTR(err);
	}
	return dst;
}

struct fnat_cached_route {
	struct dst_entry *dst;		/* a reference */
	union nf_inet_addr saddr, daddr;	/* what it was looked up for */
	u32 cookie;			/* for dst_check() (IPv6) */
	unsigned long born;		/* jiffies */
	struct rcu_head rcu;
};

static void fnat_cached_route_free(struct fnat_cached_route *e)
{
	dst_release(e->dst);
	kfree(e);
}

static void fnat_cached_route_free_rcu(struct rcu_head *head)
{
	fnat_cached_route_free(container_of(head, struct fnat_cached_route, rcu));
}

/* A route, with a reference, from saddr to daddr for protocol proto; *cookie for
 * dst_check(). */
static struct dst_entry *fnat_route_lookup(struct net *net, u16 af, const union nf_inet_addr *saddr,
					   const union nf_inet_addr *daddr, u8 proto, u32 *cookie)
{
	struct rtable *rt;

	*cookie = 0;
	if (af == AF_INET6) {
		struct dst_entry *dst = fnat_route6(net, &saddr->in6, &daddr->in6, proto);

		if (!IS_ERR(dst))
			*cookie = rt6_get_cookie((struct rt6_info *)dst);
		return dst;
	}
	rt = fnat_route4(net, saddr->ip, daddr->ip, proto);
	return IS_ERR(rt) ? ERR_CAST(rt) : &rt->dst;
}

/* A pair's entry is in the first FNAT_ROUTE_PROBE slots from its hash. */
#define FNAT_ROUTE_PROBE	4
/* An entry keeps its slot against other pairs for this long: with more pairs than
 * slots (a service's clients) a slot changes hands at most this often, so that
 * flows of one packet each do not make every packet pay an allocation and a grace
 * period, and a busy flow keeps its route. */
#define FNAT_ROUTE_TENURE	HZ

static inline u32 fnat_pair_hash(u16 af, const union nf_inet_addr *saddr,
				 const union nf_inet_addr *daddr)
{
	if (af == AF_INET6)
		return jhash2(daddr->all, 4, jhash2(saddr->all, 4, 0));
	return jhash_2words((__force u32)saddr->ip, (__force u32)daddr->ip, 0);
}

/*
 * Put skb on the route from saddr to daddr, kept in one of the n slots of cache;
 * its MTU, or 0 (no route; skb unchanged). The pair's entry, or where a new one
 * goes: the first empty slot on the way, or a stale entry of the pair's own, else
 * the first entry past its tenure (a hole left by a forgotten entry may hide the
 * pair's further on: it is then made twice, harmlessly). With none of those the
 * packet leaves on a route of its own.
 */
static unsigned int fnat_route_cached(struct net *net, struct fnat_cached_route __rcu **cache,
				      unsigned int n, u16 af, const union nf_inet_addr *saddr,
				      const union nf_inet_addr *daddr, u8 proto,
				      struct sk_buff *skb)
{
	struct fnat_cached_route *e, *old;
	struct dst_entry *dst;
	unsigned int i, slot = n;
	u32 cookie, h;

	h = fnat_pair_hash(af, saddr, daddr);
	for (i = 0; i < FNAT_ROUTE_PROBE; i++) {
		unsigned int j = (h + i) % n;

		e = rcu_dereference(cache[j]);
		if (!e) {
			slot = j;
			break;
		}
		if (fnat_addr_equal(af, &e->saddr, saddr) && fnat_addr_equal(af, &e->daddr, daddr)) {
			if (likely(dst_check(e->dst, e->cookie))) {
				dst = e->dst;
				goto noref;
			}
			slot = j;	/* stale: replaced */
			break;
		}
		if (slot == n && time_after(jiffies, e->born + FNAT_ROUTE_TENURE))
			slot = j;
	}
	fnat_dp_count(net, FNAT_C_ROUTE_LOOKUP);
	dst = fnat_route_lookup(net, af, saddr, daddr, proto, &cookie);
	if (IS_ERR(dst))
		return 0;
	e = slot < n ? kmalloc(sizeof(*e), GFP_ATOMIC | __GFP_NOWARN) : NULL;
	if (!e) {
		/* Not kept: this packet takes the reference with it. */
		skb_dst_drop(skb);
		skb_dst_set(skb, dst);
		return dst_mtu(dst);
	}
	e->dst = dst;
	e->saddr = *saddr;
	e->daddr = *daddr;
	e->cookie = cookie;
	e->born = jiffies;
	/* A slot changes hands whole (xchg): a reader sees the old entry or the new. */
	old = unrcu_pointer(xchg(&cache[slot], RCU_INITIALIZER(e)));
	if (old)
		call_rcu(&old->rcu, fnat_cached_route_free_rcu);
noref:
	skb_dst_drop(skb);
	skb_dst_set_noref(skb, dst);
	return dst_mtu(dst);
}

unsigned int fnat_conn_route(struct fnat_conn *cp, struct sk_buff *skb, enum fnat_dir dir)
{
	struct net *net = fnat_conn_net(cp);
	struct fnat_dest *dest = cp->dest;

	if (dir == FNAT_DIR_IN)
		return fnat_route_cached(net, dest->route, FNAT_DEST_ROUTES, cp->af,
					 &cp->laddr, &cp->daddr, cp->protocol, skb);
	return fnat_route_cached(net, dest->svc->reply_route, FNAT_SVC_ROUTES, cp->af,
				 &cp->vaddr, &cp->caddr, cp->protocol, skb);
}

static void fnat_routes_free(struct fnat_cached_route __rcu **cache, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct fnat_cached_route *e = rcu_dereference_protected(cache[i], true);

		if (e)
			fnat_cached_route_free(e);
	}
}

void fnat_dest_routes_free(struct fnat_dest *dest)
{
	fnat_routes_free(dest->route, FNAT_DEST_ROUTES);
}

void fnat_svc_routes_free(struct fnat_service *svc)
{
	fnat_routes_free(svc->reply_route, FNAT_SVC_ROUTES);
}

static void fnat_dest_routes_forget(struct fnat_dest *dest, u16 af, const union nf_inet_addr *addr)
{
	unsigned int i;

	for (i = 0; i < FNAT_DEST_ROUTES; i++) {
		struct fnat_cached_route *e = rcu_access_pointer(dest->route[i]);

		/* A packet may swap in another entry meanwhile: only this one goes. */
		if (e && af == dest->af && fnat_addr_equal(af, &e->saddr, addr) &&
		    cmpxchg(&dest->route[i], RCU_INITIALIZER(e), NULL) == RCU_INITIALIZER(e))
			call_rcu(&e->rcu, fnat_cached_route_free_rcu);
	}
}

/* Every kept route of fn's services dropped (the namespace going away: its devices
 * cannot be unregistered while a route holds them). Packets may still race here
 * only if the hooks are registered; the entries go after a grace period. */
static void fnat_routes_drop(struct fnat_cached_route __rcu **cache, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct fnat_cached_route *e = rcu_replace_pointer(cache[i], NULL, true);

		if (e)
			call_rcu(&e->rcu, fnat_cached_route_free_rcu);
	}
}

void fnat_routes_drop_net(struct fnat_net *fn)
{
	struct fnat_service *svc;
	struct fnat_dest *dest;

	lockdep_assert_held(&fn->lock);
	list_for_each_entry(svc, &fn->svc_list, list) {
		fnat_routes_drop(svc->reply_route, FNAT_SVC_ROUTES);
		list_for_each_entry(dest, &svc->dests, list)
			fnat_routes_drop(dest->route, FNAT_DEST_ROUTES);
	}
}

void fnat_routes_forget_laddr(struct fnat_net *fn, u16 af, const union nf_inet_addr *addr)
{
	struct fnat_service *svc;
	struct fnat_dest *dest;

	lockdep_assert_held(&fn->lock);
	list_for_each_entry(svc, &fn->svc_list, list)
		list_for_each_entry(dest, &svc->dests, list)
			fnat_dest_routes_forget(dest, af, addr);
}

/* Send skb, translated and untracked, on the dst it carries; consumes it. */
void fnat_xmit_routed(struct net *net, struct sk_buff *skb, u16 af)
{
	nf_reset_ct(skb);
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	skb_clear_tstamp(skb);
	skb->pkt_type = PACKET_HOST;
	if (af == AF_INET6) {
		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
		ip6_local_out(net, NULL, skb);
	} else {
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		ip_local_out(net, NULL, skb);
	}
}

int fnat_xmit(struct net *net, struct sk_buff *skb, u16 af)
{
	union nf_inet_addr saddr = {}, daddr = {};
	struct dst_entry *dst;
	u32 cookie;
	u8 proto;

	if (af == AF_INET6) {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		saddr.in6 = ip6h->saddr;
		daddr.in6 = ip6h->daddr;
		proto = ip6h->nexthdr;
	} else {
		const struct iphdr *iph = ip_hdr(skb);

		saddr.ip = iph->saddr;
		daddr.ip = iph->daddr;
		proto = iph->protocol;
	}
	dst = fnat_route_lookup(net, af, &saddr, &daddr, proto, &cookie);
	if (IS_ERR(dst)) {
		fnat_dp_count(net, FNAT_C_NO_ROUTE_DROP);
		kfree_skb(skb);
		return -EHOSTUNREACH;
	}
	/* Whatever the packet arrived with goes (a packet looped back from a local
	 * socket carries its sender's route). */
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	fnat_xmit_routed(net, skb, af);
	return 0;
}

struct sk_buff *fnat_tcp_build(u16 af, const union nf_inet_addr *saddr, __be16 sport,
			       const union nf_inet_addr *daddr, __be16 dport, u32 seq, u32 ack,
			       u8 flags, u16 window, const struct fnat_tcpopts *opts)
{
	unsigned int iphlen = af == AF_INET6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	unsigned int len = sizeof(struct tcphdr) + (opts ? fnat_tcpopt_syn_len(opts) : 0);
	struct sk_buff *skb;
	struct tcphdr *th;

	skb = alloc_skb(LL_MAX_HEADER + iphlen + len, GFP_ATOMIC | __GFP_NOWARN);
	if (!skb)
		return NULL;
	skb_reserve(skb, LL_MAX_HEADER + iphlen);
	skb_reset_transport_header(skb);
	th = skb_put_zero(skb, len);
	th->source = sport;
	th->dest = dport;
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = len / 4;
	tcp_flag_byte(th) = flags;
	th->window = htons(window);
	if (opts)
		fnat_tcpopt_write_syn((u8 *)(th + 1), opts);

	skb_push(skb, iphlen);
	skb_reset_network_header(skb);
	if (af == AF_INET6) {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		ip6_flow_hdr(ip6h, 0, 0);
		ip6h->payload_len = htons(len);
		ip6h->nexthdr = IPPROTO_TCP;
		ip6h->hop_limit = FNAT_HOPLIMIT;
		ip6h->saddr = saddr->in6;
		ip6h->daddr = daddr->in6;
		th->check = csum_ipv6_magic(&saddr->in6, &daddr->in6, len, IPPROTO_TCP,
					    csum_partial(th, len, 0));
		skb->protocol = htons(ETH_P_IPV6);
	} else {
		struct iphdr *iph = ip_hdr(skb);

		iph->version = 4;
		iph->ihl = sizeof(*iph) / 4;
		iph->tos = 0;
		iph->tot_len = htons(skb->len);
		iph->id = 0;
		iph->frag_off = htons(IP_DF);
		iph->ttl = IPDEFTTL;
		iph->protocol = IPPROTO_TCP;
		iph->saddr = saddr->ip;
		iph->daddr = daddr->ip;
		ip_send_check(iph);
		th->check = tcp_v4_check(len, saddr->ip, daddr->ip, csum_partial(th, len, 0));
		skb->protocol = htons(ETH_P_IP);
	}
	skb->ip_summed = CHECKSUM_NONE;
	return skb;
}
