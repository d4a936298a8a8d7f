// SPDX-License-Identifier: GPL-2.0
/*
 * Sending translated packets. The packet leaves as if the director had sent it from
 * the new source address: routed to its new destination, marked untracked (FULLNAT
 * traffic creates no conntrack entries) and handed to ip_local_out()/ip6_local_out(),
 * which set the length fields and the IPv4 header checksum and run the output hooks.
 * A packet too big for the route with DF set meets the stack's usual answer: an ICMP
 * "fragmentation needed" / "packet too big" to its (translated) source, a local
 * address, which the ICMP translation takes back to the original sender.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_route.h>
#include <net/route.h>
#include <net/netfilter/nf_conntrack.h>
#include "dp.h"

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

unsigned int fnat_route_mtu(struct net *net, u16 af, const union nf_inet_addr *saddr,
			    const union nf_inet_addr *daddr)
{
	unsigned int mtu;

	if (af == AF_INET6) {
		struct dst_entry *dst = fnat_route6(net, &saddr->in6, &daddr->in6, IPPROTO_TCP);

		if (IS_ERR(dst))
			return 0;
		mtu = dst_mtu(dst);
		dst_release(dst);
	} else {
		struct rtable *rt = fnat_route4(net, saddr->ip, daddr->ip, IPPROTO_TCP);

		if (IS_ERR(rt))
			return 0;
		mtu = dst_mtu(&rt->dst);
		ip_rt_put(rt);
	}
	return mtu;
}

static void fnat_xmit_prepare(struct sk_buff *skb, struct dst_entry *dst)
{
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	nf_reset_ct(skb);
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	skb_clear_tstamp(skb);
	skb->pkt_type = PACKET_HOST;
}

int fnat_xmit(struct net *net, struct sk_buff *skb, u16 af)
{
	if (af == AF_INET6) {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);
		struct dst_entry *dst = fnat_route6(net, &ip6h->saddr, &ip6h->daddr,
						    ip6h->nexthdr);

		if (IS_ERR(dst))
			goto no_route;
		fnat_xmit_prepare(skb, dst);
		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
		ip6_local_out(net, NULL, skb);
	} else {
		struct iphdr *iph = ip_hdr(skb);
		struct rtable *rt = fnat_route4(net, iph->saddr, iph->daddr, iph->protocol);

		if (IS_ERR(rt))
			goto no_route;
		fnat_xmit_prepare(skb, &rt->dst);
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		ip_local_out(net, NULL, skb);
	}
	return 0;

no_route:
	fnat_dp_count(net, FNAT_C_NO_ROUTE_DROP);
	kfree_skb(skb);
	return -EHOSTUNREACH;
}
