// SPDX-License-Identifier: GPL-2.0
/*
 * The sync master: sends this director's connections to the backups (docs/sync.md).
 *
 * What is sent and when
 *   - A connection is queued by the datapath (fnat_sync_conn_changed()) when it has
 *     seen the threshold's client packets, on every later state change, when its TOA
 *     is delivered, and when it ends (if it was sent). The sender snapshots it when
 *     it gets to it, FNAT_SYNC_TX_DELAY after the first of a batch was queued, so
 *     that several changes in a row cost one record, several connections share a
 *     message, and one that ends within the delay costs nothing.
 *   - The tick's refresh sweep walks the table, 1/FNAT_SYNC_SWEEP_TICKS of it per
 *     tick, and queues every connection whose backups' copy would expire before it
 *     does (it has seen traffic since), and any that should have been sent but was
 *     not (a full queue).
 *   - A backup's RESYNC_REQ starts a walk of the whole table into the same stream,
 *     paced by that backup's ACKs.
 * Reliability: every DATA message has the next sequence number of this epoch and a
 * copy is kept in a ring of FNAT_SYNC_WINDOW messages for NACKs; a HELLO every
 * second tells the last number sent.
 *
 * Lifetimes and locking
 *   - The queue (q, under qlock, a spinlock taken from softirq) holds a reference
 *     on each connection in it, and the connection's SYNC_QUEUED bit says it is
 *     there. Enqueueing finds the master under RCU (fnat_net.sync_master); stop
 *     unpublishes it and waits a grace period before anything here goes.
 *   - Everything else (the message being built, the window, the sweep and resync
 *     positions) is under the daemon's mutex, taken by the tx work, the rx work
 *     and the tick (sync.c runs them).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/jiffies.h>
#include <linux/socket.h>
#include <linux/in6.h>
#include "sync.h"

#define FNAT_SYNC_TX_BATCH	256	/* connections dequeued per lock hold */
/* A queued connection waits this long for others to share its message (and a short
 * one may end meanwhile and never be sent); FNAT_SYNC_TX_EARLY waiting are sent at
 * once. */
#define FNAT_SYNC_TX_DELAY	msecs_to_jiffies(20)
#define FNAT_SYNC_TX_EARLY	128
#define FNAT_SYNC_SWEEP_TICKS	80	/* the whole table refreshed-checked every 8 s */
#define FNAT_SYNC_SWEEP_MAX	256	/* connections queued per tick by the sweep */
#define FNAT_SYNC_RESYNC_MSGS	64	/* resync messages per tx run */
#define FNAT_SYNC_RESYNC_INFLIGHT 512	/* resync messages unacknowledged at most */
#define FNAT_SYNC_RESYNC_STALL	(5 * HZ) /* a resync without ACK progress is given up */
#define FNAT_SYNC_NACK_MAX	256	/* messages resent per NACK at most */
/* The remaining time a record tells is capped, so that the u16 second stamps
 * (fnat_conn.sync_until) never wrap within it; the sweep refreshes long ones. */
#define FNAT_SYNC_EXPIRE_CAP_S	(4 * 3600)

struct fnat_sync_sent {
	u32 seq;			/* 0: empty */
	u16 len;
	u8 data[IPVS_FNAT_SYNC_MAX_MSG];
};

struct fnat_sync_master {
	struct fnat_sync_daemon d;
	struct delayed_work tx_work;

	spinlock_t qlock;
	struct fnat_conn **q;		/* ring of FNAT_SYNC_Q_LEN */
	unsigned int qhead, qlen;

	/* Under d.lock. */
	u8 *msgbuf;			/* the DATA message being built */
	struct fnat_sync_buf cur;
	u32 next_seq;
	struct fnat_sync_sent *win;	/* FNAT_SYNC_WINDOW, by seq % size */
	unsigned long hello_at;
	unsigned int sweep_bucket;
	bool resync;			/* a full resync is streaming */
	unsigned int resync_bucket;
	unsigned int resync_records;
	struct sockaddr_storage resync_peer;
	u32 resync_acked;		/* the requester's last ACK */
	unsigned long resync_progress;	/* jiffies of its last ACK progress */
	u32 resync_ids[IPVS_FNAT_SYNC_RESYNC_IDS]; /* the requests the walk answers */
	unsigned int resync_nids;
	struct fnat_conn *batch[FNAT_SYNC_TX_BATCH];
};

