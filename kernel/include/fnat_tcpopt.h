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

#endif /* FNAT_TCPOPT_H */
