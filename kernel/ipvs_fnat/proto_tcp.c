// SPDX-License-Identifier: GPL-2.0
/*
 * TCP FULLNAT: both address pairs and ports, the sequence numbers the real server
 * sees, the options (timestamps off the SYN, MSS lowered for the TOA, SACK edges),
 * the TOA itself, and the connection's state.
 *
 * Checksums are updated incrementally for every field that changes, whatever the
 * skb's ip_summed: inet_proto_csum_replace*() only touch the pseudo-header part of a
 * CHECKSUM_PARTIAL checksum and the whole of any other. A packet that arrived with a
 * bad checksum therefore still has a bad one: the real server or the client rejects
 * it, as it would without us. CHECKSUM_COMPLETE is dropped to NONE once we have
 * changed the packet (its skb->csum no longer describes it).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/tcp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/checksum.h>
#include <net/secure_seq.h>
#include <net/tcp.h>
#include "dp.h"
#include "sync.h"
#include "toa.h"
#include "fnat_tcpopt.h"

/* The smallest MSS we lower an MSS option to (RFC 879 / RFC 8200 minimums). */
#define FNAT_MSS_FLOOR_V4	536
#define FNAT_MSS_FLOOR_V6	1220

/* The TCP header, linear and writable, or NULL if the packet is too short. */
struct tcphdr *fnat_tcp_header(struct sk_buff *skb, unsigned int thoff)
{
	struct tcphdr *th;
	unsigned int thlen;

	if (!pskb_may_pull(skb, thoff + sizeof(*th)))
		return NULL;
	th = (struct tcphdr *)(skb->data + thoff);
	thlen = th->doff * 4;
	if (thlen < sizeof(*th) || skb->len < thoff + thlen)
		return NULL;
	if (skb_ensure_writable(skb, thoff + thlen))
		return NULL;
	return (struct tcphdr *)(skb->data + thoff);
}

/* The secret, per-tuple numbers a local socket from LIP:lport to RIP:rport would
 * start with: its ISN and its timestamp offset. */
static union tcp_seq_and_ts_off fnat_tcp_secure(const struct fnat_conn *cp)
{
	if (cp->af == AF_INET6)
		return secure_tcpv6_seq_and_ts_off(fnat_conn_net(cp), cp->laddr.ip6,
						   cp->daddr.ip6, cp->lport, cp->dport);
	return secure_tcp_seq_and_ts_off(fnat_conn_net(cp), cp->laddr.ip, cp->daddr.ip,
					 cp->lport, cp->dport);
}

/* The RS's view of the connection starts at a secret, per-tuple, time-based
 * sequence number, as if the LIP had opened it: a reused LIP:lport starts above the
 * previous connection's sequence space, so the RS's TIME_WAIT accepts its SYN. */
u32 fnat_tcp_seq_delta(const struct fnat_conn *cp, u32 client_isn)
{
	return fnat_tcp_secure(cp).seq - client_isn;
}

/* A SYN-proxied connection's timestamps towards the RS: the director's clock plus
 * this offset, as a local socket's would be (synproxy.c). */
u32 fnat_tcp_ts_off(const struct fnat_conn *cp)
{
	return fnat_tcp_secure(cp).ts_off;
}

/* Fold a change of bytes covered by the checksum but not in the pseudo header:
 * nothing to do for CHECKSUM_PARTIAL (the sum is finished later over the new bytes).
 * (inet_proto_csum_replace_by_diff() changed its signature within 6.1.y.) */
static void fnat_csum_add_diff(__sum16 *sum, const struct sk_buff *skb, __wsum diff)
{
	if (skb->ip_summed != CHECKSUM_PARTIAL)
		*sum = csum_fold(csum_add(diff, ~csum_unfold(*sum)));
}

/* Apply an edit of the option bytes (old copy vs new, same position) to the
 * checksum. The options start 20 bytes into the header: the same 16-bit alignment
 * in both sums. */
void fnat_tcp_csum_opts(struct sk_buff *skb, struct tcphdr *th, const u8 *old,
			       const u8 *new, unsigned int len)
{
	__wsum diff = csum_sub(csum_partial(new, len, 0), csum_partial(old, len, 0));

	fnat_csum_add_diff(&th->check, skb, diff);
}

void fnat_tcp_set_seq(struct sk_buff *skb, struct tcphdr *th, u32 seq)
{
	inet_proto_csum_replace4(&th->check, skb, th->seq, htonl(seq), false);
	th->seq = htonl(seq);
}

