// SPDX-License-Identifier: GPL-2.0
/*
 * The sync wire format (uapi/ipvs_fnat_sync.h, docs/sync.md): building messages
 * into a buffer and checking received ones. Pure functions over bytes: no locks, no
 * allocation, no kernel object but the snapshot struct, so that every rule of the
 * format is in one place. A received message is checked whole (fnat_sync_parse(),
 * then each record with fnat_sync_decode_conn()) before anything of it is applied.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/in.h>
#include <linux/socket.h>
#include "sync.h"

#define FNAT_SYNC_FIELD_HDR	4
#define FNAT_SYNC_PAD4(n)	(((n) + 3U) & ~3U)
/* Room for the MAC field at the end of a keyed message. */
#define FNAT_SYNC_MAC_FIELD	(FNAT_SYNC_FIELD_HDR + IPVS_FNAT_SYNC_MAC_LEN)

static void fnat_put16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void fnat_put32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static u16 fnat_get16(const u8 *p)
{
	return (u16)p[0] << 8 | p[1];
}

void fnat_sync_msg_start(struct fnat_sync_buf *b, u8 type, u8 syncid, u16 flags, u32 seq,
			 u64 epoch, bool keyed)
{
	u8 *h = b->data;

	memset(h, 0, IPVS_FNAT_SYNC_HDR_LEN);
	fnat_put32(h, IPVS_FNAT_SYNC_MAGIC);
	h[4] = IPVS_FNAT_SYNC_VERSION;
	h[5] = type;
	h[8] = IPVS_FNAT_SYNC_HDR_LEN;
	h[9] = syncid;
	fnat_put16(h + 10, flags);
	fnat_put32(h + 12, seq);
	fnat_put32(h + 16, epoch >> 32);
	fnat_put32(h + 20, (u32)epoch);
	b->len = IPVS_FNAT_SYNC_HDR_LEN;
	b->cap = IPVS_FNAT_SYNC_MAX_MSG - (keyed ? FNAT_SYNC_MAC_FIELD : 0);
	b->records = 0;
}

/* Start a field of vlen bytes at the end of b: its value's address, or NULL if it
 * does not fit. The padding is zeroed. */
static u8 *fnat_sync_field(struct fnat_sync_buf *b, u16 type, unsigned int vlen)
{
	unsigned int total = FNAT_SYNC_FIELD_HDR + FNAT_SYNC_PAD4(vlen);
	u8 *p;

	if (b->len + total > b->cap)
		return NULL;
	p = b->data + b->len;
	fnat_put16(p, type);
	fnat_put16(p + 2, vlen);
	memset(p + FNAT_SYNC_FIELD_HDR + vlen, 0, FNAT_SYNC_PAD4(vlen) - vlen);
	b->len += total;
	return p + FNAT_SYNC_FIELD_HDR;
}

bool fnat_sync_put_u32(struct fnat_sync_buf *b, u16 type, u32 v)
{
	u8 *p = fnat_sync_field(b, type, 4);

	if (p)
		fnat_put32(p, v);
	return p;
}

bool fnat_sync_put_u64(struct fnat_sync_buf *b, u16 type, u64 v)
{
	u8 *p = fnat_sync_field(b, type, 8);

	if (p) {
		fnat_put32(p, v >> 32);
		fnat_put32(p + 4, (u32)v);
	}
	return p;
}

bool fnat_sync_put_resync_end(struct fnat_sync_buf *b, u32 records, const u32 *ids,
			      unsigned int nids)
{
	unsigned int i;

	if (b->len + (1 + nids) * (FNAT_SYNC_FIELD_HDR + 4) > b->cap)
		return false;
	fnat_sync_put_u32(b, IPVS_FNAT_SYNC_FT_RESYNC_END, records);
	for (i = 0; i < nids; i++)
		fnat_sync_put_u32(b, IPVS_FNAT_SYNC_FT_RESYNC_ID, ids[i]);
	return true;
}

void fnat_sync_msg_add_flags(struct fnat_sync_buf *b, u16 flags)
{
	fnat_put16(b->data + 10, fnat_get16(b->data + 10) | flags);
}

bool fnat_sync_put_range(struct fnat_sync_buf *b, u32 first, u32 last)
{
	u8 *p = fnat_sync_field(b, IPVS_FNAT_SYNC_FT_RANGE, 8);

	if (p) {
		fnat_put32(p, first);
		fnat_put32(p + 4, last);
	}
	return p;
}

