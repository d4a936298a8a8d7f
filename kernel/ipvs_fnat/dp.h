/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The FULLNAT datapath: connections, the netfilter hooks, translation and transmit.
 *
 * A connection joins a client (caddr:cport) talking to a virtual service
 * (vaddr:vport) with the director's local address (laddr:lport) talking to a real
 * server (daddr:dport). It is in the connection table twice: by its client-side
 * tuple, for packets client -> VIP, and by its real-server-side tuple, for replies
 * RS -> LIP. Both entries hash the tuple as the packet carries it (source, then
 * destination) and sit in one table, each marked with its direction, so that a
 * packet is found, either way, by one hash and one walk of one bucket.
 * The direction of an entry is where it sits in the connection (hn[0] or hn[1]),
 * read off its address: connections are 64-byte aligned (fnat_hnode_dir()).
 *
 * Lifetime and locking
 *   - The table holds one reference on each connection. Lookups run under RCU (the
 *     hooks are called in an RCU read-side section) and take none: a connection is
 *     freed an RCU grace period after its last reference goes, and the references
 *     it holds on its destination and local address are dropped in that same RCU
 *     callback. Teardown (flush) takes a reference while it kills a connection.
 *   - Inserts and removals take the spinlocks of both buckets (ordered, see conn.c).
 *     A new connection is inserted only if neither tuple is already taken, in one
 *     step, so two CPUs can never create the same tuple.
 *   - Each packet stores its time in ->expires (WRITE_ONCE); the connection's timer,
 *     when it fires before that time, re-arms itself. A connection is removed
 *     exactly once: by whoever sets FNAT_CONN_F_UNHASHED under the bucket locks.
 *   - State changes (TCP flags from both directions) take ->lock.
 */
#ifndef IPVS_FNAT_DP_H
#define IPVS_FNAT_DP_H

#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>
#include <linux/netfilter.h>
#include "fnat.h"

enum fnat_conn_state {
	FNAT_S_NONE,
	FNAT_S_SYN_RECV,	/* client SYN forwarded, handshake not complete */
	FNAT_S_ESTABLISHED,
	FNAT_S_FIN_WAIT,	/* one side sent FIN */
	FNAT_S_TIME_WAIT,	/* both sides sent FIN */
	FNAT_S_CLOSE,		/* RST seen */
	FNAT_S_UDP,
	FNAT_S_SYNPROXY,	/* SYN proxy: the client's handshake done by the director
				 * (SYN cookie), the SYN to the real server sent, its SYN-ACK
				 * awaited; the client's segments held (synproxy.c) */
	FNAT_S_MAX,
};

/* Bits of fnat_conn.flags. */
#define FNAT_CONN_F_UNHASHED	0	/* left the table; being freed */
#define FNAT_CONN_F_DYING	1	/* teardown: the timer must not re-arm */
#define FNAT_CONN_F_TOA_DONE	2	/* the real server has sent data: no more TOA */
#define FNAT_CONN_F_RS_ISN	3	/* rs_isn is known (SYN-ACK seen) */
#define FNAT_CONN_F_ACTIVE	4	/* counted in dest->activeconns (else inactconns) */
#define FNAT_CONN_F_CFIN	5	/* the client sent FIN */
#define FNAT_CONN_F_RFIN	6	/* the real server sent FIN */
#define FNAT_CONN_F_SYNPROXY	7	/* opened by the SYN proxy: acks, SACK, timestamps and
					 * windows are translated too (synproxy.c) */
#define FNAT_CONN_F_DC_DONE	8	/* the passive check has its answer (dest_check.c) */
#define FNAT_CONN_F_SP_RETRIED	9	/* SYN proxy: already moved to another real server */
#define FNAT_CONN_F_SYNCED	10	/* sync: the master has sent it (sync_master.c) */
#define FNAT_CONN_F_SYNC_QUEUED	11	/* sync: in the master's queue */
#define FNAT_CONN_F_SYNC_PEER	12	/* sync: installed from another director's master
					 * and not forwarded here since */

/* The directions of a connection: its packets from the client (to the VIP, sent on
 * to the real server) and from the real server (to the LIP, sent on to the client). */