void fnat_tcp_set_ack(struct sk_buff *skb, struct tcphdr *th, u32 ack)
{
	inet_proto_csum_replace4(&th->check, skb, th->ack_seq, htonl(ack), false);
	th->ack_seq = htonl(ack);
}

/* New ports and addresses: the TCP checksum (ports, pseudo header) and the IP header. */
void fnat_tcp_rewrite(struct sk_buff *skb, unsigned int thoff, u16 af,
			     const union nf_inet_addr *saddr, __be16 sport,
			     const union nf_inet_addr *daddr, __be16 dport)
{
	struct tcphdr *th = (struct tcphdr *)(skb->data + thoff);

	inet_proto_csum_replace2(&th->check, skb, th->source, sport, false);
	inet_proto_csum_replace2(&th->check, skb, th->dest, dport, false);
	th->source = sport;
	th->dest = dport;
	if (af == AF_INET6) {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		inet_proto_csum_replace16(&th->check, skb, ip6h->saddr.s6_addr32,
					  saddr->ip6, true);
		inet_proto_csum_replace16(&th->check, skb, ip6h->daddr.s6_addr32,
					  daddr->ip6, true);
	} else {
		struct iphdr *iph = ip_hdr(skb);

		inet_proto_csum_replace4(&th->check, skb, iph->saddr, saddr->ip, true);
		inet_proto_csum_replace4(&th->check, skb, iph->daddr, daddr->ip, true);
	}
	fnat_rewrite_l3(skb, af, saddr, daddr);
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->ip_summed = CHECKSUM_NONE;
}

/* Build the TOA carrying the client's address and port into opt (8 or 20 bytes). */
static unsigned int fnat_toa_build(u8 *opt, const struct fnat_conn *cp)
{
	unsigned int len = cp->af == AF_INET6 ? TOA_LEN_V6 : TOA_LEN_V4;

	opt[0] = TOA_KIND;
	opt[1] = len;
	memcpy(opt + 2, &cp->cport, 2);
	if (cp->af == AF_INET6)
		memcpy(opt + 4, &cp->caddr.in6, 16);
	else
		memcpy(opt + 4, &cp->caddr.ip, 4);
	return len;
}

/*
 * Insert the TOA at the end of the TCP header of a client segment: the IP and TCP
 * headers move forward into the headroom by the option's length and the option is
 * written where they ended. Returns 0, -ENOSPC when there is no room (the 40 bytes of
 * option space, or the route's MTU), or -ENOMEM.
 */
static int fnat_tcp_add_toa(struct sk_buff *skb, unsigned int thoff, struct fnat_conn *cp)
{
	struct tcphdr *th = (struct tcphdr *)(skb->data + thoff);
	unsigned int thlen = th->doff * 4, olen, mtu, old_l4;
	u8 toa[TOA_LEN_V6];
	__be16 old_word;
	u8 *opt;

	olen = fnat_toa_build(toa, cp);
	if (thlen + olen > sizeof(*th) + FNAT_TCPOPT_SPACE_MAX)
		return -ENOSPC;
	/* The route the segment will leave on, kept on skb for the transmission. */
	mtu = fnat_conn_route(cp, skb, FNAT_DIR_IN);
	if (!mtu)
		return -ENOSPC;
	if (skb_is_gso(skb)) {
		if (skb_shinfo(skb)->gso_size + thoff + thlen + olen > mtu)
			return -ENOSPC;
	} else if (skb->len + olen > mtu) {
		return -ENOSPC;
	}
	if (skb_cow(skb, olen))
		return -ENOMEM;

	old_l4 = skb->len - thoff;
	__skb_push(skb, olen);
	memmove(skb->data, skb->data + olen, thoff + thlen);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, thoff);
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		skb->csum_start -= olen;

	th = (struct tcphdr *)(skb->data + thoff);
	opt = (u8 *)th + thlen;
	memcpy(opt, toa, olen);

	/* doff shares a 16-bit word with the flags. */
	old_word = ((__be16 *)th)[6];
	th->doff += olen / 4;
	inet_proto_csum_replace2(&th->check, skb, old_word, ((__be16 *)th)[6], false);
	/* The option's bytes (at a 4-byte aligned offset: thlen is one). */
	fnat_csum_add_diff(&th->check, skb, csum_partial(opt, olen, 0));
	/* The pseudo header's length, and the IP header's. */
	if (cp->af == AF_INET6) {
		inet_proto_csum_replace4(&th->check, skb, htonl(old_l4), htonl(old_l4 + olen),
					 true);
		ipv6_hdr(skb)->payload_len = htons(skb->len - sizeof(struct ipv6hdr));
	} else {
		struct iphdr *iph = ip_hdr(skb);

		inet_proto_csum_replace2(&th->check, skb, htons(old_l4), htons(old_l4 + olen),
					 true);
		csum_replace2(&iph->check, iph->tot_len, htons(skb->len));
		iph->tot_len = htons(skb->len);
	}
	return 0;
}

