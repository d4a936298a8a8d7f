// SPDX-License-Identifier: GPL-2.0
/*
 * The sync backup: installs other directors' connections (docs/sync.md).
 *
 * It follows up to FNAT_SYNC_SOURCES masters, each known by its sync id and the
 * address it sends from (not the port: a restarted master sends from another one),
 * with the epoch and the next sequence number it expects of each. A message of an
 * epoch being followed belongs to that master whatever address or port a copy of it
 * comes from, so a replayed message is known by its sequence number even when it is
 * sent again from elsewhere; replies go to where the master's last accepted message
 * came from. A DATA message is
 * applied only in order: one ahead of a gap is not applied (go-back-N); the gap is
 * asked for again with a NACK of every missing number, retried each tick up to
 * FNAT_SYNC_NACK_TRIES times, after which the missing messages are given up (counted)
 * and a full resync is asked for. A master heard for the first time, or with a new
 * epoch (it restarted), is asked for a full resync too. Every message is checked
 * whole before anything of it is applied: its framing, every record, and its MAC.
 *
 * Synced: a request carries a random id, and the master's walk of its table ends
 * with the ids of the requests it answers. A source is synced once a walk with its
 * id has been applied in order (every record of it, since a request restarts the
 * walk after it arrived) and no message of it was given up since; a walk that ends
 * without the id (the request lost, or answered by a walk that started before)
 * is asked for again at once, and a request without any resync message seen for
 * FNAT_SYNC_RESYNC_RETRY too. The backup as a whole is synced (GET_DAEMON) once it
 * has listened long enough to have heard every live master's HELLO and each master
 * heard lately is synced: what a director (re)joining waits for before it
 * announces its VIPs (docs/scale-out.md).
 *
 * Lifetimes and locking: everything here is under the daemon's mutex (its rx work
 * and tick, sync.c); connections are installed through conn.c in process context.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/jiffies.h>
#include <linux/socket.h>
#include <linux/in6.h>
#include <linux/random.h>
#include <net/ipv6.h>
#include "sync.h"

#define FNAT_SYNC_NACK_TRIES	5
#define FNAT_SYNC_NACK_EVERY	(HZ / 10)
#define FNAT_SYNC_ACK_EVERY	32	/* messages applied between ACKs */
#define FNAT_SYNC_RESYNC_RETRY	(2 * HZ) /* a resync request not answered is sent again */

struct fnat_sync_source {
	bool used;
	u8 syncid;
	struct sockaddr_storage addr;	/* the master's address and port */
	u64 epoch;
	u32 next;			/* the next sequence number expected */
	bool gap;			/* messages next..last_seen are missing */
	u32 last_seen;
	unsigned int nack_tries;
	unsigned long nack_at;
	unsigned int unacked;		/* messages applied since the last ACK */
	bool resync_wanted;		/* asked for, not completed yet */
	u32 resync_id;			/* the id the last request carried */
	unsigned long resync_at;	/* the request, or the last resync message since */
	bool synced;			/* a resync of this epoch with our id completed */
	unsigned long heard;
};

struct fnat_sync_backup {
	struct fnat_sync_daemon d;
	unsigned long started;
	struct fnat_sync_source src[FNAT_SYNC_SOURCES];
};

/* The same host (the port left out). */
static bool fnat_sync_host_eq(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return ipv6_addr_equal(&x->sin6_addr, &y->sin6_addr);
	} else {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
}

/* With peers configured, only they are listened to. */
static bool fnat_sync_from_peer(const struct fnat_sync_conf *c, const struct sockaddr_storage *from)
{
	unsigned int i;

	if (!c->npeers)
		return true;
	for (i = 0; i < c->npeers; i++) {
		if (from->ss_family == AF_INET6 && c->af == AF_INET6 &&
		    ipv6_addr_equal(&((const struct sockaddr_in6 *)from)->sin6_addr, &c->peers[i].in6))
			return true;
		if (from->ss_family == AF_INET && c->af == AF_INET &&
		    ((const struct sockaddr_in *)from)->sin_addr.s_addr == c->peers[i].ip)
			return true;
	}
	return false;
}

/* --- control messages to a master -------------------------------------------------- */