enum fnat_dir {
	FNAT_DIR_IN,
	FNAT_DIR_OUT,
	FNAT_DIR_MAX,
};

/* A connection's entry in the table under one of its tuples. */
struct fnat_conn_hnode {
	struct hlist_node node;
};

struct fnat_conn {
	/* First, at offsets 0 and 16 of a 64-byte aligned object: by the client-side
	 * tuple (hn[FNAT_DIR_IN]) and by the real-server-side one (conn.c). */
	struct fnat_conn_hnode hn[FNAT_DIR_MAX];
	possible_net_t net;
	u16 af;
	u8 protocol;
	u8 state;			/* enum fnat_conn_state, under ->lock */
	__be16 cport, vport, lport, dport;
	union nf_inet_addr caddr, vaddr, laddr, daddr;
	/* SYN proxy: the client's view of the real server's sequence numbers minus the
	 * real server's (the cookie against its ISN); 0 for other connections.
	 * Written once, under ->lock, before the state leaves FNAT_S_SYNPROXY. */
	u32 rs_seq_delta;
	unsigned long flags;		/* FNAT_CONN_F_* bits */
	u32 seq_delta;			/* RS's view of client sequence numbers - client's */
	u32 rs_isn;			/* the real server's initial sequence number */
	/* The next sequence number each side is expected to send (client: in the
	 * client's space; RS: in the RS's, which the client sees unchanged), for the
	 * RSTs of an expiring connection (rst.c). WRITE_ONCE from the packet path. */
	u32 c_nxt;
	u32 r_nxt;
	u32 timeout;			/* jiffies of inactivity before expiry, per state */
	refcount_t refcnt;		/* the table's, and a flusher's */
	unsigned long expires;		/* jiffies; WRITE_ONCE from the packet path */
	struct fnat_dest *dest;		/* a reference */
	struct fnat_laddr *lip;		/* a reference; cp->laddr is its address */
	struct timer_list timer;
	spinlock_t lock;
	/* SYN proxy (FNAT_CONN_F_SYNPROXY), set with rs_seq_delta: what the real server's
	 * clock reads minus the client's (TSval client -> RS; TSecr back), and the other
	 * way round; the window scales (low nibble the client's, high the real server's,
	 * FNAT_WSCALE_NONE when that side does not scale). */
	u32 ts_in_delta;
	struct rcu_head rcu;
	u32 ts_out_delta;
	u8 wscale;
	/* Sync (sync.h), in what was padding: client packets counted up to the
	 * master's threshold (benign races: READ/WRITE_ONCE), and when the backups'
	 * copy expires, in seconds modulo 2^16 (fnat_sync_secs(); the master's
	 * worker, under its mutex; what it sends is capped so that this never wraps). */
	u8 sync_pkts;
	u16 sync_until;
	/* SYN proxy, FNAT_S_SYNPROXY only: the SYN sent to the real server, kept for its
	 * retransmission, whose control block holds the client's held segments and the
	 * handshake's state (synproxy.c); NULL otherwise. Under ->lock. */
	struct sk_buff *sp_skb;
};

static inline struct net *fnat_conn_net(const struct fnat_conn *cp)
{
	return read_pnet(&cp->net);
}

/* A lookup key: the addresses and ports of a packet as it arrives. */
struct fnat_tuple {
	union nf_inet_addr saddr, daddr;
	__be16 sport, dport;
	u16 af;
	u8 protocol;
};

/* --- per-namespace datapath counters (dpstats.c) ---------------------------------- */

