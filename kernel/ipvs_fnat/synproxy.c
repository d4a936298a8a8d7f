// SPDX-License-Identifier: GPL-2.0
/*
 * The SYN proxy (a service with IPVS_FNAT_SVC_F_SYNPROXY): the director answers a
 * client's SYN itself, with a SYN cookie, and only a client that proves it receives
 * (an ACK carrying a valid cookie) costs a connection entry, a local port and a
 * real-server connection. A spoofed SYN flood gets SYN-ACKs and nothing else.
 *
 *   client                    director                          real server
 *   SYN (isn C) ------------> no state: cookie D = f(tuple, C, MSS, minute)
 *               <------------ SYN-ACK seq D, window 0 [MSS, SACK, TS(opts), WS 7]
 *   ACK (ack D+1) ----------> cookie checked, options back from the TS echo;
 *                             scheduled, LIP:lport taken, entry in SYN_PROXY,
 *                             the ACK held ----------------------> SYN seq C+seq_delta
 *   [data, FIN: held, bounded]                                     [client's options]
 *                                            <-------------------- SYN-ACK seq R
 *                             ESTABLISHED; the held ACK and data go on, translated
 *                             (the ACK completes the handshake and carries the TOA)
 *               <------------ the SYN-ACK, turned into an ACK: the real server's
 *                             window opens the client's (seq D+1)
 *
 * The cookie and its checks are the kernel's (__cookie_v4/v6_init_sequence, _check,
 * cookie_timestamp_decode) with the kernel's seeded secret; what a cookie cannot hold
 * (window scale, SACK, ECN) rides in the low bits of the SYN-ACK's TSval, laid out as
 * Linux does, so a client without timestamps is served without those options (as the
 * kernel's own cookies do). The SYN-ACK offers a zero window, as netfilter's SYNPROXY
 * does: a client sends no data before the real server's window reaches it, so early
 * data is the exception; what comes anyway is held, up to FNAT_SP_HOLD_SEGS segments
 * and FNAT_SP_HOLD_BYTES of payload, and beyond is dropped and counted
 * (synproxy_data_dropped): the client retransmits. The zero window is also why a lost
 * ACK needs care: the client then sends zero-window probes one sequence number below
 * the ACK's, which fnat_sp_ack() takes for that ACK.
 *
 * After the handshakes the connection is translated as any other, and further, by
 * FNAT_CONN_F_SYNPROXY (proto_tcp.c, fnat_tcp_sp_in/out): the real server's sequence
 * numbers (rs_seq_delta = D - R), the timestamps (each side sees the other's clock
 * moved to start where its own handshake left it, so PAWS holds on both: the real
 * server's view of the client's clock is the director's clock for LIP -> RS plus its
 * secret offset, as a local socket's would be, so a reused LIP:lport never reads as
 * older) and the windows (the client was told scale 7, the real server chose its own).
 *
 * Lifetimes and locking
 *   - Nothing exists for a SYN. A valid ACK makes the entry (conn.c, FNAT_S_SYNPROXY,
 *     the translation numbers set before it is hashed) and the proxy phase's state:
 *     the SYN to the real server, kept in cp->sp_skb for retransmission, whose control
 *     block (struct fnat_sp_state) holds the client's segments. cp->lock guards
 *     sp_skb, the held queue and the leaving of FNAT_S_SYNPROXY.
 *   - It ends, under cp->lock, with the real server's SYN-ACK (ESTABLISHED; the held
 *     segments are sent after the lock is dropped), its RST or the last retransmission
 *     going unanswered (the client gets a RST; synproxy_rs_fail), or a client RST
 *     (the real server gets one): each takes sp_skb out and frees it and what it holds.
 *   - The retransmissions run from the connection's own timer (fnat_synproxy_timer(),
 *     from conn.c's), backing off from 1 s while within timeout_syn of the first SYN.
 *   - An entry removed in the proxy phase (flush, namespace exit, unload) frees the
 *     state in its RCU callback (fnat_synproxy_free()).
 *   - Held segments keep no device reference: their skb->dev is cleared (they leave on
 *     a route of their own later), their route was dropped on arrival.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/netdevice.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/tcp.h>
#include <net/secure_seq.h>
#include "dp.h"
#include "toa.h"
#include "fnat_tcpopt.h"

#define FNAT_SP_HOLD_SEGS	8
#define FNAT_SP_HOLD_BYTES	16384
#define FNAT_SP_BACKOFF_MAX	6	/* retransmission intervals up to 64 s */