static void fnat_sync_control(struct fnat_sync_backup *b, struct fnat_sync_source *s, u8 type,
			      u32 a, u32 z)
{
	struct fnat_sync_daemon *d = &b->d;
	struct fnat_sync_buf m = { .data = d->txbuf };
	bool keyed = d->tfm;
	unsigned int mac_off;

	fnat_sync_msg_start(&m, type, d->conf.syncid, 0, 0, d->epoch, keyed);
	fnat_sync_put_u64(&m, IPVS_FNAT_SYNC_FT_MASTER_EPOCH,
			  type == IPVS_FNAT_SYNC_T_RESYNC_REQ && !s->epoch ? 0 : s->epoch);
	if (type == IPVS_FNAT_SYNC_T_RESYNC_REQ)
		fnat_sync_put_u32(&m, IPVS_FNAT_SYNC_FT_RESYNC_ID, s->resync_id);
	else if (type == IPVS_FNAT_SYNC_T_ACK)
		fnat_sync_put_u32(&m, IPVS_FNAT_SYNC_FT_ACK_SEQ, a);
	else if (type == IPVS_FNAT_SYNC_T_NACK)
		fnat_sync_put_range(&m, a, z);
	mac_off = fnat_sync_msg_finish(&m, keyed);
	fnat_sync_sign(d, &m, mac_off);
	fnat_sync_send_to(d, m.data, m.len, &s->addr);
}

static void fnat_sync_ask_resync(struct fnat_sync_backup *b, struct fnat_sync_source *s)
{
	s->resync_wanted = true;
	s->synced = false;
	s->resync_id = get_random_u32();
	s->resync_at = jiffies;
	fnat_sync_count(&b->d, FNAT_C_SYNC_RESYNC_REQ);
	fnat_sync_control(b, s, IPVS_FNAT_SYNC_T_RESYNC_REQ, 0, 0);
}

static void fnat_sync_ack(struct fnat_sync_backup *b, struct fnat_sync_source *s)
{
	s->unacked = 0;
	fnat_sync_control(b, s, IPVS_FNAT_SYNC_T_ACK, s->next - 1, 0);
}

static void fnat_sync_nack(struct fnat_sync_backup *b, struct fnat_sync_source *s)
{
	s->nack_at = jiffies;
	s->nack_tries++;
	fnat_sync_count(&b->d, FNAT_C_SYNC_NACK_TX);
	fnat_sync_control(b, s, IPVS_FNAT_SYNC_T_NACK, s->next, s->last_seen);
}

/* --- the sources ----------------------------------------------------------------------- */

static struct fnat_sync_source *fnat_sync_source(struct fnat_sync_backup *b,
						 const struct sockaddr_storage *from, u8 syncid,
						 u64 epoch)
{
	struct fnat_sync_source *s, *free = NULL, *oldest = NULL, *host = NULL;
	unsigned int i;

	for (i = 0; i < FNAT_SYNC_SOURCES; i++) {
		s = &b->src[i];
		if (!s->used) {
			free = free ?: s;
			continue;
		}
		if (s->syncid == syncid) {
			/* A life being followed, from wherever this copy was sent. */
			if (s->epoch == epoch)
				return s;
			if (!host && fnat_sync_host_eq(&s->addr, from))
				host = s;
		}
		if (!oldest || time_before(s->heard, oldest->heard))
			oldest = s;
	}
	if (host)
		return host;	/* that master, in another life (older or newer) */
	/* A new master: the least recently heard is forgotten if there is no room. */
	s = free ?: oldest;
	memset(s, 0, sizeof(*s));
	s->addr = *from;
	s->syncid = syncid;
	return s;
}

/* --- applying ---------------------------------------------------------------------------- */

/* Every record of m decodes (nothing is applied from a message with a bad one). */
static bool fnat_sync_records_ok(const struct fnat_sync_msg *m)
{
	struct fnat_sync_conn c;
	unsigned int off = 0;
	const u8 *val;
	u16 type, len;

	while (fnat_sync_next(m, &off, &type, &val, &len) > 0)
		if ((type == IPVS_FNAT_SYNC_FT_CONN || type == IPVS_FNAT_SYNC_FT_CONN_DEL) &&
		    fnat_sync_decode_conn(val, len, type == IPVS_FNAT_SYNC_FT_CONN_DEL, &c))
			return false;
	return true;
}

/* A full resync's end in m: 0 none, 1 one that answers s's request, -1 another. */
static int fnat_sync_resync_end(const struct fnat_sync_source *s, const struct fnat_sync_msg *m)
{
	unsigned int off = 0;
	bool end = false;
	const u8 *val;
	u16 type, len;

	while (fnat_sync_next(m, &off, &type, &val, &len) > 0) {
		if (type == IPVS_FNAT_SYNC_FT_RESYNC_END)
			end = true;
		else if (end && type == IPVS_FNAT_SYNC_FT_RESYNC_ID &&
			 fnat_sync_get_u32(val) == s->resync_id)
			return 1;
	}
	return end ? -1 : 0;
}

