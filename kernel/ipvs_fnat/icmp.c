// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP and ICMPv6 errors about FULLNAT connections.
 *
 * An error quotes the packet that caused it (the embedded packet): its IP header and
 * at least the first 8 bytes of its TCP or UDP header. The packets the director sends
 * are translated, so an error about one of them names the translated addresses, ports
 * and sequence number, and goes to the translated source: the LIP for client -> RS
 * traffic, the VIP for RS -> client traffic. Such an error (from the far end, a router
 * on the way, or the director's own stack when a translated packet is too big for its
 * route: ip_fragment() / ip6_fragment() answer the packet's source, a local address,
 * through lo) is translated back here and sent to the end that sent the original
 * packet, so that path-MTU discovery, unreachables and time exceeded reach it:
 *
 *   (1) to the client:       error -> LIP about LIP:lport -> RIP:rport
 *   (2) to the real server:  error -> VIP about VIP:vport -> C:cport
 *
 *   field                  (1) to the client               (2) to the real server
 *   ---------------------  ------------------------------  ------------------------------
 *   connection found by    lookup_out(RIP:rport->LIP:lport) lookup_in(C:cport->VIP:vport)
 *   outer source           (RS, router, us) -> VIP         (client, router, us) -> LIP
 *   outer destination      LIP -> C                        VIP -> RIP
 *   embedded source        LIP:lport -> C:cport            VIP:vport -> RIP:rport
 *   embedded destination   RIP:rport -> VIP:vport          C:cport -> LIP:lport
 *   embedded TCP seq       - seq_delta (back to the        - rs_seq_delta (0 but for a
 *                          client's numbering)             SYN-proxied connection)
 *   embedded TCP ack       + rs_seq_delta, if quoted       + seq_delta, if quoted and ACK
 *                          and ACK
 *   embedded TCP options   unchanged (a TOA stays)         unchanged (SACK edges stay)
 *   embedded IP length     unchanged (may count a TOA)     unchanged
 *   embedded L4 checksum   updated for the changes above   the same
 *                          when quoted (TCP: 18 bytes;
 *                          UDP: unless 0 over IPv4)
 *   embedded IPv4 checksum recomputed                      recomputed
 *   frag needed / PTB MTU  - TOA length (below)            unchanged
 *   ICMP checksum          recomputed (ICMPv6: over the    the same
 *                          new pseudo header)
 *
 * The receivers match an error to their socket by the embedded addresses and ports
 * and, for TCP, accept it only if the embedded sequence number is one they have sent
 * and not yet seen acknowledged (tcp_v4_err/tcp_v6_err): hence seq - seq_delta for
 * the client. The ack, options and lengths of the embedded header are not used by
 * them; the ack is restored anyway when quoted, options and lengths are left alone.
 *
 * The MTU. A "fragmentation needed" / "packet too big" going to the client (1) reports
 * the MTU of the path from the LIP to the real server. The director inserts the TOA
 * (8 bytes over IPv4, 20 over IPv6) into client segments until the real server has
 * sent data, so those grow by that much on the way. With the MTU reported as is, the
 * client would size its segments to exactly that MTU and every TOA-carrying segment
 * would then go without it (toa_no_room); the MSS in the SYN-ACK is lowered by the TOA
 * length for the same reason. The client keeps one path MTU per destination (the VIP)
 * for all its connections and protocols to it, some of which may still carry the TOA,
 * so while the TOA is enabled the TOA length is taken off every such error, TCP or UDP:
 * at worst 8 or 20 bytes per packet are left unused. Never below the protocol's minimum
 * (68; 1280, since an IPv6 host ignores a smaller "packet too big"); an IPv4 MTU of 0
 * (a router predating RFC 1191) stays 0.
 * The MTU going to the real server (2) is the one of the path to the client: RS ->
 * client packets keep their size through the director, so it stands. The real server
 * keeps it per destination, which is the LIP: its connections through that LIP all use
 * the smallest path MTU any of their clients reported, as the real server cannot tell
 * FULLNAT clients apart at the IP layer.
 *
 * Handled types: IPv4 destination unreachable (including fragmentation needed), time
 * exceeded, parameter problem; ICMPv6 destination unreachable, packet too big, time
 * exceeded, parameter problem (its pointer is left alone: the IP headers keep their
 * layout). Everything else, and any error whose embedded packet does not name a
 * connection, is accepted untouched. An error whose embedded header does not hold an
 * IP header and a TCP/UDP header's ports (the first 4 bytes) cannot name one and is
 * accepted: the local stack validates and discards it. An error about a connection
 * with less than 8 bytes of the embedded TCP/UDP header (RFC 792 and 4443 require
 * them) or with a bad ICMP checksum is dropped and counted (bad_packet_drop). Only
 * errors addressed to the embedded packet's source (the LIP or the VIP) are taken:
 * an error on its way through the director to someone else is none of ours.
 * Translated errors count in icmp_translated. Errors do not refresh the connection.
 *
 * Hook context: softirq, under RCU, network header at skb->data (see core.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_checksum.h>
#include <net/tcp.h>
#include "dp.h"
#include "toa.h"

/* The ICMP and ICMPv6 headers before the embedded packet: 8 bytes each. */
#define FNAT_ICMP_HLEN		8
/* Bytes of the embedded TCP header needed to read its flags (byte 13). */
#define FNAT_TCP_FLAGS_END	14
#define FNAT_IPV4_MIN_MTU	68

/* The embedded packet as found in an error. Offsets are from skb->data, the outer IP
 * header. */
struct fnat_icmp_inner {
	unsigned int ioff;	/* embedded IP header */
	unsigned int l4off;	/* embedded TCP/UDP header */
	unsigned int l4len;	/* bytes of that header (and beyond) in the error */
	union nf_inet_addr saddr, daddr;
	__be16 sport, dport;
	u8 protocol;
};

/* An unreachable (not "fragmentation needed"): the passive check's failure when it
 * answers a connection's first packet to the real server. */
static bool fnat_icmp_is_unreach(const struct sk_buff *skb, u16 af, unsigned int thoff)
{
	u8 _ic[2];
	const u8 *ic = skb_header_pointer(skb, thoff, sizeof(_ic), _ic);	/* type, code */

	if (!ic)
		return false;
	if (af == AF_INET6)
		return ic[0] == ICMPV6_DEST_UNREACH;
	return ic[0] == ICMP_DEST_UNREACH && ic[1] != ICMP_FRAG_NEEDED;
}

static bool fnat_icmp_is_error(u16 af, u8 type)
{
	if (af == AF_INET6)
		return type == ICMPV6_DEST_UNREACH || type == ICMPV6_PKT_TOOBIG ||
		       type == ICMPV6_TIME_EXCEED || type == ICMPV6_PARAMPROB;
	return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
	       type == ICMP_PARAMETERPROB;
}

/*
 * Find the embedded packet of the error whose ICMP header is at thoff, reading only
 * bytes that are there (nothing is pulled or written). True if it holds an IP header
 * of the right version and the ports of a TCP or UDP header (not a later fragment).
 */
static bool fnat_icmp_parse(const struct sk_buff *skb, u16 af, unsigned int thoff,
			    struct fnat_icmp_inner *in)
{
	__be16 _ports[2];
	const __be16 *ports;

	memset(in, 0, sizeof(*in));
	in->ioff = thoff + FNAT_ICMP_HLEN;
	if (af == AF_INET6) {
		struct ipv6hdr _ip6h;
		const struct ipv6hdr *ip6h;
		__be16 frag_off;
		u8 nexthdr;
		int off;

		ip6h = skb_header_pointer(skb, in->ioff, sizeof(_ip6h), &_ip6h);
		if (!ip6h || ip6h->version != 6)
			return false;
		nexthdr = ip6h->nexthdr;
		in->saddr.in6 = ip6h->saddr;
		in->daddr.in6 = ip6h->daddr;
		/* Extension headers of the embedded packet, within the quoted bytes. */
		off = ipv6_skip_exthdr(skb, in->ioff + sizeof(*ip6h), &nexthdr, &frag_off);
		if (off < 0 || (frag_off & htons(~0x7)))
			return false;
		in->l4off = off;
		in->protocol = nexthdr;
	} else {
		struct iphdr _iph;
		const struct iphdr *iph;

		iph = skb_header_pointer(skb, in->ioff, sizeof(_iph), &_iph);
		if (!iph || iph->version != 4 || iph->ihl < 5 ||
		    (iph->frag_off & htons(IP_OFFSET)))
			return false;
		in->saddr.ip = iph->saddr;
		in->daddr.ip = iph->daddr;
		in->l4off = in->ioff + iph->ihl * 4;
		in->protocol = iph->protocol;
	}
	if (in->protocol != IPPROTO_TCP && in->protocol != IPPROTO_UDP)
		return false;
	/* Fails when the IPv4 header's options or the ports run past the data. */
	ports = skb_header_pointer(skb, in->l4off, sizeof(_ports), _ports);
	if (!ports)
		return false;
	in->sport = ports[0];
	in->dport = ports[1];
	in->l4len = skb->len - in->l4off;
	return true;
}

/* The folded checksum of the ICMP message at thoff with the current outer addresses:
 * 0 if the message is intact (its checksum field included). */
static __sum16 fnat_icmp_csum(const struct sk_buff *skb, u16 af, unsigned int thoff)
{
	unsigned int len = skb->len - thoff;
	__wsum csum = skb_checksum(skb, thoff, len, 0);

	if (af == AF_INET6)
		return csum_ipv6_magic(&ipv6_hdr(skb)->saddr, &ipv6_hdr(skb)->daddr, len,
				       IPPROTO_ICMPV6, csum);
	return csum_fold(csum);
}

/* Incremental checksum updates that do nothing without a checksum (sum NULL). */
static void fnat_sum_replace2(__sum16 *sum, __be16 from, __be16 to)
{
	if (sum)
		csum_replace2(sum, from, to);
}

static void fnat_sum_replace4(__sum16 *sum, __be32 from, __be32 to)
{
	if (sum)
		csum_replace4(sum, from, to);
}

static void fnat_sum_replace_addr(__sum16 *sum, u16 af, const union nf_inet_addr *from,
				  const union nf_inet_addr *to)
{
	int i;

	if (af == AF_INET6) {
		for (i = 0; i < 4; i++)
			fnat_sum_replace4(sum, from->ip6[i], to->ip6[i]);
	} else {
		fnat_sum_replace4(sum, from->ip, to->ip);
	}
}

/*
 * Rewrite the embedded TCP/UDP header at in->l4off (writable for min(l4len, 20)
 * bytes for TCP, 8 for UDP) to saddr:sport -> daddr:dport, adding seq_add to its
 * sequence number and, for a segment with ACK, ack_add to its ack (TCP), and keep its
 * checksum in step when it is quoted. Only bytes that are in the error are touched.
 */
static void fnat_icmp_inner_l4(struct sk_buff *skb, const struct fnat_icmp_inner *in, u16 af,
			       const union nf_inet_addr *saddr, __be16 sport,
			       const union nf_inet_addr *daddr, __be16 dport,
			       u32 seq_add, u32 ack_add)
{
	u8 *l4 = skb->data + in->l4off;
	__sum16 *sum = NULL;
	__be16 *ports = (__be16 *)l4;

	if (in->protocol == IPPROTO_TCP) {
		struct tcphdr *th = (struct tcphdr *)l4;
		__be32 v;

		if (in->l4len >= offsetofend(struct tcphdr, check))
			sum = &th->check;
		if (seq_add) {
			v = htonl(ntohl(th->seq) + seq_add);
			fnat_sum_replace4(sum, th->seq, v);
			th->seq = v;
		}
		if (ack_add && in->l4len >= FNAT_TCP_FLAGS_END && (l4[13] & TCPHDR_ACK)) {
			v = htonl(ntohl(th->ack_seq) + ack_add);
			fnat_sum_replace4(sum, th->ack_seq, v);
			th->ack_seq = v;
		}
	} else {
		struct udphdr *uh = (struct udphdr *)l4;

		/* An IPv4 datagram sent without a checksum has none to keep. */
		if (uh->check || af == AF_INET6)
			sum = &uh->check;
	}
	fnat_sum_replace2(sum, ports[0], sport);
	fnat_sum_replace2(sum, ports[1], dport);
	ports[0] = sport;
	ports[1] = dport;
	/* The pseudo header. */
	fnat_sum_replace_addr(sum, af, &in->saddr, saddr);
	fnat_sum_replace_addr(sum, af, &in->daddr, daddr);
	if (in->protocol == IPPROTO_UDP && sum && !*sum)
		*sum = CSUM_MANGLED_0;
}

/* The embedded IP header's addresses; an IPv4 header's checksum is recomputed (the
 * caller made ihl * 4 bytes writable: they are before the TCP/UDP header). */
static void fnat_icmp_inner_l3(struct sk_buff *skb, const struct fnat_icmp_inner *in, u16 af,
			       const union nf_inet_addr *saddr, const union nf_inet_addr *daddr)
{
	if (af == AF_INET6) {
		struct ipv6hdr *ip6h = (struct ipv6hdr *)(skb->data + in->ioff);

		ip6h->saddr = saddr->in6;
		ip6h->daddr = daddr->in6;
	} else {
		struct iphdr *iph = (struct iphdr *)(skb->data + in->ioff);

		iph->saddr = saddr->ip;
		iph->daddr = daddr->ip;
		ip_send_check(iph);
	}
}

/* mtu less the TOA's length, never below the protocol's minimum floor. */
static u32 fnat_mtu_less_toa(u32 mtu, u32 toa_len, u32 floor)
{
	if (mtu >= floor + toa_len)
		return mtu - toa_len;
	return mtu > floor ? floor : mtu;
}

/* Direction (1): leave room for the TOA in the MTU the client is told (see the top). */
static void fnat_icmp_mtu_to_client(struct net *net, struct sk_buff *skb, u16 af,
				    unsigned int thoff)
{
	if (!READ_ONCE(fnat_net(net)->cfg.toa))
		return;
	if (af == AF_INET6) {
		struct icmp6hdr *ic6 = (struct icmp6hdr *)(skb->data + thoff);

		if (ic6->icmp6_type == ICMPV6_PKT_TOOBIG)
			ic6->icmp6_mtu = htonl(fnat_mtu_less_toa(ntohl(ic6->icmp6_mtu),
								 TOA_LEN_V6, IPV6_MIN_MTU));
	} else {
		struct icmphdr *ic = (struct icmphdr *)(skb->data + thoff);

		if (ic->type == ICMP_DEST_UNREACH && ic->code == ICMP_FRAG_NEEDED)
			ic->un.frag.mtu = htons(fnat_mtu_less_toa(ntohs(ic->un.frag.mtu),
								  TOA_LEN_V4, FNAT_IPV4_MIN_MTU));
	}
}

/* Translate an error about cp (see the table at the top) and send it. */
static unsigned int fnat_icmp_xlate(struct net *net, struct sk_buff *skb, u16 af,
				    unsigned int thoff, const struct fnat_icmp_inner *in,
				    struct fnat_conn *cp, bool to_rs)
{
	const union nf_inet_addr *osaddr, *odaddr, *isaddr, *idaddr;
	u32 delta = READ_ONCE(cp->seq_delta), rs_delta = READ_ONCE(cp->rs_seq_delta);
	unsigned int l4w;
	__be16 isport, idport;
	__sum16 *check;

	/* Everything written is before the end of the embedded L4 fields we change. */
	if (in->protocol == IPPROTO_TCP)
		l4w = min_t(unsigned int, in->l4len, sizeof(struct tcphdr));
	else
		l4w = sizeof(struct udphdr);
	if (skb_ensure_writable(skb, in->l4off + l4w)) {
		fnat_dp_count(net, FNAT_C_NOMEM_DROP);
		return NF_DROP;
	}
	if (!skb_csum_unnecessary(skb) && fnat_icmp_csum(skb, af, thoff)) {
		fnat_dp_count(net, FNAT_C_BAD_PACKET_DROP);
		return NF_DROP;
	}

	if (to_rs) {
		osaddr = &cp->laddr;		/* LIP -> RIP */
		odaddr = &cp->daddr;
		isaddr = &cp->daddr;		/* about RIP:rport -> LIP:lport */
		isport = cp->dport;
		idaddr = &cp->laddr;
		idport = cp->lport;
		fnat_icmp_inner_l4(skb, in, af, isaddr, isport, idaddr, idport, -rs_delta, delta);
	} else {
		osaddr = &cp->vaddr;		/* VIP -> client */
		odaddr = &cp->caddr;
		isaddr = &cp->caddr;		/* about C:cport -> VIP:vport */
		isport = cp->cport;
		idaddr = &cp->vaddr;
		idport = cp->vport;
		fnat_icmp_inner_l4(skb, in, af, isaddr, isport, idaddr, idport, -delta, rs_delta);
		fnat_icmp_mtu_to_client(net, skb, af, thoff);
	}
	fnat_icmp_inner_l3(skb, in, af, isaddr, idaddr);
	fnat_rewrite_l3(skb, af, osaddr, odaddr);

	/* The ICMP checksum, over the message (and for ICMPv6 the new pseudo header). */
	check = af == AF_INET6 ? &((struct icmp6hdr *)(skb->data + thoff))->icmp6_cksum :
				 &((struct icmphdr *)(skb->data + thoff))->checksum;
	*check = 0;
	*check = fnat_icmp_csum(skb, af, thoff);
	skb->ip_summed = CHECKSUM_NONE;

	fnat_dp_count(net, FNAT_C_ICMP_TRANSLATED);
	fnat_xmit(net, skb, af);
	return NF_STOLEN;
}

unsigned int fnat_icmp(struct net *net, struct sk_buff *skb, u16 af, unsigned int thoff)
{
	const union nf_inet_addr *outer_daddr;
	struct fnat_icmp_inner in;
	struct fnat_tuple t;
	struct fnat_conn *cp;
	u8 _type;
	const u8 *type;
	enum fnat_dir dir;
	bool to_rs;

	if (skb->len < thoff + FNAT_ICMP_HLEN)
		return NF_ACCEPT;
	type = skb_header_pointer(skb, thoff, sizeof(_type), &_type);
	if (!type || !fnat_icmp_is_error(af, *type))
		return NF_ACCEPT;
	if (!fnat_icmp_parse(skb, af, thoff, &in))
		return NF_ACCEPT;

	/* Addressed to the source of the packet it is about (the outer IP header is
	 * linear: core.c read it). */
	if (af == AF_INET6)
		outer_daddr = (const union nf_inet_addr *)&ipv6_hdr(skb)->daddr;
	else
		outer_daddr = (const union nf_inet_addr *)&ip_hdr(skb)->daddr;
	if (!fnat_addr_equal(af, outer_daddr, &in.saddr))
		return NF_ACCEPT;

	/* The embedded packet went out from us: it is the reverse of a packet that
	 * arrives, from the client (2) or from the real server (1). */
	memset(&t, 0, sizeof(t));
	t.af = af;
	t.protocol = in.protocol;
	t.saddr = in.daddr;
	t.sport = in.dport;
	t.daddr = in.saddr;
	t.dport = in.sport;
	cp = fnat_conn_lookup(net, &t, &dir);
	if (!cp)
		return NF_ACCEPT;
	to_rs = dir == FNAT_DIR_IN;

	if (in.l4len < 8) {
		fnat_dp_count(net, FNAT_C_BAD_PACKET_DROP);
		return NF_DROP;
	}
	/* About our packet to the real server, before it ever answered. */
	if (!to_rs && fnat_icmp_is_unreach(skb, af, thoff) &&
	    !(in.protocol == IPPROTO_TCP && test_bit(FNAT_CONN_F_RS_ISN, &cp->flags)))
		fnat_dc_result(cp, false);
	return fnat_icmp_xlate(net, skb, af, thoff, &in, cp, to_rs);
}