/* The proxy phase's state, in the control block of the kept SYN (cp->sp_skb). */
struct fnat_sp_state {
	/* The client's segments, in arrival order, chained by skb->next (a plain list:
	 * cp->lock guards it, and a struct sk_buff_head, whose spinlock grows with
	 * lockdep, would not fit in the control block). */
	struct sk_buff *held;
	struct sk_buff *held_tail;
	unsigned long start;		/* jiffies: the first SYN to the real server */
	u32 d_isn;			/* the cookie: our ISN towards the client */
	u32 d_tsval;			/* our SYN-ACK's TSval (ts_ok) */
	u32 held_bytes;			/* their payload */
	u8 held_segs;
	u8 retries;
	u8 ts_ok;			/* the client and we use timestamps */
};

#define FNAT_SP(skb)		((struct fnat_sp_state *)(skb)->cb)
/* A held segment remembers where its TCP header is. */
#define FNAT_SP_THOFF(skb)	(*(u16 *)(skb)->cb)

static_assert(sizeof(struct fnat_sp_state) <= sizeof_field(struct sk_buff, cb));

/* Free a chain of held segments. */
static void fnat_sp_held_free(struct sk_buff *h)
{
	struct sk_buff *next;

	for (; h; h = next) {
		next = h->next;
		h->next = NULL;
		kfree_skb(h);
	}
}

static void fnat_sp_state_free(struct sk_buff *syn)
{
	fnat_sp_held_free(FNAT_SP(syn)->held);
	kfree_skb(syn);
}

void fnat_synproxy_free(struct fnat_conn *cp)
{
	fnat_sp_state_free(cp->sp_skb);
	cp->sp_skb = NULL;
}

/* Send one of our own segments; a missing route is counted by fnat_xmit(). */
static void fnat_sp_send(struct net *net, u16 af, struct sk_buff *skb)
{
	if (!skb) {
		fnat_dp_count(net, FNAT_C_NOMEM_DROP);
		return;
	}
	fnat_xmit(net, skb, af);
}

/* The MSS the director offers a client: what the interface the SYN came in on can
 * carry, less the TOA the client's segments may grow by. */
static u16 fnat_sp_mss(struct net *net, const struct sk_buff *skb, u16 af)
{
	unsigned int mtu = skb->dev ? READ_ONCE(skb->dev->mtu) : ETH_DATA_LEN;
	unsigned int floor = af == AF_INET6 ? IPV6_MIN_MTU - 60 : TCP_MSS_DEFAULT;
	unsigned int hdrs = (af == AF_INET6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr)) +
			    sizeof(struct tcphdr);
	unsigned int mss;

	if (READ_ONCE(fnat_net(net)->cfg.toa))
		hdrs += af == AF_INET6 ? TOA_LEN_V6 : TOA_LEN_V4;
	mss = mtu > hdrs ? mtu - hdrs : 0;
	return max(mss, floor);
}

/* The director's TCP timestamp clock towards saddr -> daddr, as a local socket's. */
static u32 fnat_sp_ts_clock(struct net *net, u16 af, const union nf_inet_addr *saddr,
			    const union nf_inet_addr *daddr, __be16 sport, __be16 dport)
{
	union tcp_seq_and_ts_off s;

	if (af == AF_INET6)
		s = secure_tcpv6_seq_and_ts_off(net, saddr->ip6, daddr->ip6, sport, dport);
	else
		s = secure_tcp_seq_and_ts_off(net, saddr->ip, daddr->ip, sport, dport);
	return tcp_time_stamp_raw() + s.ts_off;
}

static void fnat_sp_addrs(const struct sk_buff *skb, u16 af, union nf_inet_addr *saddr,
			  union nf_inet_addr *daddr)
{
	memset(saddr, 0, sizeof(*saddr));
	memset(daddr, 0, sizeof(*daddr));
	if (af == AF_INET6) {
		saddr->in6 = ipv6_hdr(skb)->saddr;
		daddr->in6 = ipv6_hdr(skb)->daddr;
	} else {
		saddr->ip = ip_hdr(skb)->saddr;
		daddr->ip = ip_hdr(skb)->daddr;
	}
}