static void fnat_sync_apply(struct fnat_sync_backup *b, const struct fnat_sync_msg *m)
{
	struct fnat_sync_daemon *d = &b->d;
	struct fnat_sync_conn c;
	unsigned int off = 0;
	const u8 *val;
	u16 type, len;

	while (fnat_sync_next(m, &off, &type, &val, &len) > 0) {
		enum fnat_dp_counter r;
		bool del = type == IPVS_FNAT_SYNC_FT_CONN_DEL;

		if (type != IPVS_FNAT_SYNC_FT_CONN && !del)
			continue;
		if (fnat_sync_decode_conn(val, len, del, &c))
			continue;	/* (checked before: cannot happen) */
		r = del ? fnat_conn_sync_delete(d->net, &c) : fnat_conn_sync_apply(d->net, &c);
		if (r != FNAT_C_MAX)
			fnat_sync_count(d, r);
		cond_resched();
	}
}

static void fnat_sync_backup_rx(struct fnat_sync_daemon *d, const u8 *data, unsigned int len,
				const struct sockaddr_storage *from)
{
	struct fnat_sync_backup *b = container_of(d, struct fnat_sync_backup, d);
	struct fnat_sync_source *s;
	struct fnat_sync_msg m;
	int err;

	err = fnat_sync_parse(data, len, &m);
	if (err) {
		fnat_sync_count(d, err == FNAT_SYNC_BAD_VERSION ? FNAT_C_SYNC_VERSION_ERR :
								  FNAT_C_SYNC_MALFORMED);
		return;
	}
	if (!fnat_sync_verify(d, data, &m)) {
		fnat_sync_count(d, FNAT_C_SYNC_AUTH_FAIL);
		return;
	}
	if (m.type != IPVS_FNAT_SYNC_T_DATA && m.type != IPVS_FNAT_SYNC_T_HELLO)
		return;		/* another backup's control message */
	if ((d->conf.syncid && m.syncid != d->conf.syncid) || !fnat_sync_from_peer(&d->conf, from))
		return;		/* a master this backup does not follow */
	if (m.type == IPVS_FNAT_SYNC_T_DATA && (!m.seq || !fnat_sync_records_ok(&m))) {
		fnat_sync_count(d, FNAT_C_SYNC_MALFORMED);
		return;
	}

	s = fnat_sync_source(b, from, m.syncid, m.epoch);
	if (s->used && m.epoch < s->epoch) {
		/* An older life of this master: recorded and played back. */
		fnat_sync_count(d, FNAT_C_SYNC_REPLAY);
		return;
	}
	s->heard = jiffies;
	if (!s->used || m.epoch > s->epoch) {
		/* First heard, or restarted: follow it from this message on, and ask
		 * for what it had before. */
		s->used = true;
		s->addr = *from;
		s->epoch = m.epoch;
		s->next = m.type == IPVS_FNAT_SYNC_T_DATA ? m.seq : m.seq + 1;
		s->gap = false;
		s->unacked = 0;
		fnat_sync_ask_resync(b, s);
	}

	if (m.type == IPVS_FNAT_SYNC_T_HELLO) {
		/* m.seq was the last sent: anything from next on is missing. */
		if ((s32)(m.seq - s->next) >= 0) {
			if (!s->gap || (s32)(m.seq - s->last_seen) > 0)
				s->last_seen = m.seq;
			if (!s->gap) {
				s->gap = true;
				s->nack_tries = 0;
				fnat_sync_nack(b, s);
			}
		}
		return;
	}

	if ((s32)(m.seq - s->next) < 0) {
		fnat_sync_count(d, FNAT_C_SYNC_REPLAY);	/* had it already */
		return;
	}
	if (m.seq != s->next) {
		if ((s32)(m.seq - s->next) >= FNAT_SYNC_WINDOW) {
			/* Beyond what the master keeps: the gap cannot be repaired. */
			fnat_sync_count_n(d, FNAT_C_SYNC_GAP_LOST, m.seq - s->next);
			s->next = m.seq;
			s->gap = false;
			fnat_sync_ask_resync(b, s);
		} else {
			if (!s->gap || (s32)(m.seq - s->last_seen) > 0)
				s->last_seen = m.seq;
			if (!s->gap) {
				s->gap = true;
				s->nack_tries = 0;
				fnat_sync_nack(b, s);
			}
			return;	/* applied in order, once the gap is filled */
		}
	}
	fnat_sync_apply(b, &m);
	fnat_sync_count(d, FNAT_C_SYNC_RX_MSGS);
	s->addr = *from;	/* where the master's next replies are wanted */
	s->next = m.seq + 1;
	if (m.flags & IPVS_FNAT_SYNC_F_RESYNC) {
		int end = fnat_sync_resync_end(s, &m);

		if (end > 0 && s->resync_wanted) {
			s->resync_wanted = false;
			s->synced = true;
			fnat_sync_count(d, FNAT_C_SYNC_RESYNC_DONE);
		} else if (end < 0 && s->resync_wanted) {
			fnat_sync_ask_resync(b, s);	/* that walk was not ours */
		} else if (s->resync_wanted) {
			s->resync_at = jiffies;		/* a walk in progress */
		}
	}
	if (s->gap && (s32)(s->next - s->last_seen) > 0)
		s->gap = false;
	if (s->gap)
		s->nack_tries = 0;	/* progress: the next retry asks for the rest */
	if (++s->unacked >= FNAT_SYNC_ACK_EVERY)
		fnat_sync_ack(b, s);
}

