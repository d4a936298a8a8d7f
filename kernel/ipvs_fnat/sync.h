/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connection synchronisation between directors (docs/sync.md): the interface between
 * the datapath (conn.c, core.c, proto_tcp.c), the daemons (sync_master.c,
 * sync_backup.c, sync.c) and the wire codec (sync_wire.c).
 *
 * Per namespace, at most one master and one backup daemon run (fnat_net.sync_master,
 * .sync_backup), started and stopped under fnat_net.lock by netlink. Each daemon
 * owns a kernel UDP socket in its namespace and its own work items on
 * fnat_sync_wq; its state is under its own mutex (struct fnat_sync_daemon.lock),
 * taken only by its works and by stop. The packet path talks to the master only
 * through fnat_sync_conn_changed(), which queues a connection (a reference held)
 * under the master's queue spinlock; it finds the master under RCU, and stop
 * unpublishes it and waits a grace period before freeing anything.
 */
#ifndef IPVS_FNAT_SYNC_H
#define IPVS_FNAT_SYNC_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include "uapi/ipvs_fnat_sync.h"
#include "dp.h"

/* A connection as the sync carries it (sync_wire.c encodes and decodes it). Addresses
 * and ports in network order, as in struct fnat_conn; the rest host order. */
struct fnat_sync_conn {
	u16 af;
	u8 protocol;
	u8 state;			/* enum fnat_conn_state */
	__be16 cport, vport, lport, dport;
	union nf_inet_addr caddr, vaddr, laddr, daddr;
	u32 expires_ms;			/* until expiry on the sender */
	u32 flags;			/* IPVS_FNAT_SYNC_CF_* */
	u32 seq_delta, rs_isn, c_nxt, r_nxt;
	u32 rs_seq_delta, ts_in_delta, ts_out_delta;
	u8 wscale;
};

/* --- the wire (sync_wire.c): pure functions over byte buffers --------------------- */

struct fnat_sync_buf {
	u8 *data;
	unsigned int len;
	unsigned int cap;		/* bytes the fields may fill (the MAC kept aside) */
	unsigned int records;
};

/* A received message's header, and where its fields and MAC are. */
struct fnat_sync_msg {
	u8 type;
	u8 syncid;
	u16 flags;
	u32 seq;
	u64 epoch;
	const u8 *fields;		/* the fields before the MAC */
	unsigned int fields_len;
	const u8 *mac;			/* NULL: none */
	unsigned int mac_covered;	/* bytes of the datagram the MAC covers */
};

void fnat_sync_msg_start(struct fnat_sync_buf *b, u8 type, u8 syncid, u16 flags, u32 seq,
			 u64 epoch, bool keyed);
bool fnat_sync_put_conn(struct fnat_sync_buf *b, const struct fnat_sync_conn *c, bool del);
bool fnat_sync_put_u32(struct fnat_sync_buf *b, u16 type, u32 v);
bool fnat_sync_put_u64(struct fnat_sync_buf *b, u16 type, u64 v);
bool fnat_sync_put_range(struct fnat_sync_buf *b, u32 first, u32 last);
/* RESYNC_END and a RESYNC_ID for each of ids, all or (no room) none. */
bool fnat_sync_put_resync_end(struct fnat_sync_buf *b, u32 records, const u32 *ids,
			      unsigned int nids);
void fnat_sync_msg_add_flags(struct fnat_sync_buf *b, u16 flags);
/* Close the message: the length in the header, and (keyed) the MAC field's type and
 * length; returns the offset at which the caller writes the MAC's 32 bytes, or 0. */
unsigned int fnat_sync_msg_finish(struct fnat_sync_buf *b, bool keyed);
void fnat_sync_msg_set_seq(struct fnat_sync_buf *b, u32 seq);

/* Errors of fnat_sync_parse(): which counter a bad message goes to. */
#define FNAT_SYNC_BAD_VERSION	1
#define FNAT_SYNC_BAD_FORMAT	2

/* Check a datagram's header and field structure (every field's framing, every
 * mandatory top-level field known, the MAC last) into *m. 0 or FNAT_SYNC_BAD_*. */
int fnat_sync_parse(const u8 *data, unsigned int len, struct fnat_sync_msg *m);
/* The next top-level field of m at *off: 1 with its type and value, 0 at the end.
 * (After fnat_sync_parse() succeeded the framing is known to be sound.) */
int fnat_sync_next(const struct fnat_sync_msg *m, unsigned int *off, u16 *type,
		   const u8 **val, u16 *len);