static unsigned int fnat_sp_payload(const struct sk_buff *skb, unsigned int thoff,
				    const struct tcphdr *th)
{
	return skb->len - thoff - th->doff * 4;
}

/* A client's SYN: the SYN-ACK with a cookie. Consumes skb. */
static unsigned int fnat_sp_syn(struct net *net, struct fnat_service *svc, struct sk_buff *skb,
				unsigned int thoff, const struct tcphdr *th, u16 af)
{
	struct fnat_tcpopts c, d = { .wscale = FNAT_WSCALE_NONE };
	union nf_inet_addr caddr, vaddr;
	u8 flags = TCPHDR_SYN | TCPHDR_ACK;
	u16 mss;
	u32 cookie;

	if (fnat_tcpopt_parse((const u8 *)(th + 1), th->doff * 4 - sizeof(*th), &c)) {
		fnat_dp_count(net, FNAT_C_BAD_PACKET_DROP);
		return NF_DROP;
	}
	/* The cookie holds the client's MSS (rounded down to the kernel's table). */
	mss = c.mss ? c.mss : af == AF_INET6 ? IPV6_MIN_MTU - 60 : TCP_MSS_DEFAULT;
	if (af == AF_INET6)
		cookie = __cookie_v6_init_sequence(ipv6_hdr(skb), th, &mss);
	else
		cookie = __cookie_v4_init_sequence(ip_hdr(skb), th, &mss);
	fnat_sp_addrs(skb, af, &caddr, &vaddr);

	d.mss = fnat_sp_mss(net, skb, af);
	/* Without timestamps there is nowhere to keep window scale, SACK or ECN: none
	 * is offered (the kernel's own cookies do the same). */
	if (c.ts_ok && READ_ONCE(net->ipv4.sysctl_tcp_timestamps)) {
		u8 ws = c.wscale != FNAT_WSCALE_NONE &&
			READ_ONCE(net->ipv4.sysctl_tcp_window_scaling) ? c.wscale : FNAT_WSCALE_NONE;
		bool sack = c.sack_ok && READ_ONCE(net->ipv4.sysctl_tcp_sack);
		bool ecn = th->ece && th->cwr && READ_ONCE(net->ipv4.sysctl_tcp_ecn);
		u32 now = fnat_sp_ts_clock(net, af, &vaddr, &caddr, th->dest, th->source);

		d.ts_ok = 1;
		d.tsval = fnat_cookie_ts_encode(now, ws, sack, ecn);
		d.tsecr = c.tsval;
		d.sack_ok = sack;
		d.wscale = ws != FNAT_WSCALE_NONE ? FNAT_SYNPROXY_WSCALE : FNAT_WSCALE_NONE;
		if (ecn)
			flags |= TCPHDR_ECE;
	}
	fnat_sp_send(net, af, fnat_tcp_build(af, &vaddr, th->dest, &caddr, th->source, cookie,
					     ntohl(th->seq) + 1, flags, 0, &d));
	fnat_sp_count(net, svc, FNAT_SP_SYN);
	consume_skb(skb);
	return NF_STOLEN;
}

static int fnat_sp_cookie_check(const struct sk_buff *skb, u16 af, const struct tcphdr *th,
				u32 cookie)
{
	if (af == AF_INET6)
		return __cookie_v6_check(ipv6_hdr(skb), th, cookie);
	return __cookie_v4_check(ip_hdr(skb), th, cookie);
}

/* An ACK without a connection: is its cookie ours? */
static unsigned int fnat_sp_ack(struct net *net, struct fnat_service *svc, struct sk_buff *skb,
				unsigned int thoff, struct tcphdr *th, u16 af,
				struct fnat_synproxy_ack *a)
{
	u32 cookie = ntohl(th->ack_seq) - 1;
	struct fnat_tcpopts o;
	int mss;