static void fnat_sync_backup_tick(struct fnat_sync_daemon *d)
{
	struct fnat_sync_backup *b = container_of(d, struct fnat_sync_backup, d);
	unsigned int i;

	for (i = 0; i < FNAT_SYNC_SOURCES; i++) {
		struct fnat_sync_source *s = &b->src[i];

		if (!s->used)
			continue;
		if (s->gap && time_after_eq(jiffies, s->nack_at + FNAT_SYNC_NACK_EVERY)) {
			if (s->nack_tries >= FNAT_SYNC_NACK_TRIES) {
				/* Not resent (out of the master's window, or lost
				 * again and again): given up, and the table asked for. */
				fnat_sync_count_n(d, FNAT_C_SYNC_GAP_LOST, s->last_seen - s->next + 1);
				s->next = s->last_seen + 1;
				s->gap = false;
				fnat_sync_ask_resync(b, s);
			} else {
				fnat_sync_nack(b, s);
			}
		}
		if (s->resync_wanted && time_after_eq(jiffies, s->resync_at + FNAT_SYNC_RESYNC_RETRY))
			fnat_sync_ask_resync(b, s);
		if (s->unacked)
			fnat_sync_ack(b, s);
	}
}

/* --- what netlink shows ------------------------------------------------------------------ */

void fnat_sync_backup_status(struct fnat_sync_backup *b, struct fnat_sync_backup_status *st)
{
	unsigned long live = msecs_to_jiffies(IPVS_FNAT_SYNC_LIVE_MS);
	unsigned int i;

	mutex_lock(&b->d.lock);
	st->synced = time_after_eq(jiffies, b->started + msecs_to_jiffies(IPVS_FNAT_SYNC_SETTLE_MS));
	st->n = 0;
	for (i = 0; i < FNAT_SYNC_SOURCES; i++) {
		const struct fnat_sync_source *s = &b->src[i];
		struct fnat_sync_master_seen *o = &st->m[st->n];

		if (!s->used)
			continue;
		o->syncid = s->syncid;
		o->addr = s->addr;
		o->epoch = s->epoch;
		o->synced = s->synced;
		o->heard_ms = jiffies_to_msecs(jiffies - s->heard);
		/* One not heard lately is gone (or cut off): not waited for. */
		if (!s->synced && time_before(jiffies, s->heard + live))
			st->synced = false;
		st->n++;
	}
	mutex_unlock(&b->d.lock);
}

/* --- start and stop ---------------------------------------------------------------------- */

struct fnat_sync_daemon *fnat_sync_backup_daemon(struct fnat_sync_backup *b)
{
	return &b->d;
}

struct fnat_sync_backup *fnat_sync_backup_start(struct net *net,
						const struct fnat_sync_conf *conf,
						struct netlink_ext_ack *extack, int *err)
{
	struct fnat_sync_backup *b = kzalloc(sizeof(*b), GFP_KERNEL);

	if (!b) {
		*err = -ENOMEM;
		return NULL;
	}
	b->d.rx = fnat_sync_backup_rx;
	b->d.on_tick = fnat_sync_backup_tick;
	b->started = jiffies;
	*err = fnat_sync_daemon_setup(&b->d, net, conf, extack);
	if (*err) {
		kfree(b);
		return NULL;
	}
	queue_delayed_work(fnat_sync_wq, &b->d.tick, HZ / 10);
	return b;
}

void fnat_sync_backup_stop(struct fnat_sync_backup *b)
{
	fnat_sync_daemon_teardown(&b->d);
	kfree(b);
}
