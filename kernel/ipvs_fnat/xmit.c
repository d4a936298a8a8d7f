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
 * Routes to the real servers. A destination keeps the routes to it from the local
 * addresses its connections use (fnat_dest.route[]: one per LIP, as the source
 * takes part in the lookup, for policy routing by source), in FNAT_DEST_ROUTES
 * slots: a LIP's entry is in the first FNAT_DEST_ROUTE_PROBE slots from its hash.
 * Each is an immutable entry (the dst with a reference, the source it was looked up
 * from, the cookie that validates it) published under RCU: a packet finds its LIP's
 * entry, checks it with dst_check() and leaves on its dst without a reference of its
 * own (skb_dst_set_noref(); the stack takes one, skb_dst_force(), wherever a packet
 * outlives the RCU section, such as a neighbour's queue). An IPv4 route goes stale
 * when the namespace's routing generation moves on (any route or address change, a
 * device going down) and when a PMTU exception is made for its next hop; an IPv6 one
 * when the serial number of its fib node changes. A stale or missing entry is looked
 * up again and swapped in with xchg() by whichever CPU finds it so (GFP_ATOMIC; if
 * there is no memory the packet leaves on an uncached route); the old entry is freed,
 * with its dst reference, after a grace period. Nothing is written per packet, no
 * lock, no refcount: the entries are read-mostly lines shared by every CPU.
 * The entries go with their destination (its RCU callback) or, for a local address
 * being deleted, at once (fnat_routes_forget_laddr()).
 *
 * Replies (towards clients, whose addresses are many) are routed for each packet:
 * ip_route_output_key() / ip6_route_output() return the per-CPU cached route of the
 * next hop, with a reference taken on that CPU's own copy.
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
#include <linux/hash.h>
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

struct fnat_dest_route {
	struct dst_entry *dst;		/* a reference */
	union nf_inet_addr saddr;	/* the LIP it is the route from */
	u32 cookie;			/* for dst_check() (IPv6) */
	struct rcu_head rcu;
};

static void fnat_dest_route_free(struct fnat_dest_route *e)
{
	dst_release(e->dst);
	kfree(e);
}

static void fnat_dest_route_free_rcu(struct rcu_head *head)
{
	fnat_dest_route_free(container_of(head, struct fnat_dest_route, rcu));
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

#define FNAT_DEST_ROUTE_PROBE	4

static inline u32 fnat_saddr_hash(u16 af, const union nf_inet_addr *saddr)
{
	return af == AF_INET6 ? jhash2(saddr->all, 4, 0) : hash_32((__force u32)saddr->ip, 32);
}

/* Put skb on the route from cp's LIP to its real server; its MTU, or 0. */
static unsigned int fnat_route_to_dest(struct net *net, struct fnat_conn *cp, struct sk_buff *skb)
{
	struct fnat_dest *dest = cp->dest;
	struct fnat_dest_route *e, *old;
	struct dst_entry *dst;
	unsigned int i, slot;
	u32 cookie, h;

	/* The LIP's entry, or where a new one goes: the first empty slot on the way,
	 * else the first (a hole left by a forgotten entry may hide one further on:
	 * then it is made twice, harmlessly). */
	h = fnat_saddr_hash(cp->af, &cp->laddr);
	slot = h % FNAT_DEST_ROUTES;
	for (i = 0; i < FNAT_DEST_ROUTE_PROBE; i++) {
		unsigned int j = (h + i) % FNAT_DEST_ROUTES;

		e = rcu_dereference(dest->route[j]);
		if (!e) {
			slot = j;
			break;
		}
		if (fnat_addr_equal(cp->af, &e->saddr, &cp->laddr)) {
			if (likely(dst_check(e->dst, e->cookie))) {
				dst = e->dst;
				goto noref;
			}
			slot = j;	/* stale: replaced */
			break;
		}
	}
	fnat_dp_count(net, FNAT_C_ROUTE_LOOKUP);
	dst = fnat_route_lookup(net, cp->af, &cp->laddr, &cp->daddr, cp->protocol, &cookie);
	if (IS_ERR(dst))
		return 0;
	e = kmalloc(sizeof(*e), GFP_ATOMIC | __GFP_NOWARN);
	if (!e) {
		/* Not kept: this packet takes the reference with it. */
		skb_dst_drop(skb);
		skb_dst_set(skb, dst);
		return dst_mtu(dst);
	}
	e->dst = dst;
	e->saddr = cp->laddr;
	e->cookie = cookie;
	/* A slot changes hands whole (xchg): a reader sees the old entry or the new. */
	old = unrcu_pointer(xchg(&dest->route[slot], RCU_INITIALIZER(e)));
	if (old)
		call_rcu(&old->rcu, fnat_dest_route_free_rcu);
noref:
	skb_dst_drop(skb);
	skb_dst_set_noref(skb, dst);
	return dst_mtu(dst);
}

unsigned int fnat_conn_route(struct fnat_conn *cp, struct sk_buff *skb, enum fnat_dir dir)
{
	struct net *net = fnat_conn_net(cp);
	struct dst_entry *dst;
	u32 cookie;

	if (dir == FNAT_DIR_IN)
		return fnat_route_to_dest(net, cp, skb);
	dst = fnat_route_lookup(net, cp->af, &cp->vaddr, &cp->caddr, cp->protocol, &cookie);
	if (IS_ERR(dst))
		return 0;
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	return dst_mtu(dst);
}

void fnat_dest_routes_free(struct fnat_dest *dest)
{
	unsigned int i;

	for (i = 0; i < FNAT_DEST_ROUTES; i++) {
		struct fnat_dest_route *e = rcu_dereference_protected(dest->route[i], true);

		if (e)
			fnat_dest_route_free(e);
	}
}

static void fnat_dest_routes_forget(struct fnat_dest *dest, u16 af, const union nf_inet_addr *addr)
{
	unsigned int i;

	for (i = 0; i < FNAT_DEST_ROUTES; i++) {
		struct fnat_dest_route *e = rcu_access_pointer(dest->route[i]);

		/* A packet may swap in another entry meanwhile: only this one goes. */
		if (e && af == dest->af && fnat_addr_equal(af, &e->saddr, addr) &&
		    cmpxchg(&dest->route[i], RCU_INITIALIZER(e), NULL) == RCU_INITIALIZER(e))
			call_rcu(&e->rcu, fnat_dest_route_free_rcu);
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
	struct dst_entry *dst;

	if (af == AF_INET6) {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		dst = fnat_route6(net, &ip6h->saddr, &ip6h->daddr, ip6h->nexthdr);
	} else {
		struct iphdr *iph = ip_hdr(skb);
		struct rtable *rt = fnat_route4(net, iph->saddr, iph->daddr, iph->protocol);

		dst = IS_ERR(rt) ? ERR_CAST(rt) : &rt->dst;
	}
	if (IS_ERR(dst))
		goto no_route;
	/* Whatever the packet arrived with goes (a packet looped back from a local
	 * socket carries its sender's route). */
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	fnat_xmit_routed(net, skb, af);
	return 0;

no_route:
	fnat_dp_count(net, FNAT_C_NO_ROUTE_DROP);
	kfree_skb(skb);
	return -EHOSTUNREACH;
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