	if (fnat_tcpopt_parse((const u8 *)(th + 1), th->doff * 4 - sizeof(*th), &o)) {
		fnat_dp_count(net, FNAT_C_BAD_PACKET_DROP);
		return NF_DROP;
	}
	mss = fnat_sp_cookie_check(skb, af, th, cookie);
	if (!mss && !th->fin && !fnat_sp_payload(skb, thoff, th)) {
		/*
		 * A zero-window probe: the client's handshake ACK was lost, and the client,
		 * which our SYN-ACK offered no window, probes with the sequence number
		 * before its next (RFC 9293 3.8.6.1; Linux's tcp_xmit_probe_skb), one
		 * below the one the cookie was made for. It is checked as the ACK it
		 * stands for and becomes that ACK, which completes the real server's
		 * handshake; without this the client would probe a cookie check that
		 * never passes until it gave up.
		 */
		struct tcphdr next = *th;

		next.seq = htonl(ntohl(th->seq) + 1);
		mss = fnat_sp_cookie_check(skb, af, &next, cookie);
		if (mss)
			fnat_tcp_set_seq(skb, th, ntohl(next.seq));
	}
	if (!mss)
		goto bad;
	memset(a, 0, sizeof(*a));
	a->c_isn = ntohl(th->seq) - 1;
	a->d_isn = cookie;
	a->mss = mss;
	a->wscale = FNAT_WSCALE_NONE;
	if (o.ts_ok) {
		struct tcp_options_received tco = {
			.saw_tstamp = 1,
			.rcv_tsecr = o.tsecr,
		};

		/* false: an option the cookie holds is now turned off here */
		if (!cookie_timestamp_decode(net, &tco))
			goto bad;
		a->ts_ok = 1;
		a->c_tsval = o.tsval;
		a->d_tsval = o.tsecr;
		a->sack_ok = !!tco.sack_ok;
		if (tco.wscale_ok)
			a->wscale = min_t(u8, tco.snd_wscale, FNAT_WSCALE_MAX);
		a->ecn_ok = (o.tsecr & FNAT_COOKIE_TS_ECN) && READ_ONCE(net->ipv4.sysctl_tcp_ecn);
	}
	/* The window the real server's SYN is to carry (a SYN's is never scaled). */
	a->window = fnat_window_rescale(ntohs(th->window),
					a->wscale == FNAT_WSCALE_NONE ? 0 : a->wscale, 0);
	fnat_sp_count(net, svc, FNAT_SP_ACK_OK);
	return NF_ACCEPT;

bad:
	fnat_sp_count(net, svc, FNAT_SP_ACK_BAD);
	return NF_DROP;
}

unsigned int fnat_synproxy_syn_or_ack(struct net *net, struct fnat_service *svc,
				      struct sk_buff *skb, unsigned int thoff,
				      struct fnat_synproxy_ack *ack)
{
	u16 af = skb->protocol == htons(ETH_P_IPV6) ? AF_INET6 : AF_INET;
	struct tcphdr *th = fnat_tcp_header(skb, thoff);

	if (!th) {
		fnat_dp_count(net, FNAT_C_BAD_PACKET_DROP);
		return NF_DROP;
	}
	if (th->syn && !th->ack && !th->rst)
		return fnat_sp_syn(net, svc, skb, thoff, th, af);
	if (th->syn || th->rst || !th->ack) {
		fnat_dp_count(net, FNAT_C_NO_CONN_DROP);
		return NF_DROP;
	}
	return fnat_sp_ack(net, svc, skb, thoff, th, af, ack);
}

void fnat_synproxy_refuse(struct net *net, struct sk_buff *skb, unsigned int thoff)
{
	u16 af = skb->protocol == htons(ETH_P_IPV6) ? AF_INET6 : AF_INET;
	const struct tcphdr *th = (const struct tcphdr *)(skb->data + thoff);
	union nf_inet_addr caddr, vaddr;

	fnat_sp_addrs(skb, af, &caddr, &vaddr);
	fnat_sp_send(net, af, fnat_tcp_build(af, &vaddr, th->dest, &caddr, th->source,
					     ntohl(th->ack_seq), ntohl(th->seq),
					     TCPHDR_RST | TCPHDR_ACK, 0, NULL));
}