enum fnat_dp_counter {
	FNAT_C_CONN_NEW,	/* connections created */
	FNAT_C_CONN_EXPIRED,	/* connections removed (timeout, teardown) */
	FNAT_C_TOA_ADDED,	/* segments that got a TOA */
	FNAT_C_TOA_NO_ROOM,	/* segments that should have had one but had no room */
	FNAT_C_NO_PORT,		/* new connections refused: every local port taken */
	FNAT_C_CONN_LIMIT,	/* new connections refused: conn_max reached */
	FNAT_C_NO_SERVICE_DROP,	/* new connections refused: no destination available */
	FNAT_C_NO_LADDR_DROP,	/* new connections refused: the service has no local address */
	FNAT_C_NO_CONN_DROP,	/* non-SYN TCP to a service without a connection */
	FNAT_C_NOMEM_DROP,	/* packets dropped for lack of memory */
	FNAT_C_BAD_PACKET_DROP,	/* malformed headers or options */
	FNAT_C_NO_ROUTE_DROP,	/* no route for the translated packet */
	FNAT_C_ICMP_TRANSLATED,	/* ICMP errors translated */
	FNAT_C_IN_PKTS,		/* packets client -> real server */
	FNAT_C_OUT_PKTS,	/* packets real server -> client */
	FNAT_C_EXPIRE_RST,	/* RSTs sent for expired ESTABLISHED connections */
	FNAT_C_EXPIRE_RST_FAIL,	/* such RSTs not sent: no memory or no route */
	FNAT_C_CONN_LIMIT_GLOBAL, /* new connections refused: conn_max_global (all netns) */
	FNAT_C_CONN_RACE,	/* a new connection was made meanwhile on another CPU: used */
	FNAT_C_SYNPROXY_SYN,	/* SYN proxy: SYN-ACKs with a cookie sent */
	FNAT_C_SYNPROXY_ACK_OK,	/* ACKs whose cookie checked: real-server connections opened */
	FNAT_C_SYNPROXY_ACK_BAD, /* ACKs without a connection whose cookie did not check */
	FNAT_C_SYNPROXY_RS_FAIL, /* the real server refused (RST) or never answered */
	FNAT_C_SYNPROXY_DATA_DROPPED, /* client segments not held while the RS was asked */
	FNAT_C_DEST_CHECK_FAIL,	/* passive check: handshakes a real server failed */
	FNAT_C_DEST_CHECK_INHIBIT, /* real servers inhibited (first time or after a trial) */
	FNAT_C_DEST_CHECK_TRIAL, /* trial connections sent to inhibited real servers */
	FNAT_C_DEST_CHECK_RESTORE, /* inhibited real servers restored by a handshake */
	FNAT_C_SYNPROXY_RS_RETRY, /* SYN proxy: refused connections retried on another RS */
	/* Connection sync (sync_*.c), in the order of enum ipvs_fnat_sync_stats_attr. */
	FNAT_C_SYNC_TX_MSGS,
	FNAT_C_SYNC_TX_CONNS,
	FNAT_C_SYNC_RX_MSGS,
	FNAT_C_SYNC_RX_CONNS,
	FNAT_C_SYNC_RESENT,
	FNAT_C_SYNC_RESYNC,
	FNAT_C_SYNC_RESYNC_REQ,
	FNAT_C_SYNC_QUEUE_DROPS,
	FNAT_C_SYNC_AUTH_FAIL,
	FNAT_C_SYNC_REPLAY,
	FNAT_C_SYNC_VERSION_ERR,
	FNAT_C_SYNC_MALFORMED,
	FNAT_C_SYNC_NACK_TX,
	FNAT_C_SYNC_NACK_RX,
	FNAT_C_SYNC_GAP_LOST,
	FNAT_C_SYNC_NO_SERVICE,
	FNAT_C_SYNC_NO_DEST,
	FNAT_C_SYNC_NO_LADDR,
	FNAT_C_SYNC_CONN_LIMIT,
	FNAT_C_SYNC_CONFLICT,
	FNAT_C_SYNC_DELETED,
	FNAT_C_SYNC_MOVED,	/* (after the attributes' PAD) */
	FNAT_C_SYNC_RESYNC_DONE,
	FNAT_C_ROUTE_LOOKUP,	/* routes looked up for a connection's packets: the first
				 * of a pair each way, after a change made the kept one
				 * stale, and when no slot was free to keep it */
	FNAT_C_MAX,
};

extern const char *const fnat_dp_counter_names[FNAT_C_MAX];

