// SPDX-License-Identifier: GPL-2.0
/*
 * RST on expiry. An ESTABLISHED TCP connection that its timer finds idle past its
 * timeout is reset at both ends just before it leaves the table (sysctl expire_rst,
 * default 1). Without it the client and the real server would each keep a
 * connection the director has forgotten: their next segment is dropped as
 * no_conn_drop and the sockets linger until their own timeouts.
 *
 *   to the client:      VIP:vport -> C:cport,   seq = r_nxt + rs_seq_delta, ack = c_nxt
 *   to the real server: LIP:lport -> RIP:rport, seq = c_nxt + seq_delta, ack = r_nxt
 *
 * c_nxt and r_nxt are the next sequence numbers the client and the real server are
 * expected to send, as proto_tcp.c last saw them, each in its sender's space. The
 * client sees the real server's numbers unchanged; the real server sees the
 * client's moved by seq_delta. A receiver takes an RST only if its sequence number
 * is exactly the one it expects next (RFC 5961; anything else in the window earns a
 * challenge ACK), which is what these are once the connection has been idle.
 *
 * The segments are built by fnat_tcp_build() (no options, no payload), leave
 * through fnat_xmit() like translated packets (routed from the VIP or LIP, marked
 * untracked) and are counted in expire_rst, or expire_rst_fail when one could not be
 * sent (no memory: GFP_ATOMIC in the timer's softirq; no route).
 *
 * Connections removed by a flush (service, destination or local address deleted,
 * namespace exit, unload) are not reset: docs/sysctl.md says why.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/netdevice.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/tcp.h>
#include <net/ip6_checksum.h>
#include "dp.h"

/* The budget: one connection in at most 256 bytes of its cache (with
 * SLAB_HWCACHE_ALIGN, a multiple of 64). Lock debugging makes spinlock_t and the
 * timer bigger; only the production layout is held to it. */
#if !defined(CONFIG_DEBUG_SPINLOCK) && !defined(CONFIG_DEBUG_LOCK_ALLOC) && \
	!defined(CONFIG_DEBUG_OBJECTS_TIMERS)
static_assert(sizeof(struct fnat_conn) <= 256, "struct fnat_conn outgrew 256 bytes");
#endif

static void fnat_rst_send(struct net *net, u16 af, const union nf_inet_addr *saddr,
			  __be16 sport, const union nf_inet_addr *daddr, __be16 dport,
			  u32 seq, u32 ack)
{
	struct sk_buff *skb = fnat_tcp_build(af, saddr, sport, daddr, dport, seq, ack,
					     TCPHDR_RST | TCPHDR_ACK, 0, NULL);

	/* fnat_xmit() consumes the skb, and counts a missing route as well. */
	if (skb && !fnat_xmit(net, skb, af))
		fnat_dp_count(net, FNAT_C_EXPIRE_RST);
	else
		fnat_dp_count(net, FNAT_C_EXPIRE_RST_FAIL);
}

void fnat_rst_expire(struct fnat_conn *cp)
{
	struct net *net = fnat_conn_net(cp);
	u32 c_nxt, r_nxt;

	if (cp->protocol != IPPROTO_TCP || READ_ONCE(cp->state) != FNAT_S_ESTABLISHED ||
	    !READ_ONCE(fnat_net(net)->cfg.expire_rst))
		return;
	/* A namespace on its way out has lost its devices and routes. */
	if (!check_net(net))
		return;
	c_nxt = READ_ONCE(cp->c_nxt);
	r_nxt = READ_ONCE(cp->r_nxt);

	rcu_read_lock();
	/* (a SYN-proxied connection's client sees the real server's numbers moved) */
	fnat_rst_send(net, cp->af, &cp->vaddr, cp->vport, &cp->caddr, cp->cport,
		      r_nxt + READ_ONCE(cp->rs_seq_delta), c_nxt);
	fnat_rst_send(net, cp->af, &cp->laddr, cp->lport, &cp->daddr, cp->dport,
		      c_nxt + READ_ONCE(cp->seq_delta), r_nxt);
	rcu_read_unlock();
}