/* Queue a client segment until the real server answers. cp->lock held. */
static void fnat_sp_hold_locked(struct fnat_sp_state *st, struct sk_buff *skb,
				unsigned int thoff, unsigned int payload)
{
	skb->dev = NULL;
	FNAT_SP_THOFF(skb) = thoff;
	skb->next = NULL;
	if (st->held_tail)
		st->held_tail->next = skb;
	else
		st->held = skb;
	st->held_tail = skb;
	st->held_segs++;
	st->held_bytes += payload;
}

unsigned int fnat_synproxy_start(struct net *net, struct sk_buff *skb, struct fnat_conn *cp,
				 unsigned int thoff, const struct fnat_synproxy_ack *a)
{
	const struct tcphdr *th = (const struct tcphdr *)(skb->data + thoff);
	struct fnat_tcpopts o = {
		.mss = a->mss,
		.wscale = a->wscale,
		.sack_ok = a->sack_ok,
	};
	struct sk_buff *syn, *copy;
	struct fnat_sp_state *st;
	u32 delta = fnat_tcp_seq_delta(cp, a->c_isn);
	u8 flags = TCPHDR_SYN;

	WRITE_ONCE(cp->seq_delta, delta);
	if (a->ts_ok) {
		/* The real server reads the director's clock for this LIP and server,
		 * moving on at the client's pace. */
		u32 rs_now = tcp_time_stamp_raw() + fnat_tcp_ts_off(cp);

		WRITE_ONCE(cp->ts_in_delta, rs_now - a->c_tsval);
		o.ts_ok = 1;
		o.tsval = rs_now;
	}
	if (a->ecn_ok)
		flags |= TCPHDR_ECE | TCPHDR_CWR;
	syn = fnat_tcp_build(cp->af, &cp->laddr, cp->lport, &cp->daddr, cp->dport,
			     a->c_isn + delta, 0, flags, a->window, &o);
	copy = syn ? skb_copy(syn, GFP_ATOMIC | __GFP_NOWARN) : NULL;
	if (!copy) {
		kfree_skb(syn);
		fnat_dp_count(net, FNAT_C_NOMEM_DROP);
		fnat_conn_expire_now(cp);
		fnat_synproxy_refuse(net, skb, thoff);
		return NF_DROP;
	}
	st = FNAT_SP(syn);
	memset(st, 0, sizeof(*st));
	st->start = jiffies;
	st->d_isn = a->d_isn;
	st->d_tsval = a->d_tsval;
	st->ts_ok = a->ts_ok;

	spin_lock(&cp->lock);
	cp->sp_skb = syn;
	/* The ACK itself goes on first, once the real server answers: it completes
	 * that handshake and carries the TOA. */
	fnat_sp_hold_locked(st, skb, thoff, fnat_sp_payload(skb, thoff, th));
	spin_unlock(&cp->lock);
	fnat_xmit(net, copy, cp->af);
	return NF_STOLEN;
}

/*
 * A real server refused the proxy's SYN (RST) on a service with the passive check:
 * once per connection, move it to another real server that may take connections and
 * ask that one instead (the kept SYN rewritten: the same LIP:lport, sequence numbers
 * and options), so the client sees only the delay. Under cp->lock, in
 * FNAT_S_SYNPROXY; true when the SYN is ready to go again. The choice skips the
 * scheduler (a refusal is rare, and the scheduler's state is for new clients):
 * the first available real server after the refusing one, in list order.
 */