static_assert(FNAT_C_SYNC_DELETED - FNAT_C_SYNC_TX_MSGS ==
	      IPVS_FNAT_SYNC_STATS_ATTR_DELETED - IPVS_FNAT_SYNC_STATS_ATTR_TX_MSGS);

struct fnat_dp_cpu_stats {
	u64 c[FNAT_C_MAX];
};

/* Per-namespace datapath state (net_generic, its own pernet ops). */
struct fnat_dp_net {
	struct fnat_dp_cpu_stats __percpu *stats;
	bool hooks_registered;
	struct ctl_table_header *sysctl_hdr;	/* net.ipvs_fnat.* (sysctl.c) */
};

extern unsigned int fnat_dp_net_id;

static inline struct fnat_dp_net *fnat_dp_net(const struct net *net)
{
	return net_generic(net, fnat_dp_net_id);
}

/* Softirq (or BH-disabled) context: this CPU's counters. */
static inline void fnat_dp_count(struct net *net, enum fnat_dp_counter c)
{
	this_cpu_inc(fnat_dp_net(net)->stats->c[c]);
}

/* A SYN proxy event: the namespace's synproxy_* counter and the service's own. */
static_assert(FNAT_C_SYNPROXY_ACK_OK - FNAT_C_SYNPROXY_SYN == FNAT_SP_ACK_OK &&
	      FNAT_C_SYNPROXY_ACK_BAD - FNAT_C_SYNPROXY_SYN == FNAT_SP_ACK_BAD &&
	      FNAT_C_SYNPROXY_RS_FAIL - FNAT_C_SYNPROXY_SYN == FNAT_SP_RS_FAIL &&
	      FNAT_C_SYNPROXY_DATA_DROPPED - FNAT_C_SYNPROXY_SYN == FNAT_SP_DATA_DROPPED);

static inline void fnat_sp_count(struct net *net, struct fnat_service *svc,
				 enum fnat_sp_counter i)
{
	fnat_dp_count(net, FNAT_C_SYNPROXY_SYN + i);
	if (svc->sp_stats.cpu)
		fnat_sp_stats_inc(&svc->sp_stats, i);
}

u64 fnat_dp_counter_read(struct net *net, enum fnat_dp_counter c);
int fnat_dp_proc_net_init(struct net *net);
void fnat_dp_proc_net_exit(struct net *net);

/* --- connections (conn.c) ---------------------------------------------------------- */

int fnat_conn_init(void);
void fnat_conn_exit(void);
/* The connection a packet with tuple t belongs to, either way (*dir: the direction
 * it travels), or NULL. Under RCU. */
struct fnat_conn *fnat_conn_lookup(struct net *net, const struct fnat_tuple *t,
				   enum fnat_dir *dir);
/* The connection whose tuple in direction dir is t. */
struct fnat_conn *fnat_conn_lookup_dir(struct net *net, const struct fnat_tuple *t,
				       enum fnat_dir dir);
static inline struct fnat_conn *fnat_conn_lookup_in(struct net *net, const struct fnat_tuple *t)
{
	return fnat_conn_lookup_dir(net, t, FNAT_DIR_IN);
}

static inline struct fnat_conn *fnat_conn_lookup_out(struct net *net, const struct fnat_tuple *t)
{
	return fnat_conn_lookup_dir(net, t, FNAT_DIR_OUT);
}
struct fnat_synproxy_ack;
struct fnat_conn *fnat_conn_new(struct net *net, struct fnat_service *svc,
				struct fnat_dest *dest, const struct fnat_tuple *t,
				const struct fnat_synproxy_ack *sp, int *drop_reason);
void fnat_conn_expire_now(struct fnat_conn *cp);
void fnat_conn_set_state_locked(struct fnat_conn *cp, enum fnat_conn_state state);
const char *fnat_conn_state_name(unsigned int state);
void fnat_conn_flush_net(struct net *net);

/*
 * Expire the connections of a destination, local address or service that has just
 * been unlinked (its UNLINKED bit set): after a grace period no packet can create
 * one any more, then the table is swept. Process context, control mutex held. The
 * objects are only compared by pointer: the caller may have dropped its reference.
 */
