/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TCP option editing for the FULLNAT datapath, as plain C over the option bytes of one
 * TCP header (the bytes between the 20-byte fixed header and doff * 4). The kernel's
 * proto_tcp.c and the userspace unit tests run the same code.
 *
 * Every function walks the options with fnat_tcpopt_next(), which never reads past
 * the given length and stops at the first malformed option (length 0 or 1 for a kind
 * that needs a length, or a length running past the end). Edits are made in place
 * and never change the options' total length, so the TCP header keeps its size; the
 * caller fixes the checksum (for CHECKSUM_PARTIAL skbs option bytes need nothing, for
 * the others the caller recomputes or updates it).
 */
#ifndef FNAT_TCPOPT_H
#define FNAT_TCPOPT_H

#include <linux/types.h>

#define FNAT_TCPOPT_EOL		0
#define FNAT_TCPOPT_NOP		1
#define FNAT_TCPOPT_MSS		2
#define FNAT_TCPOPT_WSCALE	3
#define FNAT_TCPOPT_SACK_PERM	4
#define FNAT_TCPOPT_SACK	5
#define FNAT_TCPOPT_TIMESTAMP	8

#define FNAT_TCPOLEN_MSS	4
#define FNAT_TCPOLEN_TIMESTAMP	10
#define FNAT_TCPOPT_SPACE_MAX	40	/* doff 15: 60-byte header */

enum fnat_tcpopt_walk {
	FNAT_TCPOPT_END = 0,		/* no more options (end of area or EOL) */
	FNAT_TCPOPT_ONE = 1,		/* *off, *kind, *len describe one option */
	FNAT_TCPOPT_BAD = -1,		/* malformed: stop, trust nothing further */
};

/*
 * Step to the next option at or after *pos. NOPs are skipped. On FNAT_TCPOPT_ONE,
 * *off is the option's offset (its kind byte), *kind and *len its kind and total
 * length (at least 2), and *pos has moved past it.
 */
static inline int fnat_tcpopt_next(const __u8 *opt, unsigned int optlen, unsigned int *pos,
				   unsigned int *off, __u8 *kind, __u8 *len)
{
	while (*pos < optlen) {
		__u8 k = opt[*pos];

		if (k == FNAT_TCPOPT_EOL)
			return FNAT_TCPOPT_END;
		if (k == FNAT_TCPOPT_NOP) {
			(*pos)++;
			continue;
		}
		if (optlen - *pos < 2)
			return FNAT_TCPOPT_BAD;
		if (opt[*pos + 1] < 2 || opt[*pos + 1] > optlen - *pos)
			return FNAT_TCPOPT_BAD;
		*off = *pos;
		*kind = k;
		*len = opt[*pos + 1];
		*pos += *len;
		return FNAT_TCPOPT_ONE;
	}
	return FNAT_TCPOPT_END;
}

static inline __u32 fnat_get_be32(const __u8 *p)
{
	return ((__u32)p[0] << 24) | ((__u32)p[1] << 16) | ((__u32)p[2] << 8) | p[3];
}

static inline void fnat_put_be32(__u8 *p, __u32 v)
{
	p[0] = (__u8)(v >> 24);
	p[1] = (__u8)(v >> 16);
	p[2] = (__u8)(v >> 8);
	p[3] = (__u8)v;
}

/*
 * Replace a timestamp option with NOPs (on a SYN, so that the real server cannot
 * refuse a reused local port on PAWS grounds). Returns 1 if one was removed, 0 if
 * none, -1 if the options are malformed (the caller drops or passes the packet
 * unchanged; nothing was written).
 */
static inline int fnat_tcpopt_strip_timestamp(__u8 *opt, unsigned int optlen)
{
	unsigned int pos = 0, off;
	__u8 kind, len;
	int r, i;

	while ((r = fnat_tcpopt_next(opt, optlen, &pos, &off, &kind, &len)) == FNAT_TCPOPT_ONE) {
		if (kind != FNAT_TCPOPT_TIMESTAMP)
			continue;
		if (len != FNAT_TCPOLEN_TIMESTAMP)
			return -1;
		for (i = 0; i < len; i++)
			opt[off + i] = FNAT_TCPOPT_NOP;
		return 1;
	}
	return r == FNAT_TCPOPT_BAD ? -1 : 0;
}