static bool fnat_sp_retry_locked(struct fnat_conn *cp, struct sk_buff *syn)
{
	struct fnat_dest *od = cp->dest, *nd = NULL, *d;
	struct fnat_service *svc = od->svc;
	struct net *net = fnat_conn_net(cp);
	bool after = false;
	int pass;

	if (!(READ_ONCE(svc->svc_flags) & IPVS_FNAT_SVC_F_DEST_CHECK) ||
	    test_bit(FNAT_CONN_F_SP_RETRIED, &cp->flags) ||
	    test_bit(FNAT_F_UNLINKED, &svc->flags))
		return false;
	for (pass = 0; pass < 2 && !nd; pass++) {
		list_for_each_entry_rcu(d, &svc->dests, list) {
			if (d == od) {
				after = true;
				continue;
			}
			if (pass == 0 && !after)
				continue;
			if (!test_bit(FNAT_F_UNLINKED, &d->flags) && fnat_sched_dest_available(d) &&
			    fnat_dest_hold_rcu(d)) {
				nd = d;
				break;
			}
		}
	}
	if (!nd)
		return false;
	if (!fnat_conn_move_dest(cp, nd)) {
		fnat_dest_put(nd);
		return false;
	}
	fnat_tcp_rewrite(syn, skb_transport_offset(syn), cp->af, &cp->laddr, cp->lport,
			 &cp->daddr, cp->dport);
	FNAT_SP(syn)->retries = 0;
	/* The new real server's answer is the check's to learn. */
	clear_bit(FNAT_CONN_F_DC_DONE, &cp->flags);
	if (unlikely(test_bit(FNAT_DEST_F_CHECK, &nd->flags)))
		fnat_dc_conn_new(cp);
	fnat_dp_count(net, FNAT_C_SYNPROXY_RS_RETRY);
	return true;
}

/* The RST a client gets when its real server cannot be had: at the sequence number
 * it expects from us. */
static void fnat_sp_reset_client(struct fnat_conn *cp, u32 d_isn)
{
	struct net *net = fnat_conn_net(cp);

	fnat_sp_send(net, cp->af, fnat_tcp_build(cp->af, &cp->vaddr, cp->vport, &cp->caddr,
						 cp->cport, d_isn + 1, READ_ONCE(cp->c_nxt),
						 TCPHDR_RST | TCPHDR_ACK, 0, NULL));
}

/* Leave the proxy phase for good (cp->lock held): the kept SYN and the held queue are
 * the caller's to free. */
static struct sk_buff *fnat_sp_take_locked(struct fnat_conn *cp, enum fnat_conn_state state)
{
	struct sk_buff *syn = cp->sp_skb;

	cp->sp_skb = NULL;
	fnat_conn_set_state_locked(cp, state);
	return syn;
}

enum fnat_verdict fnat_synproxy_in(struct sk_buff *skb, struct fnat_conn *cp, unsigned int thoff)
{
	struct net *net = fnat_conn_net(cp);
	struct tcphdr *th = fnat_tcp_header(skb, thoff);
	struct fnat_sp_state *st;
	struct sk_buff *syn;
	unsigned int payload;

	if (!th) {
		fnat_dp_count(net, FNAT_C_BAD_PACKET_DROP);
		return FNAT_DROP;
	}
	payload = fnat_sp_payload(skb, thoff, th);
	spin_lock(&cp->lock);
	if (cp->state != FNAT_S_SYNPROXY) {
		/* The real server answered meanwhile, on another CPU. */
		spin_unlock(&cp->lock);
		return tcp_fnat_in_handler(skb, cp, thoff, false);
	}
	syn = cp->sp_skb;
	if (!syn) {
		/* Being set up on another CPU (fnat_synproxy_start()), a moment. */
		spin_unlock(&cp->lock);
		fnat_sp_count(net, cp->dest->svc, FNAT_SP_DATA_DROPPED);
		return FNAT_DROP;
	}
	st = FNAT_SP(syn);
	if (th->rst) {
		/* The client gives up: so does the real server's half-open connection. */
		u32 seq = READ_ONCE(cp->c_nxt) + cp->seq_delta;

		syn = fnat_sp_take_locked(cp, FNAT_S_CLOSE);
		spin_unlock(&cp->lock);
		fnat_sp_state_free(syn);
		fnat_sp_send(net, cp->af, fnat_tcp_build(cp->af, &cp->laddr, cp->lport,
							 &cp->daddr, cp->dport, seq, 0,
							 TCPHDR_RST, 0, NULL));
		consume_skb(skb);
		return FNAT_STOLEN;
	}
	if (th->syn) {
		spin_unlock(&cp->lock);
		fnat_sp_count(net, cp->dest->svc, FNAT_SP_DATA_DROPPED);
		return FNAT_DROP;
	}
	if (!payload && !th->fin) {
		/* A duplicate ACK or a window probe: the held ACK already speaks for it. */
		spin_unlock(&cp->lock);
		consume_skb(skb);
		return FNAT_STOLEN;
	}
	if (st->held_segs >= FNAT_SP_HOLD_SEGS ||
	    st->held_bytes + payload > FNAT_SP_HOLD_BYTES) {
		spin_unlock(&cp->lock);
		fnat_sp_count(net, cp->dest->svc, FNAT_SP_DATA_DROPPED);
		return FNAT_DROP;
	}
	fnat_sp_hold_locked(st, skb, thoff, payload);
	spin_unlock(&cp->lock);
	return FNAT_STOLEN;
}

