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
 * One route lookup per packet: a segment that gets a TOA needs its route's MTU
 * before it grows, and the route looked up for that check is the one it leaves with
 * (fnat_route() puts it on the skb, fnat_xmit_routed() sends it on that route).
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

/*
 * The route from saddr to daddr, set as skb's dst (replacing whatever it had) so that
 * fnat_xmit_routed() sends the packet on it without looking it up again. Returns the
 * route's MTU, or 0 (skb unchanged) if there is no route. Softirq, under RCU.
 */
unsigned int fnat_route(struct net *net, struct sk_buff *skb, u16 af,
			const union nf_inet_addr *saddr, const union nf_inet_addr *daddr, u8 proto)
{
	struct dst_entry *dst;

	if (af == AF_INET6) {
		dst = fnat_route6(net, &saddr->in6, &daddr->in6, proto);
		if (IS_ERR(dst))
			return 0;
	} else {
		struct rtable *rt = fnat_route4(net, saddr->ip, daddr->ip, proto);

		if (IS_ERR(rt))
			return 0;
		dst = &rt->dst;
	}
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	return dst_mtu(dst);
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