/* Decode a CONN (del false) or CONN_DEL (del true) value: 0 or -EINVAL. */
int fnat_sync_decode_conn(const u8 *val, u16 len, bool del, struct fnat_sync_conn *c);

static inline u32 fnat_sync_get_u32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static inline u64 fnat_sync_get_u64(const u8 *p)
{
	return (u64)fnat_sync_get_u32(p) << 32 | fnat_sync_get_u32(p + 4);
}

/* --- daemons (sync.c) ------------------------------------------------------------- */

#define FNAT_SYNC_Q_LEN		4096	/* connections queued by the packet path */
#define FNAT_SYNC_WINDOW	1024	/* messages the master keeps for resending */
#define FNAT_SYNC_REORDER	128	/* messages a backup holds ahead of a gap */
#define FNAT_SYNC_SOURCES	8	/* masters a backup follows at once */

struct fnat_sync_conf {
	u32 state;
	char ifname[IPVS_FNAT_SYNC_IFNAME_MAX];
	u8 syncid;
	u8 ttl;
	u16 af;				/* the transport's family */
	__be16 port;
	union nf_inet_addr group;
	union nf_inet_addr peers[IPVS_FNAT_SYNC_MAX_PEERS];
	unsigned int npeers;
	u8 key[IPVS_FNAT_SYNC_KEY_MAX];
	unsigned int key_len;		/* 0: unauthenticated */
	u32 threshold;
};

struct crypto_shash;

/* What a master and a backup have in common. */
struct fnat_sync_daemon {
	struct net *net;
	struct fnat_sync_conf conf;	/* key_len kept, key bytes wiped after setkey */
	int ifindex;
	u64 epoch;
	struct crypto_shash *tfm;	/* hmac(sha256), NULL without a key */
	struct socket *sock;
	void (*saved_data_ready)(struct sock *sk);
	struct work_struct rx_work;	/* reads the socket */
	struct delayed_work tick;	/* timers: HELLO, refresh, NACK retries, ACKs */
	struct delayed_work *tx_work;	/* the master's sender; NULL for a backup */
	struct mutex lock;		/* the state below and in the daemon structs */
	bool stopping;			/* set by stop: works queue nothing more */
	u8 *rxbuf;			/* IPVS_FNAT_SYNC_MAX_MSG + 1 */
	u8 *txbuf;			/* control messages, IPVS_FNAT_SYNC_MAX_MSG */
	/* Called from rx_work and tick under lock. */
	void (*rx)(struct fnat_sync_daemon *d, const u8 *data, unsigned int len,
		   const struct sockaddr_storage *from);
	void (*on_tick)(struct fnat_sync_daemon *d);
};

extern struct workqueue_struct *fnat_sync_wq;

int fnat_sync_init(void);
void fnat_sync_exit(void);
/* Netlink's: under fnat_net.lock. */
int fnat_sync_start(struct net *net, const struct fnat_sync_conf *conf,
		    struct netlink_ext_ack *extack);
int fnat_sync_stop(struct net *net, u32 state);
/* What a backup knows of the masters it follows (GET_DAEMON). */
struct fnat_sync_master_seen {
	u8 syncid;
	bool synced;
	struct sockaddr_storage addr;
	u64 epoch;
	unsigned int heard_ms;
};

struct fnat_sync_backup_status {
	bool synced;			/* IPVS_FNAT_DAEMON_ATTR_SYNCED */
	unsigned int n;
	struct fnat_sync_master_seen m[FNAT_SYNC_SOURCES];
};

/* The running daemon of that state as netlink shows it: its configuration (the key's
 * length, never its bytes), boot epoch and, for the backup, *st (st may be NULL).
 * Under fnat_net.lock; -ESRCH if none runs. */
int fnat_sync_info(struct net *net, u32 state, struct fnat_sync_conf *conf, u64 *epoch,
		   struct fnat_sync_backup_status *st);
/* The namespace going away (before its connections are flushed). */
void fnat_sync_net_exit(struct net *net);

/* sync.c's services to the daemons. */
int fnat_sync_daemon_setup(struct fnat_sync_daemon *d, struct net *net,
			   const struct fnat_sync_conf *conf, struct netlink_ext_ack *extack);
void fnat_sync_daemon_teardown(struct fnat_sync_daemon *d);
/* MAC the finished message b (its MAC field at mac_off) when keyed. */
void fnat_sync_sign(struct fnat_sync_daemon *d, struct fnat_sync_buf *b, unsigned int mac_off);
/* Does m's MAC check (or, without a key, is there none)? */
bool fnat_sync_verify(struct fnat_sync_daemon *d, const u8 *data, const struct fnat_sync_msg *m);
int fnat_sync_send_to(struct fnat_sync_daemon *d, const void *data, unsigned int len,
		      const struct sockaddr_storage *to);