static u16 fnat_sync_secs(void)
{
	return (u16)(jiffies / HZ);
}

static bool fnat_sync_state_syncable(u8 state)
{
	switch (state) {
	case FNAT_S_ESTABLISHED:
	case FNAT_S_FIN_WAIT:
	case FNAT_S_TIME_WAIT:
	case FNAT_S_CLOSE:
	case FNAT_S_UDP:
		return true;
	}
	return false;
}

/* --- the datapath's side ------------------------------------------------------------ */

static bool fnat_sync_eligible(const struct fnat_conn *cp, u8 th)
{
	return th && !test_bit(FNAT_CONN_F_SYNC_PEER, &cp->flags) &&
	       (test_bit(FNAT_CONN_F_SYNCED, &cp->flags) || READ_ONCE(cp->sync_pkts) >= th);
}

void fnat_sync_conn_changed(struct fnat_conn *cp)
{
	struct fnat_net *fn = fnat_net(fnat_conn_net(cp));
	struct fnat_sync_master *m;
	bool dropped = false;
	unsigned int qlen = 0;

	if (!fnat_sync_eligible(cp, READ_ONCE(fn->sync_threshold)))
		return;
	if (test_and_set_bit(FNAT_CONN_F_SYNC_QUEUED, &cp->flags))
		return;		/* queued already: the snapshot will show this change */
	rcu_read_lock();
	m = rcu_dereference(fn->sync_master);
	if (!m || !refcount_inc_not_zero(&cp->refcnt)) {
		clear_bit(FNAT_CONN_F_SYNC_QUEUED, &cp->flags);
		rcu_read_unlock();
		return;
	}
	spin_lock_bh(&m->qlock);
	if (m->qlen == FNAT_SYNC_Q_LEN) {
		dropped = true;
	} else {
		m->q[(m->qhead + m->qlen) % FNAT_SYNC_Q_LEN] = cp;
		qlen = ++m->qlen;
	}
	spin_unlock_bh(&m->qlock);
	if (dropped) {
		/* The sweep sends it later (it is eligible and not sent, or its
		 * backups' copy is older than it). */
		clear_bit(FNAT_CONN_F_SYNC_QUEUED, &cp->flags);
		fnat_sync_count(&m->d, FNAT_C_SYNC_QUEUE_DROPS);
		fnat_conn_put(cp);
	} else if (READ_ONCE(m->d.stopping)) {
		/* teardown cancels the sender; stop drains the queue */
	} else if (qlen == 1) {
		queue_delayed_work(fnat_sync_wq, &m->tx_work, FNAT_SYNC_TX_DELAY);
	} else if (qlen == FNAT_SYNC_TX_EARLY) {
		mod_delayed_work(fnat_sync_wq, &m->tx_work, 0);
	}
	rcu_read_unlock();
}

/* --- building and sending DATA messages ------------------------------------------- */

static bool fnat_sync_keyed(const struct fnat_sync_master *m)
{
	return m->d.tfm;
}

static void fnat_sync_begin(struct fnat_sync_master *m)
{
	m->cur.data = m->msgbuf;
	fnat_sync_msg_start(&m->cur, IPVS_FNAT_SYNC_T_DATA, m->d.conf.syncid, 0, 0, m->d.epoch,
			    fnat_sync_keyed(m));
}

/* Send the message being built (if it holds anything) with the next sequence
 * number, and keep it for NACKs. */
static void fnat_sync_flush(struct fnat_sync_master *m)
{
	struct fnat_sync_sent *slot;
	unsigned int mac_off;
	u32 seq;

	if (m->cur.len == IPVS_FNAT_SYNC_HDR_LEN)
		return;
	seq = m->next_seq++;
	fnat_sync_msg_set_seq(&m->cur, seq);
	mac_off = fnat_sync_msg_finish(&m->cur, fnat_sync_keyed(m));
	fnat_sync_sign(&m->d, &m->cur, mac_off);
	slot = &m->win[seq % FNAT_SYNC_WINDOW];
	slot->seq = seq;
	slot->len = m->cur.len;
	memcpy(slot->data, m->cur.data, m->cur.len);
	if (fnat_sync_send_all(&m->d, m->cur.data, m->cur.len)) {
		fnat_sync_count(&m->d, FNAT_C_SYNC_TX_MSGS);
		fnat_sync_count_n(&m->d, FNAT_C_SYNC_TX_CONNS, m->cur.records);
	}
	fnat_sync_begin(m);
}