/*
 * Remember in *nxt the next sequence number the sender of th is expected to use, in
 * its own space (seq + payload + SYN + FIN), for the RSTs of an expiring connection
 * (rst.c). It only moves forward, except on a SYN, which starts (or restarts) the
 * sequence space.
 */
static void fnat_tcp_track_nxt(u32 *nxt, const struct sk_buff *skb, unsigned int thoff,
			       const struct tcphdr *th)
{
	u32 end;

	if (th->rst)
		return;
	end = ntohl(th->seq) + (skb->len - thoff - th->doff * 4) + th->syn + th->fin;
	if (th->syn || after(end, READ_ONCE(*nxt)))
		WRITE_ONCE(*nxt, end);
}

/* The state after a segment from the client (from_client) or the real server. */
static void fnat_tcp_state(struct fnat_conn *cp, const struct tcphdr *th, bool from_client)
{
	enum fnat_conn_state s, ns;

	spin_lock(&cp->lock);
	s = cp->state;
	ns = s;
	if (th->rst) {
		ns = FNAT_S_CLOSE;
	} else if (th->syn) {
		if (from_client && !th->ack)
			ns = FNAT_S_SYN_RECV;
	} else if (th->fin) {
		set_bit(from_client ? FNAT_CONN_F_CFIN : FNAT_CONN_F_RFIN, &cp->flags);
		ns = test_bit(FNAT_CONN_F_CFIN, &cp->flags) &&
		     test_bit(FNAT_CONN_F_RFIN, &cp->flags) ? FNAT_S_TIME_WAIT : FNAT_S_FIN_WAIT;
	} else if (th->ack && s == FNAT_S_SYN_RECV && from_client &&
		   test_bit(FNAT_CONN_F_RS_ISN, &cp->flags)) {
		ns = FNAT_S_ESTABLISHED;
	}
	if (ns != s)
		fnat_conn_set_state_locked(cp, ns);
	spin_unlock(&cp->lock);
	fnat_conn_touch(cp);
}

/*
 * A client's new SYN on a connection that had closed (the client reused its port
 * before we expired the entry): start over with a fresh sequence translation, as a
 * new connection would.
 */
static void fnat_tcp_reopen(struct fnat_conn *cp, u32 client_isn)
{
	spin_lock(&cp->lock);
	if (cp->state == FNAT_S_TIME_WAIT || cp->state == FNAT_S_CLOSE) {
		clear_bit(FNAT_CONN_F_CFIN, &cp->flags);
		clear_bit(FNAT_CONN_F_RFIN, &cp->flags);
		clear_bit(FNAT_CONN_F_TOA_DONE, &cp->flags);
		clear_bit(FNAT_CONN_F_RS_ISN, &cp->flags);
		WRITE_ONCE(cp->seq_delta, fnat_tcp_seq_delta(cp, client_isn));
	}
	spin_unlock(&cp->lock);
}

/*
 * A SYN-proxied connection's further translation (FNAT_CONN_F_SYNPROXY), besides the
 * client's sequence numbers moved by seq_delta as for every connection:
 *
 *   field              client -> real server             real server -> client
 *   seq                + seq_delta                       + rs_seq_delta
 *   ack                - rs_seq_delta                    - seq_delta
 *   SACK edges         - rs_seq_delta                    - seq_delta
 *   TSval / TSecr      + ts_in_delta / - ts_out_delta     + ts_out_delta / - ts_in_delta
 *   window             client's scale -> none, when the  real server's scale (or none)
 *                      real server does not scale        -> FNAT_SYNPROXY_WSCALE
 *
 * The windows: the client was told FNAT_SYNPROXY_WSCALE in the director's SYN-ACK and
 * the real server chose its own; a window is re-expressed in the receiver's units,
 * rounded down and clamped, so no side is offered more than the other really offers.
 * The real server was given the client's own scale, so client windows change only
 * when the real server declined scaling (it then reads them unscaled). Returns false
 * if the options are malformed (the caller drops the segment).
 */