/*
 * Lower the MSS option by `by` bytes (on the real server's SYN-ACK, so that the
 * client's segments leave room for the TOA). An MSS that would drop below `floor`
 * is set to `floor`. Returns 1 and the old and new values if it changed the option,
 * 0 if there is no MSS option, -1 if malformed (nothing written).
 */
static inline int fnat_tcpopt_lower_mss(__u8 *opt, unsigned int optlen, __u16 by, __u16 floor,
					__u16 *old_mss, __u16 *new_mss)
{
	unsigned int pos = 0, off;
	__u8 kind, len;
	int r;

	while ((r = fnat_tcpopt_next(opt, optlen, &pos, &off, &kind, &len)) == FNAT_TCPOPT_ONE) {
		__u16 mss, lowered;

		if (kind != FNAT_TCPOPT_MSS)
			continue;
		if (len != FNAT_TCPOLEN_MSS)
			return -1;
		mss = (__u16)((opt[off + 2] << 8) | opt[off + 3]);
		if ((unsigned int)mss >= (unsigned int)by + floor)
			lowered = (__u16)(mss - by);
		else	/* down to the floor, but never raise an MSS already below it */
			lowered = mss < floor ? mss : floor;
		*old_mss = mss;
		*new_mss = lowered;
		opt[off + 2] = (__u8)(lowered >> 8);
		opt[off + 3] = (__u8)lowered;
		return 1;
	}
	return r == FNAT_TCPOPT_BAD ? -1 : 0;
}

/*
 * Subtract `delta` from every SACK block edge (on segments from the real server: it
 * acknowledges sequence numbers of the translated space, the client expects its own).
 * Returns the number of blocks changed, or -1 if malformed (nothing written: the walk
 * validates every SACK option before the first edit).
 */
static inline int fnat_tcpopt_shift_sack(__u8 *opt, unsigned int optlen, __u32 delta)
{
	unsigned int pos = 0, off;
	__u8 kind, len;
	int r, blocks = 0;

	/* Pass 1: validate. */
	while ((r = fnat_tcpopt_next(opt, optlen, &pos, &off, &kind, &len)) == FNAT_TCPOPT_ONE)
		if (kind == FNAT_TCPOPT_SACK && (len < 10 || (len - 2) % 8))
			return -1;
	if (r == FNAT_TCPOPT_BAD)
		return -1;

	/* Pass 2: edit. */
	pos = 0;
	while (fnat_tcpopt_next(opt, optlen, &pos, &off, &kind, &len) == FNAT_TCPOPT_ONE) {
		unsigned int e;

		if (kind != FNAT_TCPOPT_SACK)
			continue;
		for (e = off + 2; e < off + len; e += 4)
			fnat_put_be32(opt + e, fnat_get_be32(opt + e) - delta);
		blocks += (len - 2) / 8;
	}
	return blocks;
}

/*
 * Bytes of the option area in use: up to the end of the last real option, so that
 * trailing NOP/EOL padding can be reused by an option appended after it. -1 if the
 * options are malformed.
 */
static inline int fnat_tcpopt_used(const __u8 *opt, unsigned int optlen)
{
	unsigned int pos = 0, off = 0, end = 0;
	__u8 kind, len;
	int r;

	while ((r = fnat_tcpopt_next(opt, optlen, &pos, &off, &kind, &len)) == FNAT_TCPOPT_ONE)
		end = off + len;
	return r == FNAT_TCPOPT_BAD ? -1 : (int)end;
}

/* --- the SYN proxy's option work (kernel/ipvs_fnat/synproxy.c) ------------------------ */

#define FNAT_TCPOLEN_WSCALE	3
#define FNAT_TCPOLEN_SACK_PERM	2
#define FNAT_WSCALE_NONE	0xf	/* no window scale option (as in Linux's cookies) */
#define FNAT_WSCALE_MAX		14	/* RFC 7323 */

/* What a SYN or a handshake's ACK offered, as the SYN proxy needs it. */
struct fnat_tcpopts {
	__u16 mss;		/* 0: no MSS option */
	__u8 wscale;		/* FNAT_WSCALE_NONE: none; larger values read as 14 */
	__u8 sack_ok;
	__u8 ts_ok;
	__u32 tsval, tsecr;
};

/*
 * Read MSS, window scale, SACK-permitted and timestamps. Options of the wrong length
 * are malformed (RFC 9293 says to ignore them; a SYN proxy that answers for the
 * real server would rather refuse the segment than guess). Returns 0, or -1 if
 * malformed.
 */