static void fnat_sync_put_record(struct fnat_sync_master *m, const struct fnat_sync_conn *c,
				 bool del)
{
	if (fnat_sync_put_conn(&m->cur, c, del))
		return;
	fnat_sync_flush(m);
	fnat_sync_put_conn(&m->cur, c, del);	/* one record always fits */
}

/* One connection into the stream: a CONN, or a CONN_DEL once it has ended. */
static void fnat_sync_emit(struct fnat_sync_master *m, struct fnat_conn *cp)
{
	struct fnat_sync_conn c;
	u32 secs;

	/* Another director's since it was queued (it forwards it now): not ours to
	 * send, neither its state nor its end. */
	if (test_bit(FNAT_CONN_F_SYNC_PEER, &cp->flags))
		return;
	fnat_conn_snapshot(cp, &c);
	if (test_bit(FNAT_CONN_F_UNHASHED, &cp->flags)) {
		if (test_bit(FNAT_CONN_F_SYNCED, &cp->flags))
			fnat_sync_put_record(m, &c, true);
		return;
	}
	if (!fnat_sync_state_syncable(c.state))
		return;		/* a handshake: sent once it is established */
	if (c.expires_ms > FNAT_SYNC_EXPIRE_CAP_S * 1000)
		c.expires_ms = FNAT_SYNC_EXPIRE_CAP_S * 1000;
	secs = c.expires_ms / 1000;
	WRITE_ONCE(cp->sync_until, (u16)(fnat_sync_secs() + secs));
	set_bit(FNAT_CONN_F_SYNCED, &cp->flags);
	/* Ordered with fnat_conn_unhash()'s test_and_set_bit(UNHASHED) and its
	 * test of SYNCED: one of us sees the other, so an end is never missed. */
	smp_mb__after_atomic();
	if (test_bit(FNAT_CONN_F_UNHASHED, &cp->flags)) {
		fnat_sync_put_record(m, &c, true);
		return;
	}
	fnat_sync_put_record(m, &c, false);
}

/* --- the full resync ------------------------------------------------------------------ */

static bool fnat_sync_match_resync(const struct fnat_conn *cp, const void *arg)
{
	const struct fnat_sync_master *m = arg;

	return fnat_sync_eligible(cp, READ_ONCE(fnat_net(m->d.net)->sync_threshold)) &&
	       fnat_sync_state_syncable(READ_ONCE(cp->state));
}

static void fnat_sync_resync_step(struct fnat_sync_master *m)
{
	u32 first = m->next_seq;
	bool done = false;

	while (m->resync && !done && m->next_seq - first < FNAT_SYNC_RESYNC_MSGS &&
	       m->next_seq - 1 - m->resync_acked < FNAT_SYNC_RESYNC_INFLIGHT) {
		unsigned int n, i;

		n = fnat_conn_collect(m->d.net, &m->resync_bucket, 4096, fnat_sync_match_resync,
				      m, m->batch, ARRAY_SIZE(m->batch), &done);
		for (i = 0; i < n; i++) {
			fnat_sync_emit(m, m->batch[i]);
			/* (The message the record went to, if emit flushed.) */
			fnat_sync_msg_add_flags(&m->cur, IPVS_FNAT_SYNC_F_RESYNC);
			fnat_conn_put(m->batch[i]);
		}
		m->resync_records += n;
	}
	if (done) {
		if (!fnat_sync_put_resync_end(&m->cur, m->resync_records, m->resync_ids,
					      m->resync_nids)) {
			fnat_sync_flush(m);
			fnat_sync_put_resync_end(&m->cur, m->resync_records, m->resync_ids,
						 m->resync_nids);
		}
		fnat_sync_msg_add_flags(&m->cur, IPVS_FNAT_SYNC_F_RESYNC);
		m->resync = false;
		m->resync_nids = 0;
		pr_debug("sync resync done: %u connections\n", m->resync_records);
	}
}