void fnat_conn_flush_dest(struct net *net, const struct fnat_dest *dest);
void fnat_conn_flush_laddr(struct net *net, const struct fnat_laddr *la);
void fnat_conn_flush_svc(struct net *net, const struct fnat_service *svc);
/* Every connection of net, after a grace period (all its services were unlinked). */
void fnat_conn_flush_unlinked_net(struct net *net);

/* Note activity: the connection lives on for its state's timeout. */
static inline void fnat_conn_touch(struct fnat_conn *cp)
{
	unsigned long e = jiffies + READ_ONCE(cp->timeout);

	if (READ_ONCE(cp->expires) != e)
		WRITE_ONCE(cp->expires, e);
}

/*
 * Iteration for /proc and netlink dumps, resumable across calls: the next
 * connection of net at or after position (*bucket, *idx) (the idx-th of net's
 * connections in that bucket), moving the position just past it; NULL at the end.
 * Under rcu_read_lock(); a connection added or removed between calls may be missed
 * or shown twice, as with any table dump that drops its lock.
 */
struct fnat_conn *fnat_conn_next(struct net *net, unsigned int *bucket, unsigned int *idx);

/* --- persistence (persist.c) ------------------------------------------------------- */

void fnat_persist_init(void);
/* The destination for a new connection t of a persistent service: the client's
 * template's, or schedule()'s (and a template is made). Under RCU. */
struct fnat_dest *fnat_persist_schedule(struct net *net, struct fnat_service *svc,
					const struct fnat_tuple *t,
					struct fnat_dest *(*schedule)(struct fnat_service *svc,
								      struct sk_buff *skb),
					struct sk_buff *skb);
void fnat_persist_flush_net(struct net *net);
void fnat_persist_flush_dest(struct net *net, const struct fnat_dest *dest);
void fnat_persist_flush_svc(struct net *net, const struct fnat_service *svc);

/* --- protocols (proto_tcp.c, proto_udp.c) ---------------------------------------- */

/* What a handler decided for the packet. */
enum fnat_verdict {
	FNAT_XMIT,	/* translated: send it */
	FNAT_DROP,	/* drop it (counted by the handler) */
	FNAT_STOLEN,	/* the handler kept or consumed it (the SYN proxy's) */
};

/* The TCP translation, named as in Taobao's FULLNAT (docs/architecture.md maps the
 * LVS names to ours): in = client -> real server (the TOA goes in here), out = real
 * server -> client. */
enum fnat_verdict tcp_fnat_in_handler(struct sk_buff *skb, struct fnat_conn *cp,
				      unsigned int thoff, bool new_conn);
enum fnat_verdict tcp_fnat_out_handler(struct sk_buff *skb, struct fnat_conn *cp,
				       unsigned int thoff);
enum fnat_verdict fnat_udp_in(struct sk_buff *skb, struct fnat_conn *cp, unsigned int thoff);
enum fnat_verdict fnat_udp_out(struct sk_buff *skb, struct fnat_conn *cp, unsigned int thoff);
u32 fnat_tcp_seq_delta(const struct fnat_conn *cp, u32 client_isn);
/* The secret per-pair offset of the director's TCP timestamp clock from the LIP to
 * the real server (as a local socket's), for the SYN proxy. */
u32 fnat_tcp_ts_off(const struct fnat_conn *cp);

/* proto_tcp.c's header editing, for synproxy.c: the linear, writable TCP header (NULL
 * if the packet is too short); seq, ack, ports and addresses with their checksums; an
 * edit of the option bytes (old copy against new) folded into the checksum. */
struct tcphdr *fnat_tcp_header(struct sk_buff *skb, unsigned int thoff);
void fnat_tcp_set_seq(struct sk_buff *skb, struct tcphdr *th, u32 seq);
void fnat_tcp_set_ack(struct sk_buff *skb, struct tcphdr *th, u32 ack);
void fnat_tcp_rewrite(struct sk_buff *skb, unsigned int thoff, u16 af,
		      const union nf_inet_addr *saddr, __be16 sport,
		      const union nf_inet_addr *daddr, __be16 dport);
