// SPDX-License-Identifier: GPL-2.0
/*
 * UDP FULLNAT: addresses and ports both ways, no TOA. An IPv4 datagram sent without
 * a checksum (0) keeps none; a computed checksum that comes out 0 is sent as 0xffff.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/udp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/checksum.h>
#include "dp.h"

static enum fnat_verdict fnat_udp_xlate(struct sk_buff *skb, struct fnat_conn *cp,
					unsigned int thoff, const union nf_inet_addr *saddr,
					__be16 sport, const union nf_inet_addr *daddr,
					__be16 dport)
{
	struct udphdr *uh;
	bool csum;

	if (!pskb_may_pull(skb, thoff + sizeof(*uh)) ||
	    skb_ensure_writable(skb, thoff + sizeof(*uh))) {
		fnat_dp_count(fnat_conn_net(cp), FNAT_C_BAD_PACKET_DROP);
		return FNAT_DROP;
	}
	uh = (struct udphdr *)(skb->data + thoff);
	csum = uh->check || cp->af == AF_INET6 || skb->ip_summed == CHECKSUM_PARTIAL;
	if (csum) {
		inet_proto_csum_replace2(&uh->check, skb, uh->source, sport, false);
		inet_proto_csum_replace2(&uh->check, skb, uh->dest, dport, false);
		if (cp->af == AF_INET6) {
			inet_proto_csum_replace16(&uh->check, skb, ipv6_hdr(skb)->saddr.s6_addr32,
						  saddr->ip6, true);
			inet_proto_csum_replace16(&uh->check, skb, ipv6_hdr(skb)->daddr.s6_addr32,
						  daddr->ip6, true);
		} else {
			inet_proto_csum_replace4(&uh->check, skb, ip_hdr(skb)->saddr, saddr->ip, true);
			inet_proto_csum_replace4(&uh->check, skb, ip_hdr(skb)->daddr, daddr->ip, true);
		}
		if (skb->ip_summed != CHECKSUM_PARTIAL && !uh->check)
			uh->check = CSUM_MANGLED_0;
	}
	uh->source = sport;
	uh->dest = dport;
	fnat_rewrite_l3(skb, cp->af, saddr, daddr);
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->ip_summed = CHECKSUM_NONE;
	fnat_conn_touch(cp);
	return FNAT_XMIT;
}

enum fnat_verdict fnat_udp_in(struct sk_buff *skb, struct fnat_conn *cp, unsigned int thoff)
{
	return fnat_udp_xlate(skb, cp, thoff, &cp->laddr, cp->lport, &cp->daddr, cp->dport);
}

enum fnat_verdict fnat_udp_out(struct sk_buff *skb, struct fnat_conn *cp, unsigned int thoff)
{
	fnat_dc_result(cp, true);	/* the real server answered */
	return fnat_udp_xlate(skb, cp, thoff, &cp->vaddr, cp->vport, &cp->caddr, cp->cport);
}