static void fnat_sync_tx_work(struct work_struct *work)
{
	struct fnat_sync_master *m = container_of(to_delayed_work(work), struct fnat_sync_master,
						  tx_work);
	unsigned int n, i;

	mutex_lock(&m->d.lock);
	if (m->d.stopping)
		goto out;
	do {
		spin_lock_bh(&m->qlock);
		for (n = 0; n < FNAT_SYNC_TX_BATCH && m->qlen; n++) {
			m->batch[n] = m->q[m->qhead];
			m->qhead = (m->qhead + 1) % FNAT_SYNC_Q_LEN;
			m->qlen--;
		}
		spin_unlock_bh(&m->qlock);
		for (i = 0; i < n; i++) {
			struct fnat_conn *cp = m->batch[i];

			/* Cleared first: a change from now on queues it again. */
			clear_bit(FNAT_CONN_F_SYNC_QUEUED, &cp->flags);
			smp_mb__after_atomic();
			fnat_sync_emit(m, cp);
			fnat_conn_put(cp);
		}
		cond_resched();
	} while (n == FNAT_SYNC_TX_BATCH);
	if (m->resync)
		fnat_sync_resync_step(m);
	fnat_sync_flush(m);
	/* A resync with room left in its window goes on at once; a full one
	 * waits for the requester's ACKs (rx queues us). */
	if (m->resync && m->next_seq - 1 - m->resync_acked < FNAT_SYNC_RESYNC_INFLIGHT)
		mod_delayed_work(fnat_sync_wq, &m->tx_work, 0);
out:
	mutex_unlock(&m->d.lock);
}

/* --- what the backups send ----------------------------------------------------------- */

static bool fnat_sync_same_peer(const struct sockaddr_storage *a,
				const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return ipv6_addr_equal(&x->sin6_addr, &y->sin6_addr) && x->sin6_port == y->sin6_port;
	} else {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_addr.s_addr == y->sin_addr.s_addr && x->sin_port == y->sin_port;
	}
}

static void fnat_sync_resend(struct fnat_sync_master *m, u32 first, u32 last,
			     const struct sockaddr_storage *from, unsigned int *budget)
{
	u32 seq;

	/* Only what was sent and is still in the window; the rest is the backup's
	 * to give up (it then asks for a resync). */
	if ((s32)(last - first) < 0 || (s32)(m->next_seq - 1 - last) < 0)
		return;
	for (seq = first; *budget; seq++) {
		struct fnat_sync_sent *slot = &m->win[seq % FNAT_SYNC_WINDOW];

		if (slot->seq == seq) {
			(*budget)--;
			if (!fnat_sync_send_to(&m->d, slot->data, slot->len, from))
				fnat_sync_count(&m->d, FNAT_C_SYNC_RESENT);
		}
		if (seq == last)
			break;
	}
}

/* Kept until the walk ends; with no room, the oldest request is forgotten (its
 * backup asks again when this walk ends without its id). */
static void fnat_sync_note_resync_id(struct fnat_sync_master *m, u32 id)
{
	unsigned int i;

	for (i = 0; i < m->resync_nids; i++)
		if (m->resync_ids[i] == id)
			return;
	if (m->resync_nids == IPVS_FNAT_SYNC_RESYNC_IDS) {
		memmove(m->resync_ids, m->resync_ids + 1,
			(IPVS_FNAT_SYNC_RESYNC_IDS - 1) * sizeof(m->resync_ids[0]));
		m->resync_nids--;
	}
	m->resync_ids[m->resync_nids++] = id;
}