static bool fnat_tcp_sp_in(struct sk_buff *skb, struct fnat_conn *cp, struct tcphdr *th,
			   u8 *opt, unsigned int optlen)
{
	u32 rs_delta = READ_ONCE(cp->rs_seq_delta);
	u8 c_ws = cp->wscale & 0xf, r_ws = cp->wscale >> 4;
	u8 old[FNAT_TCPOPT_SPACE_MAX];

	if (th->ack)
		fnat_tcp_set_ack(skb, th, ntohl(th->ack_seq) - rs_delta);
	if (optlen) {
		memcpy(old, opt, optlen);
		if (fnat_tcpopt_shift_sack(opt, optlen, rs_delta) < 0 ||
		    fnat_tcpopt_shift_ts(opt, optlen, READ_ONCE(cp->ts_in_delta),
					 READ_ONCE(cp->ts_out_delta)) < 0)
			return false;
		fnat_tcp_csum_opts(skb, th, old, opt, optlen);
	}
	if (!th->syn && c_ws != FNAT_WSCALE_NONE && r_ws == FNAT_WSCALE_NONE) {
		__be16 w = htons(fnat_window_rescale(ntohs(th->window), c_ws, 0));

		inet_proto_csum_replace2(&th->check, skb, th->window, w, false);
		th->window = w;
	}
	return true;
}

static bool fnat_tcp_sp_out(struct sk_buff *skb, struct fnat_conn *cp, struct tcphdr *th,
			    u8 *opt, unsigned int optlen)
{
	u8 c_ws = cp->wscale & 0xf, r_ws = cp->wscale >> 4;
	u8 old[FNAT_TCPOPT_SPACE_MAX];

	fnat_tcp_set_seq(skb, th, ntohl(th->seq) + READ_ONCE(cp->rs_seq_delta));
	if (optlen) {
		memcpy(old, opt, optlen);
		if (fnat_tcpopt_shift_ts(opt, optlen, READ_ONCE(cp->ts_out_delta),
					 READ_ONCE(cp->ts_in_delta)) < 0)
			return false;
		fnat_tcp_csum_opts(skb, th, old, opt, optlen);
	}
	if (!th->syn && c_ws != FNAT_WSCALE_NONE) {
		__be16 w = htons(fnat_window_rescale(ntohs(th->window),
						     r_ws == FNAT_WSCALE_NONE ? 0 : r_ws,
						     FNAT_SYNPROXY_WSCALE));

		inet_proto_csum_replace2(&th->check, skb, th->window, w, false);
		th->window = w;
	}
	return true;
}

/* Client -> real server. */
enum fnat_verdict tcp_fnat_in_handler(struct sk_buff *skb, struct fnat_conn *cp,
				      unsigned int thoff, bool new_conn)
{
	struct net *net = fnat_conn_net(cp);
	const struct fnat_config *cfg = &fnat_net(net)->cfg;
	struct tcphdr *th;
	bool sp = test_bit(FNAT_CONN_F_SYNPROXY, &cp->flags);
	unsigned int optlen;

	if (unlikely(sp) && READ_ONCE(cp->state) == FNAT_S_SYNPROXY)
		return fnat_synproxy_in(skb, cp, thoff);
	th = fnat_tcp_header(skb, thoff);
	if (!th) {
		fnat_dp_count(net, FNAT_C_BAD_PACKET_DROP);
		return FNAT_DROP;
	}
	optlen = th->doff * 4 - sizeof(*th);

	if (unlikely(sp)) {
		/* The director answered this client's SYN itself: another SYN on the
		 * connection is not one the real server could make sense of. */
		if (th->syn) {
			fnat_sp_count(net, cp->dest->svc, FNAT_SP_DATA_DROPPED);
			return FNAT_DROP;
		}
		if (!fnat_tcp_sp_in(skb, cp, th, (u8 *)(th + 1), optlen)) {
			fnat_dp_count(net, FNAT_C_BAD_PACKET_DROP);
			return FNAT_DROP;
		}
	}

	if (th->syn && !th->ack) {
		if (new_conn)
			cp->seq_delta = fnat_tcp_seq_delta(cp, ntohl(th->seq));
		else
			fnat_tcp_reopen(cp, ntohl(th->seq));
		if (optlen && !READ_ONCE(cfg->keep_timestamps)) {
			u8 old[FNAT_TCPOPT_SPACE_MAX];
			u8 *opt = (u8 *)(th + 1);

			memcpy(old, opt, optlen);
			if (fnat_tcpopt_strip_timestamp(opt, optlen) > 0)
				fnat_tcp_csum_opts(skb, th, old, opt, optlen);
		}
	} else if (th->ack && !th->rst && !th->syn && READ_ONCE(cfg->toa) &&
		   !test_bit(FNAT_CONN_F_TOA_DONE, &cp->flags) &&
		   test_bit(FNAT_CONN_F_RS_ISN, &cp->flags)) {
		/* Until the real server has sent data, every client segment carries the
		 * TOA: the server may read it from whichever arrives first. */
		if (ntohl(th->ack_seq) == READ_ONCE(cp->rs_isn) + 1) {
			int err = fnat_tcp_add_toa(skb, thoff, cp);

			if (!err) {
				fnat_dp_count(net, FNAT_C_TOA_ADDED);
			} else if (err == -ENOSPC) {
				fnat_dp_count(net, FNAT_C_TOA_NO_ROOM);
			} else {
				fnat_dp_count(net, FNAT_C_NOMEM_DROP);
				return FNAT_DROP;
			}
			th = (struct tcphdr *)(skb->data + thoff);
		} else if (!test_and_set_bit(FNAT_CONN_F_TOA_DONE, &cp->flags)) {
			/* A backup taking over must not add a TOA any more. */
			fnat_sync_conn_changed(cp);
		}
	}

	fnat_tcp_track_nxt(&cp->c_nxt, skb, thoff, th);
	fnat_tcp_set_seq(skb, th, ntohl(th->seq) + READ_ONCE(cp->seq_delta));
	fnat_tcp_rewrite(skb, thoff, cp->af, &cp->laddr, cp->lport, &cp->daddr, cp->dport);
	fnat_tcp_state(cp, th, true);
	return FNAT_XMIT;
}