void fnat_tcp_csum_opts(struct sk_buff *skb, struct tcphdr *th, const u8 *old,
			const u8 *new, unsigned int len);

/* Translate and send skb on cp (core.c), as the hook does: the SYN proxy releases
 * the client's held segments through it. Returns NF_STOLEN or NF_DROP; the caller
 * frees the packet on NF_DROP. */
unsigned int fnat_conn_forward(struct net *net, struct sk_buff *skb, struct fnat_conn *cp,
			       unsigned int thoff, bool from_client);

/* Rewrite the IP addresses of skb (network header at skb->data) to saddr/daddr,
 * fixing the IPv4 header checksum; the L4 checksum is the protocol's. */
void fnat_rewrite_l3(struct sk_buff *skb, u16 af, const union nf_inet_addr *saddr,
		     const union nf_inet_addr *daddr);

/* --- transmit (xmit.c) ------------------------------------------------------------ */

/* Route and send a translated packet; consumes skb. Returns 0 or a negative errno
 * (the packet is then dropped and counted). Whatever dst skb had is dropped. */
int fnat_xmit(struct net *net, struct sk_buff *skb, u16 af);
/* Set as skb's dst (dropping the one it had) the route of cp's translated packets
 * in direction dir, for fnat_xmit_routed(): towards the real server, the one its
 * destination keeps for cp's LIP; towards the client, the one its service keeps for
 * the client, if it has one; while valid, without a reference (skb must leave
 * before the RCU read-side section ends, as the packet path's do). Returns the
 * route's MTU, 0 if there is no route (skb is then unchanged). Softirq, under
 * RCU. */
unsigned int fnat_conn_route(struct fnat_conn *cp, struct sk_buff *skb, enum fnat_dir dir);
/* Free the routes a destination or a service keeps: from its RCU callback, no
 * reader left. */
void fnat_dest_routes_free(struct fnat_dest *dest);
void fnat_svc_routes_free(struct fnat_service *svc);
/* Forget the routes from a local address kept by the namespace's destinations (the
 * address was deleted). Control mutex held. */
void fnat_routes_forget_laddr(struct fnat_net *fn, u16 af, const union nf_inet_addr *addr);
/* Under fn->lock. */
void fnat_routes_drop_net(struct fnat_net *fn);
/* Send a translated packet on the route fnat_conn_route() set; consumes skb. */
void fnat_xmit_routed(struct net *net, struct sk_buff *skb, u16 af);
struct fnat_tcpopts;
/* A TCP segment of the director's own (an RST, the SYN proxy's SYN-ACK and SYN), from
 * saddr:sport to daddr:dport, with the given numbers, flags (TCPHDR_*), window and
 * options (NULL: none), no payload, full checksums: ready for fnat_xmit(). NULL
 * without memory (GFP_ATOMIC). */
struct sk_buff *fnat_tcp_build(u16 af, const union nf_inet_addr *saddr, __be16 sport,
			       const union nf_inet_addr *daddr, __be16 dport, u32 seq, u32 ack,
			       u8 flags, u16 window, const struct fnat_tcpopts *opts);

/* --- ICMP errors (icmp.c) ---------------------------------------------------------- */

/* An ICMP (af AF_INET) or ICMPv6 (AF_INET6) packet, network header at skb->data, its
 * ICMP header at thoff: errors about a connection are translated and sent (NF_STOLEN)
 * or dropped; anything else is accepted untouched. Under RCU, from the hook. */
unsigned int fnat_icmp(struct net *net, struct sk_buff *skb, u16 af, unsigned int thoff);

/* --- sysctls (sysctl.c) ------------------------------------------------------------ */

/* net.ipvs_fnat.*, reading and writing the namespace's fnat_net.cfg. Called from the
 * datapath's pernet init/exit, which run after/before the control plane's. */
int fnat_sysctl_net_init(struct net *net);
void fnat_sysctl_net_exit(struct net *net);

/* --- RST on expiry (rst.c) -------------------------------------------------------- */

/* cp's timer found it idle: reset both ends if it is an ESTABLISHED TCP connection
 * and the namespace's expire_rst is on. Timer (softirq) context. */