static void fnat_sync_master_rx(struct fnat_sync_daemon *d, const u8 *data, unsigned int len,
				const struct sockaddr_storage *from)
{
	struct fnat_sync_master *m = container_of(d, struct fnat_sync_master, d);
	unsigned int off = 0, budget = FNAT_SYNC_NACK_MAX;
	bool epoch_ok = false, have_ack = false;
	struct fnat_sync_msg msg;
	const u8 *val;
	u32 ack = 0;
	u16 type, flen;
	int err;

	err = fnat_sync_parse(data, len, &msg);
	if (err) {
		fnat_sync_count(d, err == FNAT_SYNC_BAD_VERSION ? FNAT_C_SYNC_VERSION_ERR :
								  FNAT_C_SYNC_MALFORMED);
		return;
	}
	if (!fnat_sync_verify(d, data, &msg)) {
		fnat_sync_count(d, FNAT_C_SYNC_AUTH_FAIL);
		return;
	}
	if (msg.type != IPVS_FNAT_SYNC_T_ACK && msg.type != IPVS_FNAT_SYNC_T_NACK &&
	    msg.type != IPVS_FNAT_SYNC_T_RESYNC_REQ)
		return;		/* another master's DATA or HELLO: not ours to take */
	/* The epoch a backup answers must be ours, except a first resync request. */
	while (fnat_sync_next(&msg, &off, &type, &val, &flen) > 0)
		if (type == IPVS_FNAT_SYNC_FT_MASTER_EPOCH)
			epoch_ok = fnat_sync_get_u64(val) == d->epoch ||
				   (msg.type == IPVS_FNAT_SYNC_T_RESYNC_REQ && !fnat_sync_get_u64(val));
	if (!epoch_ok) {
		fnat_sync_count(d, FNAT_C_SYNC_REPLAY);
		return;
	}
	switch (msg.type) {
	case IPVS_FNAT_SYNC_T_RESYNC_REQ:
		/* One walk at a time: a new request starts it again, for everyone,
		 * and its end answers every request since the last end. */
		off = 0;
		while (fnat_sync_next(&msg, &off, &type, &val, &flen) > 0)
			if (type == IPVS_FNAT_SYNC_FT_RESYNC_ID)
				fnat_sync_note_resync_id(m, fnat_sync_get_u32(val));
		m->resync = true;
		m->resync_bucket = 0;
		m->resync_records = 0;
		m->resync_peer = *from;
		m->resync_acked = m->next_seq - 1;
		m->resync_progress = jiffies;
		fnat_sync_count(d, FNAT_C_SYNC_RESYNC);
		mod_delayed_work(fnat_sync_wq, &m->tx_work, 0);
		break;
	case IPVS_FNAT_SYNC_T_ACK:
		off = 0;
		while (fnat_sync_next(&msg, &off, &type, &val, &flen) > 0)
			if (type == IPVS_FNAT_SYNC_FT_ACK_SEQ) {
				ack = fnat_sync_get_u32(val);
				have_ack = true;
			}
		if (have_ack && m->resync && fnat_sync_same_peer(from, &m->resync_peer) &&
		    (s32)(ack - m->resync_acked) > 0 && (s32)(m->next_seq - 1 - ack) >= 0) {
			m->resync_acked = ack;
			m->resync_progress = jiffies;
			mod_delayed_work(fnat_sync_wq, &m->tx_work, 0);
		}
		break;
	case IPVS_FNAT_SYNC_T_NACK:
		fnat_sync_count(d, FNAT_C_SYNC_NACK_RX);
		off = 0;
		while (fnat_sync_next(&msg, &off, &type, &val, &flen) > 0 && budget)
			if (type == IPVS_FNAT_SYNC_FT_RANGE)
				fnat_sync_resend(m, fnat_sync_get_u32(val), fnat_sync_get_u32(val + 4),
						 from, &budget);
		break;
	}
}

/* --- the tick: HELLO, the refresh sweep, a stalled resync --------------------------- */

struct fnat_sync_sweep {
	u8 th;
	u16 now;
};

static bool fnat_sync_match_refresh(const struct fnat_conn *cp, const void *arg)
{
	const struct fnat_sync_sweep *sw = arg;
	u16 until, expires;
	u32 margin;

	if (!fnat_sync_eligible(cp, sw->th) || !fnat_sync_state_syncable(READ_ONCE(cp->state)) ||
	    test_bit(FNAT_CONN_F_SYNC_QUEUED, &cp->flags))
		return false;
	if (!test_bit(FNAT_CONN_F_SYNCED, &cp->flags))
		return true;	/* should have gone and did not (a full queue) */
	until = READ_ONCE(cp->sync_until);
	expires = (u16)(READ_ONCE(cp->expires) / HZ);
	/* It lives on past the backups' copy (traffic since), and that copy is
	 * due to expire within the margin: one sweep round (8 s) and some slack,
	 * or a quarter of the timeout when that is longer. */
	margin = clamp_t(u32, READ_ONCE(cp->timeout) / HZ / 4, 15, 600);
	return (s16)(expires - until) > 0 && (s16)(until - sw->now) < (s32)margin;
}