/* Real server -> client. */
enum fnat_verdict tcp_fnat_out_handler(struct sk_buff *skb, struct fnat_conn *cp,
				       unsigned int thoff)
{
	struct net *net = fnat_conn_net(cp);
	const struct fnat_config *cfg = &fnat_net(net)->cfg;
	struct tcphdr *th;
	u32 delta = READ_ONCE(cp->seq_delta);
	bool sp = test_bit(FNAT_CONN_F_SYNPROXY, &cp->flags);
	unsigned int optlen;
	u8 old[FNAT_TCPOPT_SPACE_MAX];
	u8 *opt;

	if (unlikely(sp) && READ_ONCE(cp->state) == FNAT_S_SYNPROXY)
		return fnat_synproxy_out(skb, cp, thoff);
	th = fnat_tcp_header(skb, thoff);
	if (!th) {
		fnat_dp_count(net, FNAT_C_BAD_PACKET_DROP);
		return FNAT_DROP;
	}
	optlen = th->doff * 4 - sizeof(*th);
	opt = (u8 *)(th + 1);
	fnat_tcp_track_nxt(&cp->r_nxt, skb, thoff, th);

	/* The real server's answer to the SYN: what the passive check learns. */
	if (th->rst && !test_bit(FNAT_CONN_F_RS_ISN, &cp->flags))
		fnat_dc_result(cp, false);
	if (th->syn && th->ack) {
		fnat_dc_result(cp, true);
		WRITE_ONCE(cp->rs_isn, ntohl(th->seq));
		set_bit(FNAT_CONN_F_RS_ISN, &cp->flags);
		if (optlen && READ_ONCE(cfg->toa)) {
			u16 by = cp->af == AF_INET6 ? TOA_LEN_V6 : TOA_LEN_V4, o, n;
			u16 floor = cp->af == AF_INET6 ? FNAT_MSS_FLOOR_V6 : FNAT_MSS_FLOOR_V4;

			memcpy(old, opt, optlen);
			if (fnat_tcpopt_lower_mss(opt, optlen, by, floor, &o, &n) > 0)
				fnat_tcp_csum_opts(skb, th, old, opt, optlen);
		}
	}
	if (th->ack)
		fnat_tcp_set_ack(skb, th, ntohl(th->ack_seq) - delta);
	if (optlen && !th->syn) {
		memcpy(old, opt, optlen);
		if (fnat_tcpopt_shift_sack(opt, optlen, delta) > 0)
			fnat_tcp_csum_opts(skb, th, old, opt, optlen);
	}
	if (unlikely(sp) && !fnat_tcp_sp_out(skb, cp, th, opt, optlen)) {
		fnat_dp_count(net, FNAT_C_BAD_PACKET_DROP);
		return FNAT_DROP;
	}
	fnat_tcp_rewrite(skb, thoff, cp->af, &cp->vaddr, cp->vport, &cp->caddr, cp->cport);
	fnat_tcp_state(cp, th, false);
	return FNAT_XMIT;
}