static const u8 fnat_sync_state_to_wire[FNAT_S_MAX] = {
	[FNAT_S_ESTABLISHED] = IPVS_FNAT_SYNC_S_ESTABLISHED,
	[FNAT_S_FIN_WAIT] = IPVS_FNAT_SYNC_S_FIN_WAIT,
	[FNAT_S_TIME_WAIT] = IPVS_FNAT_SYNC_S_TIME_WAIT,
	[FNAT_S_CLOSE] = IPVS_FNAT_SYNC_S_CLOSE,
	[FNAT_S_UDP] = IPVS_FNAT_SYNC_S_UDP,
};

static int fnat_sync_state_from_wire(u8 w)
{
	switch (w) {
	case IPVS_FNAT_SYNC_S_ESTABLISHED: return FNAT_S_ESTABLISHED;
	case IPVS_FNAT_SYNC_S_FIN_WAIT: return FNAT_S_FIN_WAIT;
	case IPVS_FNAT_SYNC_S_TIME_WAIT: return FNAT_S_TIME_WAIT;
	case IPVS_FNAT_SYNC_S_CLOSE: return FNAT_S_CLOSE;
	case IPVS_FNAT_SYNC_S_UDP: return FNAT_S_UDP;
	}
	return -1;
}

static unsigned int fnat_sync_tuple_len(u16 af)
{
	return af == AF_INET6 ? IPVS_FNAT_SYNC_TUPLE6_LEN : IPVS_FNAT_SYNC_TUPLE4_LEN;
}

/* The whole record's length, to check it fits before writing any of it. */
static unsigned int fnat_sync_conn_len(const struct fnat_sync_conn *c, bool del)
{
	unsigned int n = FNAT_SYNC_FIELD_HDR + fnat_sync_tuple_len(c->af);

	if (del)
		return n;
	n += FNAT_SYNC_FIELD_HDR + IPVS_FNAT_SYNC_TIMER_LEN;
	if (c->protocol == IPPROTO_TCP)
		n += FNAT_SYNC_FIELD_HDR + IPVS_FNAT_SYNC_TCP_LEN;
	if (c->flags & IPVS_FNAT_SYNC_CF_SYNPROXY)
		n += FNAT_SYNC_FIELD_HDR + IPVS_FNAT_SYNC_SYNPROXY_LEN;
	return n;
}

bool fnat_sync_put_conn(struct fnat_sync_buf *b, const struct fnat_sync_conn *c, bool del)
{
	unsigned int alen = c->af == AF_INET6 ? 16 : 4, inner = fnat_sync_conn_len(c, del);
	u8 *rec, *p;

	rec = fnat_sync_field(b, del ? IPVS_FNAT_SYNC_FT_CONN_DEL : IPVS_FNAT_SYNC_FT_CONN, inner);
	if (!rec)
		return false;
	/* The inner fields are all multiples of 4: no padding inside. */
	p = rec;
	fnat_put16(p, IPVS_FNAT_SYNC_CT_TUPLE);
	fnat_put16(p + 2, fnat_sync_tuple_len(c->af));
	p += FNAT_SYNC_FIELD_HDR;
	p[0] = c->af == AF_INET6 ? 6 : 4;
	p[1] = c->protocol;
	p[2] = c->state < FNAT_S_MAX ? fnat_sync_state_to_wire[c->state] : 0;
	p[3] = 0;
	p += 4;
	memcpy(p, &c->caddr, alen);
	memcpy(p + alen, &c->vaddr, alen);
	memcpy(p + 2 * alen, &c->laddr, alen);
	memcpy(p + 3 * alen, &c->daddr, alen);
	p += 4 * alen;
	memcpy(p, &c->cport, 2);
	memcpy(p + 2, &c->vport, 2);
	memcpy(p + 4, &c->lport, 2);
	memcpy(p + 6, &c->dport, 2);
	p += 8;
	if (!del) {
		fnat_put16(p, IPVS_FNAT_SYNC_CT_TIMER);
		fnat_put16(p + 2, IPVS_FNAT_SYNC_TIMER_LEN);
		fnat_put32(p + 4, c->expires_ms);
		fnat_put32(p + 8, c->flags);
		p += FNAT_SYNC_FIELD_HDR + IPVS_FNAT_SYNC_TIMER_LEN;
		if (c->protocol == IPPROTO_TCP) {
			fnat_put16(p, IPVS_FNAT_SYNC_CT_TCP);
			fnat_put16(p + 2, IPVS_FNAT_SYNC_TCP_LEN);
			fnat_put32(p + 4, c->seq_delta);
			fnat_put32(p + 8, c->rs_isn);
			fnat_put32(p + 12, c->c_nxt);
			fnat_put32(p + 16, c->r_nxt);
			p += FNAT_SYNC_FIELD_HDR + IPVS_FNAT_SYNC_TCP_LEN;
		}
		if (c->flags & IPVS_FNAT_SYNC_CF_SYNPROXY) {
			fnat_put16(p, IPVS_FNAT_SYNC_CT_SYNPROXY);
			fnat_put16(p + 2, IPVS_FNAT_SYNC_SYNPROXY_LEN);
			fnat_put32(p + 4, c->rs_seq_delta);
			fnat_put32(p + 8, c->ts_in_delta);
			fnat_put32(p + 12, c->ts_out_delta);
			p[16] = c->wscale;
			p[17] = p[18] = p[19] = 0;
		}
	}
	b->records++;
	return true;
}