/* To the group, or to every peer. Returns how many copies went. */
unsigned int fnat_sync_send_all(struct fnat_sync_daemon *d, const void *data, unsigned int len);
void fnat_sync_count(struct fnat_sync_daemon *d, enum fnat_dp_counter c);
void fnat_sync_count_n(struct fnat_sync_daemon *d, enum fnat_dp_counter c, unsigned int n);

/* --- the master (sync_master.c) and the backup (sync_backup.c) --------------------- */

struct fnat_sync_master;
struct fnat_sync_backup;

struct fnat_sync_master *fnat_sync_master_start(struct net *net,
						const struct fnat_sync_conf *conf,
						struct netlink_ext_ack *extack, int *err);
void fnat_sync_master_stop(struct fnat_sync_master *m);
struct fnat_sync_daemon *fnat_sync_master_daemon(struct fnat_sync_master *m);

struct fnat_sync_backup *fnat_sync_backup_start(struct net *net,
						const struct fnat_sync_conf *conf,
						struct netlink_ext_ack *extack, int *err);
void fnat_sync_backup_stop(struct fnat_sync_backup *b);
struct fnat_sync_daemon *fnat_sync_backup_daemon(struct fnat_sync_backup *b);
/* Takes the daemon's mutex (under fnat_net.lock is fine: stop takes them in that
 * order). */
void fnat_sync_backup_status(struct fnat_sync_backup *b, struct fnat_sync_backup_status *st);

/* --- the datapath's side ------------------------------------------------------------ */

/* cp changed (a state, its TOA delivered, a packet counted up to the threshold, its
 * end): queue it for the master if it is to be synced. Any context; cp->lock may
 * be held. */
void fnat_sync_conn_changed(struct fnat_conn *cp);

/* Per packet from the client (core.c): count towards the threshold, and take over
 * a connection the backup installed once it forwards here. */
static inline void fnat_sync_packet(struct fnat_net *fn, struct fnat_conn *cp)
{
	u8 th = READ_ONCE(fn->sync_threshold);

	if (unlikely(test_bit(FNAT_CONN_F_SYNC_PEER, &cp->flags))) {
		/* Forwarded here now: ours; the local master (if any) sends it. */
		clear_bit(FNAT_CONN_F_SYNC_PEER, &cp->flags);
		WRITE_ONCE(cp->sync_pkts, U8_MAX);
		if (th)
			fnat_sync_conn_changed(cp);
		return;
	}
	if (unlikely(th) && READ_ONCE(cp->sync_pkts) < th) {
		u8 n = READ_ONCE(cp->sync_pkts) + 1;

		WRITE_ONCE(cp->sync_pkts, n);
		if (n == th)
			fnat_sync_conn_changed(cp);
	}
}

/* conn.c, for the daemons. */
void fnat_conn_snapshot(struct fnat_conn *cp, struct fnat_sync_conn *s);
/* Install or update a connection from a master: FNAT_C_SYNC_RX_CONNS when applied,
 * else the counter that tells why not. Process context. */
enum fnat_dp_counter fnat_conn_sync_apply(struct net *net, const struct fnat_sync_conn *s);
/* A master's connection ended: remove our copy (unless it is forwarded here). */
enum fnat_dp_counter fnat_conn_sync_delete(struct net *net, const struct fnat_sync_conn *s);
/* Up to max connections of net from *bucket on (at most nbuckets buckets), each with
 * a reference taken, for which match() holds; *bucket moves past what was looked
 * at. Returns how many; *done when the table's end was reached. Process context. */
unsigned int fnat_conn_collect(struct net *net, unsigned int *bucket, unsigned int nbuckets,
			       bool (*match)(const struct fnat_conn *cp, const void *arg),
			       const void *arg, struct fnat_conn **out, unsigned int max,
			       bool *done);
void fnat_conn_put(struct fnat_conn *cp);
/* persist.c: keep (or make) the template that sends c's client to dest (which the
 * caller holds), as a synced connection of a persistent service (netmask, timeout
 * in seconds) tells. Process context, outside RCU. */
void fnat_persist_sync(struct net *net, const struct fnat_sync_conn *c, u8 netmask,
		       u32 timeout, struct fnat_dest *dest);

#endif /* IPVS_FNAT_SYNC_H */