static void fnat_sync_master_tick(struct fnat_sync_daemon *d)
{
	struct fnat_sync_master *m = container_of(d, struct fnat_sync_master, d);
	struct fnat_sync_sweep sw = {
		.th = READ_ONCE(fnat_net(d->net)->sync_threshold),
		.now = fnat_sync_secs(),
	};
	unsigned int n, i, nbuckets = max(fnat_conn_tab_size() / FNAT_SYNC_SWEEP_TICKS, 1U);
	bool done;

	if (time_after_eq(jiffies, m->hello_at)) {
		struct fnat_sync_buf b = { .data = d->txbuf };
		unsigned int mac_off;

		fnat_sync_msg_start(&b, IPVS_FNAT_SYNC_T_HELLO, d->conf.syncid, 0,
				    m->next_seq - 1, d->epoch, fnat_sync_keyed(m));
		mac_off = fnat_sync_msg_finish(&b, fnat_sync_keyed(m));
		fnat_sync_sign(d, &b, mac_off);
		fnat_sync_send_all(d, b.data, b.len);
		m->hello_at = jiffies + HZ;
	}
	if (m->resync && time_after(jiffies, m->resync_progress + FNAT_SYNC_RESYNC_STALL)) {
		/* The requester went away (or cannot keep up): it asks again. */
		m->resync = false;
		pr_debug("sync resync abandoned: no acknowledgement\n");
	}
	/* The sweep queues through the datapath's own path (references, QUEUED). */
	n = fnat_conn_collect(d->net, &m->sweep_bucket, nbuckets, fnat_sync_match_refresh, &sw,
			      m->batch, FNAT_SYNC_SWEEP_MAX, &done);
	for (i = 0; i < n; i++) {
		fnat_sync_conn_changed(m->batch[i]);
		fnat_conn_put(m->batch[i]);
	}
}

/* --- start and stop ---------------------------------------------------------------------- */

struct fnat_sync_daemon *fnat_sync_master_daemon(struct fnat_sync_master *m)
{
	return &m->d;
}

static void fnat_sync_master_free(struct fnat_sync_master *m)
{
	vfree(m->win);
	kfree(m->msgbuf);
	kvfree(m->q);
	kfree(m);
}

struct fnat_sync_master *fnat_sync_master_start(struct net *net,
						const struct fnat_sync_conf *conf,
						struct netlink_ext_ack *extack, int *err)
{
	struct fnat_sync_master *m = kzalloc(sizeof(*m), GFP_KERNEL);

	if (!m) {
		*err = -ENOMEM;
		return NULL;
	}
	spin_lock_init(&m->qlock);
	INIT_DELAYED_WORK(&m->tx_work, fnat_sync_tx_work);
	m->q = kvcalloc(FNAT_SYNC_Q_LEN, sizeof(*m->q), GFP_KERNEL);
	m->msgbuf = kmalloc(IPVS_FNAT_SYNC_MAX_MSG, GFP_KERNEL);
	m->win = vzalloc(array_size(FNAT_SYNC_WINDOW, sizeof(*m->win)));
	if (!m->q || !m->msgbuf || !m->win) {
		fnat_sync_master_free(m);
		*err = -ENOMEM;
		return NULL;
	}
	m->d.rx = fnat_sync_master_rx;
	m->d.on_tick = fnat_sync_master_tick;
	m->d.tx_work = &m->tx_work;
	*err = fnat_sync_daemon_setup(&m->d, net, conf, extack);
	if (*err) {
		fnat_sync_master_free(m);
		return NULL;
	}
	m->next_seq = 1;
	m->hello_at = jiffies;
	fnat_sync_begin(m);
	queue_delayed_work(fnat_sync_wq, &m->d.tick, 0);
	return m;
}

/* Unpublished, and a grace period passed (sync.c): nothing enqueues any more. */
void fnat_sync_master_stop(struct fnat_sync_master *m)
{
	fnat_sync_daemon_teardown(&m->d);
	/* What was still queued is not sent: the references go back. */
	while (m->qlen) {
		struct fnat_conn *cp = m->q[m->qhead];

		m->qhead = (m->qhead + 1) % FNAT_SYNC_Q_LEN;
		m->qlen--;
		clear_bit(FNAT_CONN_F_SYNC_QUEUED, &cp->flags);
		fnat_conn_put(cp);
	}
	fnat_sync_master_free(m);
}