unsigned int fnat_sync_msg_finish(struct fnat_sync_buf *b, bool keyed)
{
	unsigned int mac_off = 0;

	if (keyed) {
		u8 *p = b->data + b->len;

		/* (the cap kept this room aside) */
		fnat_put16(p, IPVS_FNAT_SYNC_FT_MAC);
		fnat_put16(p + 2, IPVS_FNAT_SYNC_MAC_LEN);
		mac_off = b->len + FNAT_SYNC_FIELD_HDR;
		memset(b->data + mac_off, 0, IPVS_FNAT_SYNC_MAC_LEN);
		b->len += FNAT_SYNC_MAC_FIELD;
	}
	fnat_put16(b->data + 6, b->len);
	return mac_off;
}

void fnat_sync_msg_set_seq(struct fnat_sync_buf *b, u32 seq)
{
	fnat_put32(b->data + 12, seq);
}

/* One field's framing at off within [0, end): 1 with type/value/len and *next, 0 at
 * the end, -EINVAL when it overruns. */
static int fnat_sync_field_at(const u8 *base, unsigned int off, unsigned int end, u16 *type,
			      const u8 **val, u16 *len, unsigned int *next)
{
	unsigned int total;

	if (off == end)
		return 0;
	if (end - off < FNAT_SYNC_FIELD_HDR)
		return -EINVAL;
	*type = fnat_get16(base + off);
	*len = fnat_get16(base + off + 2);
	total = FNAT_SYNC_FIELD_HDR + FNAT_SYNC_PAD4(*len);
	if (total > end - off)
		return -EINVAL;
	*val = base + off + FNAT_SYNC_FIELD_HDR;
	*next = off + total;
	return 1;
}

/* A top-level field's length: 0 for one checked when decoded, -1 for a type not
 * known here. */
static int fnat_sync_top_len(u16 type)
{
	switch (type) {
	case IPVS_FNAT_SYNC_FT_CONN:
	case IPVS_FNAT_SYNC_FT_CONN_DEL:
		return 0;
	case IPVS_FNAT_SYNC_FT_RESYNC_END:
	case IPVS_FNAT_SYNC_FT_RESYNC_ID:
	case IPVS_FNAT_SYNC_FT_ACK_SEQ:
		return 4;
	case IPVS_FNAT_SYNC_FT_MASTER_EPOCH:
	case IPVS_FNAT_SYNC_FT_RANGE:
		return 8;
	}
	return -1;
}

int fnat_sync_parse(const u8 *data, unsigned int len, struct fnat_sync_msg *m)
{
	unsigned int hlen, off, next;
	const u8 *val;
	u16 type, flen;
	int r, want;

	if (len < 8 || fnat_sync_get_u32(data) != IPVS_FNAT_SYNC_MAGIC ||
	    data[4] != IPVS_FNAT_SYNC_VERSION)
		return FNAT_SYNC_BAD_VERSION;
	hlen = data[8];
	if (len < IPVS_FNAT_SYNC_HDR_LEN || fnat_get16(data + 6) != len ||
	    hlen < IPVS_FNAT_SYNC_HDR_LEN || hlen > len || hlen & 3)
		return FNAT_SYNC_BAD_FORMAT;
	m->type = data[5];
	m->syncid = data[9];
	m->flags = fnat_get16(data + 10);
	m->seq = fnat_sync_get_u32(data + 12);
	m->epoch = fnat_sync_get_u64(data + 16);
	m->fields = data + hlen;
	m->mac = NULL;
	m->mac_covered = 0;
	off = hlen;
	while ((r = fnat_sync_field_at(data, off, len, &type, &val, &flen, &next)) > 0) {
		if (type == IPVS_FNAT_SYNC_FT_MAC) {
			/* The last field, exactly. */
			if (flen != IPVS_FNAT_SYNC_MAC_LEN || next != len)
				return FNAT_SYNC_BAD_FORMAT;
			m->mac = val;
			m->mac_covered = val - data;
			m->fields_len = off - hlen;
			return 0;
		}
		want = fnat_sync_top_len(type);
		/* Unknown: skipped unless mandatory. Known: exactly its length. */
		if (want < 0 ? (type & IPVS_FNAT_SYNC_MANDATORY) : (want && flen != want))
			return FNAT_SYNC_BAD_FORMAT;
		off = next;
	}
	if (r < 0)
		return FNAT_SYNC_BAD_FORMAT;
	m->fields_len = len - hlen;
	return 0;
}