/*
 * The real server's SYN-ACK, made into the ACK that opens the client's window: SYN
 * (and ECE, which on a non-SYN segment would signal congestion) cleared, the numbers
 * and timestamps in the client's terms, the SYN-only options gone, the window (a
 * SYN's, unscaled) in the scale the client was given.
 */
static enum fnat_verdict fnat_sp_synack_to_client(struct sk_buff *skb, struct fnat_conn *cp,
						  struct tcphdr *th, unsigned int thoff)
{
	unsigned int optlen = th->doff * 4 - sizeof(*th);
	u8 *opt = (u8 *)(th + 1), old[FNAT_TCPOPT_SPACE_MAX];
	bool scaled = (cp->wscale & 0xf) != FNAT_WSCALE_NONE;
	__be16 old_word = ((__be16 *)th)[6], w;

	th->syn = 0;
	th->ece = 0;
	inet_proto_csum_replace2(&th->check, skb, old_word, ((__be16 *)th)[6], false);
	fnat_tcp_set_seq(skb, th, ntohl(th->seq) + 1 + cp->rs_seq_delta);
	fnat_tcp_set_ack(skb, th, ntohl(th->ack_seq) - cp->seq_delta);
	if (optlen) {
		memcpy(old, opt, optlen);
		fnat_tcpopt_strip_syn_only(opt, optlen);
		fnat_tcpopt_shift_ts(opt, optlen, cp->ts_out_delta, cp->ts_in_delta);
		fnat_tcp_csum_opts(skb, th, old, opt, optlen);
	}
	w = htons(fnat_window_rescale(ntohs(th->window), 0, scaled ? FNAT_SYNPROXY_WSCALE : 0));
	inet_proto_csum_replace2(&th->check, skb, th->window, w, false);
	th->window = w;
	fnat_tcp_rewrite(skb, thoff, cp->af, &cp->vaddr, cp->vport, &cp->caddr, cp->cport);
	return FNAT_XMIT;
}

enum fnat_verdict fnat_synproxy_out(struct sk_buff *skb, struct fnat_conn *cp, unsigned int thoff)
{
	struct net *net = fnat_conn_net(cp);
	struct tcphdr *th = fnat_tcp_header(skb, thoff);
	struct fnat_tcpopts o;
	struct fnat_sp_state *st;
	struct sk_buff *syn, *h, *held;
	u32 rs_isn, d_isn;
	u8 c_ws, r_ws;