static inline int fnat_tcpopt_parse(const __u8 *opt, unsigned int optlen, struct fnat_tcpopts *o)
{
	unsigned int pos = 0, off;
	__u8 kind, len;
	int r;

	o->mss = 0;
	o->wscale = FNAT_WSCALE_NONE;
	o->sack_ok = 0;
	o->ts_ok = 0;
	o->tsval = 0;
	o->tsecr = 0;
	while ((r = fnat_tcpopt_next(opt, optlen, &pos, &off, &kind, &len)) == FNAT_TCPOPT_ONE) {
		switch (kind) {
		case FNAT_TCPOPT_MSS:
			if (len != FNAT_TCPOLEN_MSS)
				return -1;
			o->mss = (__u16)((opt[off + 2] << 8) | opt[off + 3]);
			break;
		case FNAT_TCPOPT_WSCALE:
			if (len != FNAT_TCPOLEN_WSCALE)
				return -1;
			o->wscale = opt[off + 2] > FNAT_WSCALE_MAX ? FNAT_WSCALE_MAX : opt[off + 2];
			break;
		case FNAT_TCPOPT_SACK_PERM:
			if (len != FNAT_TCPOLEN_SACK_PERM)
				return -1;
			o->sack_ok = 1;
			break;
		case FNAT_TCPOPT_TIMESTAMP:
			if (len != FNAT_TCPOLEN_TIMESTAMP)
				return -1;
			o->ts_ok = 1;
			o->tsval = fnat_get_be32(opt + off + 2);
			o->tsecr = fnat_get_be32(opt + off + 6);
			break;
		}
	}
	return r == FNAT_TCPOPT_BAD ? -1 : 0;
}

/* Bytes fnat_tcpopt_write_syn() writes for o: a multiple of 4, at most 20. */
static inline unsigned int fnat_tcpopt_syn_len(const struct fnat_tcpopts *o)
{
	unsigned int n = o->mss ? 4 : 0;

	if (o->ts_ok)
		n += 12;	/* SACK-permitted (or two NOPs) + timestamps */
	else if (o->sack_ok)
		n += 4;		/* NOP NOP SACK-permitted */
	if (o->wscale != FNAT_WSCALE_NONE)
		n += 4;		/* NOP window scale */
	return n;
}

/*
 * Write the options of a SYN or SYN-ACK for o, in the order Linux sends them (MSS,
 * SACK-permitted with the timestamps, window scale), 4-byte aligned with NOPs, into
 * opt (room for fnat_tcpopt_syn_len(o) bytes). Returns the length written.
 */
static inline unsigned int fnat_tcpopt_write_syn(__u8 *opt, const struct fnat_tcpopts *o)
{
	unsigned int n = 0;

	if (o->mss) {
		opt[n++] = FNAT_TCPOPT_MSS;
		opt[n++] = FNAT_TCPOLEN_MSS;
		opt[n++] = (__u8)(o->mss >> 8);
		opt[n++] = (__u8)o->mss;
	}
	if (o->ts_ok) {
		if (o->sack_ok) {
			opt[n++] = FNAT_TCPOPT_SACK_PERM;
			opt[n++] = FNAT_TCPOLEN_SACK_PERM;
		} else {
			opt[n++] = FNAT_TCPOPT_NOP;
			opt[n++] = FNAT_TCPOPT_NOP;
		}
		opt[n++] = FNAT_TCPOPT_TIMESTAMP;
		opt[n++] = FNAT_TCPOLEN_TIMESTAMP;
		fnat_put_be32(opt + n, o->tsval);
		fnat_put_be32(opt + n + 4, o->tsecr);
		n += 8;
	} else if (o->sack_ok) {
		opt[n++] = FNAT_TCPOPT_NOP;
		opt[n++] = FNAT_TCPOPT_NOP;
		opt[n++] = FNAT_TCPOPT_SACK_PERM;
		opt[n++] = FNAT_TCPOLEN_SACK_PERM;
	}
	if (o->wscale != FNAT_WSCALE_NONE) {
		opt[n++] = FNAT_TCPOPT_NOP;
		opt[n++] = FNAT_TCPOPT_WSCALE;
		opt[n++] = FNAT_TCPOLEN_WSCALE;
		opt[n++] = o->wscale;
	}
	return n;
}