int fnat_sync_next(const struct fnat_sync_msg *m, unsigned int *off, u16 *type,
		   const u8 **val, u16 *len)
{
	unsigned int next;
	int r = fnat_sync_field_at(m->fields, *off, m->fields_len, type, val, len, &next);

	if (r > 0)
		*off = next;
	return r;
}

int fnat_sync_decode_conn(const u8 *val, u16 len, bool del, struct fnat_sync_conn *c)
{
	bool tuple = false, timer = false, tcp = false, sp = false;
	unsigned int off = 0, next, alen;
	const u8 *v;
	u16 type, flen;
	int r, st = FNAT_S_NONE;

	memset(c, 0, sizeof(*c));
	while ((r = fnat_sync_field_at(val, off, len, &type, &v, &flen, &next)) > 0) {
		off = next;
		switch (type) {
		case IPVS_FNAT_SYNC_CT_TUPLE:
			if (tuple || flen < 4)
				return -EINVAL;
			if (v[0] == 4 && flen == IPVS_FNAT_SYNC_TUPLE4_LEN)
				c->af = AF_INET;
			else if (v[0] == 6 && flen == IPVS_FNAT_SYNC_TUPLE6_LEN)
				c->af = AF_INET6;
			else
				return -EINVAL;
			if (v[1] != IPPROTO_TCP && v[1] != IPPROTO_UDP)
				return -EINVAL;
			c->protocol = v[1];
			st = fnat_sync_state_from_wire(v[2]);
			if (!del && (st < 0 || (st == FNAT_S_UDP) != (c->protocol == IPPROTO_UDP)))
				return -EINVAL;
			c->state = st < 0 ? FNAT_S_NONE : st;
			alen = c->af == AF_INET6 ? 16 : 4;
			v += 4;
			memcpy(&c->caddr, v, alen);
			memcpy(&c->vaddr, v + alen, alen);
			memcpy(&c->laddr, v + 2 * alen, alen);
			memcpy(&c->daddr, v + 3 * alen, alen);
			v += 4 * alen;
			memcpy(&c->cport, v, 2);
			memcpy(&c->vport, v + 2, 2);
			memcpy(&c->lport, v + 4, 2);
			memcpy(&c->dport, v + 6, 2);
			if (!c->vport || !c->lport || !c->dport)
				return -EINVAL;
			tuple = true;
			break;
		case IPVS_FNAT_SYNC_CT_TIMER:
			if (del || timer || flen != IPVS_FNAT_SYNC_TIMER_LEN)
				return -EINVAL;
			c->expires_ms = fnat_sync_get_u32(v);
			/* Unknown flag bits are a later version's: ignored. */
			c->flags = fnat_sync_get_u32(v + 4) & IPVS_FNAT_SYNC_CF_ALL;
			timer = true;
			break;
		case IPVS_FNAT_SYNC_CT_TCP:
			if (del || tcp || flen != IPVS_FNAT_SYNC_TCP_LEN)
				return -EINVAL;
			c->seq_delta = fnat_sync_get_u32(v);
			c->rs_isn = fnat_sync_get_u32(v + 4);
			c->c_nxt = fnat_sync_get_u32(v + 8);
			c->r_nxt = fnat_sync_get_u32(v + 12);
			tcp = true;
			break;
		case IPVS_FNAT_SYNC_CT_SYNPROXY:
			if (del || sp || flen != IPVS_FNAT_SYNC_SYNPROXY_LEN)
				return -EINVAL;
			c->rs_seq_delta = fnat_sync_get_u32(v);
			c->ts_in_delta = fnat_sync_get_u32(v + 4);
			c->ts_out_delta = fnat_sync_get_u32(v + 8);
			c->wscale = v[12];
			sp = true;
			break;
		default:
			if (type & IPVS_FNAT_SYNC_MANDATORY)
				return -EINVAL;
			break;	/* a later version's optional field */
		}
	}
	if (r < 0 || !tuple)
		return -EINVAL;
	if (del)
		return 0;
	if (!timer || tcp != (c->protocol == IPPROTO_TCP) ||
	    sp != !!(c->flags & IPVS_FNAT_SYNC_CF_SYNPROXY) ||
	    (sp && c->protocol != IPPROTO_TCP))
		return -EINVAL;
	return 0;
}