	if (!th) {
		fnat_dp_count(net, FNAT_C_BAD_PACKET_DROP);
		return FNAT_DROP;
	}
	spin_lock(&cp->lock);
	if (cp->state != FNAT_S_SYNPROXY) {
		spin_unlock(&cp->lock);
		return tcp_fnat_out_handler(skb, cp, thoff);
	}
	syn = cp->sp_skb;
	/* Only an answer to our SYN counts. */
	if (!syn || !th->ack || ntohl(th->ack_seq) != READ_ONCE(cp->c_nxt) + cp->seq_delta ||
	    (!th->syn && !th->rst)) {
		spin_unlock(&cp->lock);
		fnat_dp_count(net, FNAT_C_NO_CONN_DROP);
		return FNAT_DROP;
	}
	st = FNAT_SP(syn);
	d_isn = st->d_isn;
	if (th->rst) {
		fnat_dc_result(cp, false);
		if (fnat_sp_retry_locked(cp, syn)) {
			struct sk_buff *copy = skb_copy(syn, GFP_ATOMIC | __GFP_NOWARN);

			spin_unlock(&cp->lock);
			if (copy)
				fnat_xmit(net, copy, cp->af);
			else	/* the timer retransmits */
				fnat_dp_count(net, FNAT_C_NOMEM_DROP);
			consume_skb(skb);
			return FNAT_STOLEN;
		}
		syn = fnat_sp_take_locked(cp, FNAT_S_CLOSE);
		spin_unlock(&cp->lock);
		fnat_sp_state_free(syn);
		fnat_sp_reset_client(cp, d_isn);
		fnat_sp_count(net, cp->dest->svc, FNAT_SP_RS_FAIL);
		consume_skb(skb);
		return FNAT_STOLEN;
	}
	if (fnat_tcpopt_parse((const u8 *)(th + 1), th->doff * 4 - sizeof(*th), &o)) {
		spin_unlock(&cp->lock);
		fnat_dp_count(net, FNAT_C_BAD_PACKET_DROP);
		return FNAT_DROP;
	}
	fnat_dc_result(cp, true);
	rs_isn = ntohl(th->seq);
	c_ws = cp->wscale & 0xf;
	/* Scaling is on towards the real server only if both SYNs carried the option. */
	r_ws = c_ws != FNAT_WSCALE_NONE ? o.wscale : FNAT_WSCALE_NONE;
	WRITE_ONCE(cp->rs_isn, rs_isn);
	WRITE_ONCE(cp->rs_seq_delta, d_isn - rs_isn);
	/* The client's view of the real server's clock starts at our SYN-ACK's TSval. */
	WRITE_ONCE(cp->ts_out_delta, st->ts_ok && o.ts_ok ? st->d_tsval - o.tsval : 0);
	WRITE_ONCE(cp->wscale, r_ws << 4 | c_ws);
	WRITE_ONCE(cp->r_nxt, rs_isn + 1);
	set_bit(FNAT_CONN_F_RS_ISN, &cp->flags);
	held = st->held;
	st->held = NULL;
	st->held_tail = NULL;
	syn = fnat_sp_take_locked(cp, FNAT_S_ESTABLISHED);
	spin_unlock(&cp->lock);
	fnat_sp_state_free(syn);
	fnat_conn_touch(cp);

	/* The held ACK (completing the real server's handshake, with the TOA) and data,
	 * in order, before the client hears anything. */
	for (h = held; h; h = held) {
		held = h->next;
		h->next = NULL;
		if (fnat_conn_forward(net, h, cp, FNAT_SP_THOFF(h), true) == NF_DROP)
			kfree_skb(h);
	}
	return fnat_sp_synack_to_client(skb, cp, th, thoff);
}

bool fnat_synproxy_timer(struct fnat_conn *cp)
{
	struct net *net = fnat_conn_net(cp);
	unsigned long now = jiffies, deadline, next;
	struct sk_buff *syn, *copy = NULL;
	struct fnat_sp_state *st;
	u32 d_isn;

	spin_lock(&cp->lock);
	syn = cp->sp_skb;
	if (cp->state != FNAT_S_SYNPROXY || !syn) {
		spin_unlock(&cp->lock);
		return false;
	}
	st = FNAT_SP(syn);
	deadline = st->start + (unsigned long)READ_ONCE(fnat_net(net)->cfg.timeout_syn) * HZ;
	if (time_before(now, deadline)) {
		st->retries++;
		next = min_t(unsigned long, HZ << min_t(u8, st->retries, FNAT_SP_BACKOFF_MAX),
			     deadline - now);
		WRITE_ONCE(cp->expires, now + next);
		copy = skb_copy(syn, GFP_ATOMIC | __GFP_NOWARN);
		spin_unlock(&cp->lock);
		if (copy)
			fnat_xmit(net, copy, cp->af);
		else
			fnat_dp_count(net, FNAT_C_NOMEM_DROP);
		mod_timer(&cp->timer, now + next);
		return true;
	}
	d_isn = st->d_isn;
	syn = fnat_sp_take_locked(cp, FNAT_S_CLOSE);
	spin_unlock(&cp->lock);
	fnat_sp_state_free(syn);
	fnat_dc_result(cp, false);
	fnat_sp_reset_client(cp, d_isn);
	fnat_sp_count(net, cp->dest->svc, FNAT_SP_RS_FAIL);
	return false;
}