/*
 * Move the timestamps of a segment from one side's clock to the other's: TSval gains
 * val_add (the sender's clock as the receiver knows it), TSecr loses ecr_sub (the
 * echo of the receiver's own clock, back from the translation the other direction
 * applies). Returns 1 if there was a timestamp option, 0 if none, -1 if malformed
 * (nothing written).
 */
static inline int fnat_tcpopt_shift_ts(__u8 *opt, unsigned int optlen, __u32 val_add,
				       __u32 ecr_sub)
{
	unsigned int pos = 0, off;
	__u8 kind, len;
	int r;

	while ((r = fnat_tcpopt_next(opt, optlen, &pos, &off, &kind, &len)) == FNAT_TCPOPT_ONE) {
		if (kind != FNAT_TCPOPT_TIMESTAMP)
			continue;
		if (len != FNAT_TCPOLEN_TIMESTAMP)
			return -1;
		fnat_put_be32(opt + off + 2, fnat_get_be32(opt + off + 2) + val_add);
		/* A zero echo means "nothing to echo" (a SYN's): it stays zero. */
		if (fnat_get_be32(opt + off + 6))
			fnat_put_be32(opt + off + 6, fnat_get_be32(opt + off + 6) - ecr_sub);
		return 1;
	}
	return r == FNAT_TCPOPT_BAD ? -1 : 0;
}

/*
 * Turn the options of a SYN-ACK into those of a plain ACK: MSS, window scale and
 * SACK-permitted become NOPs (they are only allowed on SYNs), timestamps and
 * anything else stay. Returns the number of options removed, or -1 if malformed
 * (nothing written).
 */
static inline int fnat_tcpopt_strip_syn_only(__u8 *opt, unsigned int optlen)
{
	unsigned int pos = 0, off;
	__u8 kind, len;
	int r, n = 0, i;

	while ((r = fnat_tcpopt_next(opt, optlen, &pos, &off, &kind, &len)) == FNAT_TCPOPT_ONE)
		;
	if (r == FNAT_TCPOPT_BAD)
		return -1;
	pos = 0;
	while (fnat_tcpopt_next(opt, optlen, &pos, &off, &kind, &len) == FNAT_TCPOPT_ONE) {
		if (kind != FNAT_TCPOPT_MSS && kind != FNAT_TCPOPT_WSCALE &&
		    kind != FNAT_TCPOPT_SACK_PERM)
			continue;
		for (i = 0; i < len; i++)
			opt[off + i] = FNAT_TCPOPT_NOP;
		n++;
	}
	return n;
}

/*
 * The TSval of a SYN cookie's SYN-ACK: the clock `now` with its 6 low bits replaced
 * by what the cookie cannot hold, laid out as Linux's syncookies do (so that the
 * kernel's cookie_timestamp_decode() reads it back from the ACK's TSecr): bits 0-3
 * the client's window scale (FNAT_WSCALE_NONE: none), bit 4 SACK-permitted, bit 5
 * ECN. Never ahead of `now`, so that later TSvals from the same clock are not older.
 */
#define FNAT_COOKIE_TS_BITS	6
#define FNAT_COOKIE_TS_SACK	(1U << 4)
#define FNAT_COOKIE_TS_ECN	(1U << 5)

static inline __u32 fnat_cookie_ts_encode(__u32 now, __u8 wscale, int sack_ok, int ecn_ok)
{
	__u32 opts = (wscale > FNAT_WSCALE_MAX ? FNAT_WSCALE_NONE : wscale) |
		     (sack_ok ? FNAT_COOKIE_TS_SACK : 0) | (ecn_ok ? FNAT_COOKIE_TS_ECN : 0);
	__u32 ts = ((now >> FNAT_COOKIE_TS_BITS) << FNAT_COOKIE_TS_BITS) | opts;

	if (ts > now)
		ts -= 1U << FNAT_COOKIE_TS_BITS;
	return ts;
}

/*
 * A window field (already in the receiver's units of the sender: `win` << `from`
 * bytes) re-expressed with the shift the receiver applies, `to`: rounded down, and
 * clamped to 65535, so that the receiver never sees more than was offered.
 */
static inline __u16 fnat_window_rescale(__u16 win, unsigned int from, unsigned int to)
{
	__u64 bytes = (__u64)win << from;
	__u64 w = bytes >> to;

	return w > 0xffff ? 0xffff : (__u16)w;
}

#endif /* FNAT_TCPOPT_H */