void fnat_rst_expire(struct fnat_conn *cp);


/* --- SYN proxy (synproxy.c) -------------------------------------------------------- */

/* The director's window scale towards SYN-proxied clients: Linux's own choice with
 * its default receive buffers. */
#define FNAT_SYNPROXY_WSCALE	7

/* What a valid cookie ACK told about the client's handshake (fnat_synproxy_check()). */
struct fnat_synproxy_ack {
	u32 c_isn;		/* the client's ISN */
	u32 d_isn;		/* ours towards the client: the cookie */
	u32 c_tsval;		/* the client's TSval in the ACK (ts_ok) */
	u32 d_tsval;		/* our SYN-ACK's TSval, as the client echoed it (ts_ok) */
	u16 mss;		/* the client's MSS, as the cookie holds it */
	u16 window;		/* the client's window in the ACK, in bytes (clamped) */
	u8 wscale;		/* the client's, or FNAT_WSCALE_NONE */
	u8 sack_ok, ts_ok, ecn_ok;
};

/* A segment to a SYN-proxied service without a connection: a SYN is answered with a
 * cookie and consumed (NF_STOLEN); an ACK is checked into *ack (returns NF_ACCEPT for
 * the caller to schedule and create the connection); anything else is dropped and
 * counted (NF_DROP). Under RCU, softirq. */
unsigned int fnat_synproxy_syn_or_ack(struct net *net, struct fnat_service *svc,
				      struct sk_buff *skb, unsigned int thoff,
				      struct fnat_synproxy_ack *ack);
/* The connection for *ack exists (FNAT_S_SYNPROXY): send the SYN to the real server
 * and hold skb, the ACK. Consumes skb. */
unsigned int fnat_synproxy_start(struct net *net, struct sk_buff *skb, struct fnat_conn *cp,
				 unsigned int thoff, const struct fnat_synproxy_ack *ack);
/* The creation for a valid cookie ACK was refused (limits, no port, no server):
 * tell the client with a RST rather than leave it waiting. */
void fnat_synproxy_refuse(struct net *net, struct sk_buff *skb, unsigned int thoff);
/* A segment on a connection in FNAT_S_SYNPROXY, from the client or the real server. */
enum fnat_verdict fnat_synproxy_in(struct sk_buff *skb, struct fnat_conn *cp, unsigned int thoff);
enum fnat_verdict fnat_synproxy_out(struct sk_buff *skb, struct fnat_conn *cp, unsigned int thoff);
/* The connection's timer fired in FNAT_S_SYNPROXY: retransmit the SYN (returns true,
 * the timer re-armed) or give up (the client gets a RST; returns false, the caller
 * expires the connection). Timer context. */
bool fnat_synproxy_timer(struct fnat_conn *cp);
/* Free what the handshake still holds (the connection is being freed). */
void fnat_synproxy_free(struct fnat_conn *cp);

/* --- hooks (core.c) --------------------------------------------------------------- */

/* --- the passive health check's packet side (dest_check.c) ------------------------ */

void fnat_dc_conn_new(struct fnat_conn *cp);
bool fnat_conn_move_dest(struct fnat_conn *cp, struct fnat_dest *nd);
void __fnat_dc_result(struct fnat_conn *cp, bool ok);

/*
 * What cp's real server did with its handshake: ok (a SYN-ACK, or a UDP answer) or
 * not (RST, ICMP unreachable, silence until expiry). Counted once per connection,
 * and only while its service has DEST_CHECK.
 */
static inline void fnat_dc_result(struct fnat_conn *cp, bool ok)
{
	if (!(READ_ONCE(cp->dest->svc->svc_flags) & IPVS_FNAT_SVC_F_DEST_CHECK) ||
	    test_bit(FNAT_CONN_F_DC_DONE, &cp->flags) ||
	    test_and_set_bit(FNAT_CONN_F_DC_DONE, &cp->flags))
		return;
	__fnat_dc_result(cp, ok);
}

int fnat_dp_init(void);
void fnat_dp_exit(void);
void fnat_dp_free(void);

#endif /* IPVS_FNAT_DP_H */
