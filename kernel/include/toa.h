/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TOA — the TCP option in which a FULLNAT director carries the client's address and
 * port to the real server.
 *
 * Shared, unchanged, by toa.ko, ipvs_fnat.ko and the userspace C++ unit tests: plain C,
 * only <linux/types.h>, no byte-order macros (multi-byte fields are copied as they are
 * on the wire, or assembled byte by byte), no libc or kernel helpers.
 *
 * Wire format
 *
 *   IPv4:  kind 254, length 8
 *          +------+------+-------------+---------------------------+
 *          | 254  |  8   | port (2, BE)| IPv4 address (4)          |
 *          +------+------+-------------+---------------------------+
 *   IPv6:  kind 254 (or 253 on receive), length 20
 *          +------+------+-------------+---------------------------+
 *          | kind |  20  | port (2, BE)| IPv6 address (16)         |
 *          +------+------+-------------+---------------------------+
 *
 * Kind 254 is also RFC 6994's shared experimental kind; TCP Fast Open's experimental
 * option uses it with the magic 0xF989 after the length, and only on SYN and SYN-ACK.
 * So on a SYN a kind-254 option whose data starts with 0xF989 is Fast Open, not TOA;
 * on any other segment (the handshake-completing ACK) 254/8 is TOA whatever its port,
 * 63881 (0xF989) included.
 *
 * Which kinds are accepted is configurable (struct toa_kinds). For an accepted kind,
 * length 8 means IPv4 and length 20 IPv6, except kind 253, which only exists as IPv6
 * (LVS v3, several cloud load balancers): 253 with length 8 is malformed.
 */
#ifndef IPVS_FNAT_TOA_H
#define IPVS_FNAT_TOA_H

#include <linux/types.h>

#define TOA_KIND		254	/* IPv4 and IPv6 */
#define TOA_KIND_V6_ALT		253	/* IPv6 only, accepted on receive */
#define TOA_LEN_V4		8
#define TOA_LEN_V6		20
#define TOA_TFO_EXP_MAGIC	0xF989	/* RFC 7413 experimental Fast Open option */

#define TOA_OPT_EOL		0
#define TOA_OPT_NOP		1
#define TOA_MAX_OPTLEN		40	/* TCP options area: doff 15 minus the fixed header */

enum toa_family {
	TOA_FAMILY_NONE = 0,
	TOA_FAMILY_IPV4 = 4,
	TOA_FAMILY_IPV6 = 6,
};

/*
 * A parsed TOA. port and addr are in network byte order, exactly as on the wire; an
 * IPv4 address is in addr[0..3], the rest zero.
 */
struct toa_data {
	__u8 family;		/* enum toa_family */
	__u8 kind;		/* the option kind it came in */
	__be16 port;
	__u8 addr[16];
};

/* The set of accepted option kinds, one bit per kind. */
struct toa_kinds {
	__u64 bits[4];
};

static inline void toa_kinds_clear(struct toa_kinds *k)
{
	k->bits[0] = 0;
	k->bits[1] = 0;
	k->bits[2] = 0;
	k->bits[3] = 0;
}

static inline void toa_kinds_add(struct toa_kinds *k, __u8 kind)
{
	k->bits[kind >> 6] |= (__u64)1 << (kind & 63);
}

static inline bool toa_kinds_has(const struct toa_kinds *k, __u8 kind)
{
	return (k->bits[kind >> 6] >> (kind & 63)) & 1;
}

/* The default: 254 and 253. */
static inline void toa_kinds_default(struct toa_kinds *k)
{
	toa_kinds_clear(k);
	toa_kinds_add(k, TOA_KIND);
	toa_kinds_add(k, TOA_KIND_V6_ALT);
}

/*
 * The outcome of parsing a segment's options. Everything from TOA_PARSE_BAD_OPTLEN on
 * means the options are malformed and no TOA is returned, even if one was seen.
 */
enum toa_parse_result {
	TOA_PARSE_NONE = 0,	/* well-formed options without a TOA */
	TOA_PARSE_FOUND,	/* exactly one valid TOA, in *out */
	TOA_PARSE_BAD_OPTLEN,	/* an option's length byte is 0 or 1 */
	TOA_PARSE_TRUNCATED,	/* an option's kind is the last byte: no length byte */
	TOA_PARSE_OVERRUN,	/* an option's length runs past the end of the options */
	TOA_PARSE_BAD_TOA_LEN,	/* an accepted kind with a length wrong for that kind */
	TOA_PARSE_SEVERAL,	/* more than one TOA */
};

static inline bool toa_parse_malformed(enum toa_parse_result r)
{
	return r >= TOA_PARSE_BAD_OPTLEN;
}

static inline __u16 toa_get_u16(const __u8 *p)
{
	return (__u16)((p[0] << 8) | p[1]);
}

static inline void toa_data_clear(struct toa_data *d)
{
	unsigned int j;

	d->family = TOA_FAMILY_NONE;
	d->kind = 0;
	d->port = 0;
	for (j = 0; j < sizeof(d->addr); j++)
		d->addr[j] = 0;
}

/*
 * toa_parse_options - find the TOA in a TCP segment's options
 * @opt:   the options, i.e. the bytes after the 20-byte fixed TCP header
 * @len:   their length (doff * 4 - 20); nothing at or past opt + len is read
 * @syn:   the segment has the SYN flag (Fast Open's experimental option may be there)
 * @kinds: the accepted kinds
 * @out:   the TOA when TOA_PARSE_FOUND is returned, otherwise cleared
 *
 * NOP is skipped and EOL ends the list (what follows is padding). An option with a
 * length byte of 0 or 1, a missing length byte or a length running past @len ends the
 * parse as malformed: nothing after it can be trusted to be aligned on options.
 */
static inline enum toa_parse_result
toa_parse_options(const __u8 *opt, unsigned int len, bool syn,
		  const struct toa_kinds *kinds, struct toa_data *out)
{
	enum toa_parse_result r = TOA_PARSE_NONE;
	unsigned int i = 0, olen, j;
	const __u8 *p;
	__u8 kind;

	toa_data_clear(out);
	while (i < len) {
		kind = opt[i];
		if (kind == TOA_OPT_EOL)
			break;
		if (kind == TOA_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len) {
			r = TOA_PARSE_TRUNCATED;
			goto malformed;
		}
		olen = opt[i + 1];
		if (olen < 2) {
			r = TOA_PARSE_BAD_OPTLEN;
			goto malformed;
		}
		if (olen > len - i) {
			r = TOA_PARSE_OVERRUN;
			goto malformed;
		}
		p = opt + i;
		i += olen;
		if (!toa_kinds_has(kinds, kind))
			continue;
		/* Fast Open (experimental) on a SYN: not ours. */
		if (kind == TOA_KIND && syn && olen >= 4 &&
		    toa_get_u16(p + 2) == TOA_TFO_EXP_MAGIC)
			continue;
		if (r == TOA_PARSE_FOUND) {
			r = TOA_PARSE_SEVERAL;
			goto malformed;
		}
		if (olen == TOA_LEN_V4 && kind != TOA_KIND_V6_ALT) {
			out->family = TOA_FAMILY_IPV4;
		} else if (olen == TOA_LEN_V6) {
			out->family = TOA_FAMILY_IPV6;
		} else {
			r = TOA_PARSE_BAD_TOA_LEN;
			goto malformed;
		}
		out->kind = kind;
		__builtin_memcpy(&out->port, p + 2, sizeof(out->port));
		for (j = 0; j < olen - 4u; j++)
			out->addr[j] = p[4 + j];
		r = TOA_PARSE_FOUND;
	}
	return r;

malformed:
	toa_data_clear(out);
	return r;
}

/*
 * toa_build - write a TOA option for @toa at @buf (8 or 20 bytes; the director pads
 * to a multiple of 4 itself). @kind is TOA_KIND, or TOA_KIND_V6_ALT for IPv6.
 * Returns the number of bytes written, 0 if @toa has no address family.
 */
static inline unsigned int toa_build(__u8 *buf, const struct toa_data *toa, __u8 kind)
{
	unsigned int n, j;

	if (toa->family == TOA_FAMILY_IPV4)
		n = TOA_LEN_V4;
	else if (toa->family == TOA_FAMILY_IPV6)
		n = TOA_LEN_V6;
	else
		return 0;
	buf[0] = kind;
	buf[1] = (__u8)n;
	__builtin_memcpy(buf + 2, &toa->port, sizeof(toa->port));
	for (j = 0; j < n - 4; j++)
		buf[4 + j] = toa->addr[j];
	return n;
}

/*
 * NAT64: an IPv6 TOA on an AF_INET socket cannot be returned by getpeername(); it is
 * read with
 *
 *	struct toa_nat64_peer peer;
 *	socklen_t len = sizeof(peer);
 *	getsockopt(fd, IPPROTO_IP, TOA_SO_GET_LOOKUP, &peer, &len);
 *
 * which existing NAT64 deployments already call. toa.ko answers it on any accepted
 * TCP socket (AF_INET or AF_INET6) that carries a TOA: an IPv6 TOA as is, an IPv4 TOA
 * as ::ffff:a.b.c.d. Errors: ENOENT when the socket carries no TOA, EINVAL when len is
 * below sizeof(struct toa_nat64_peer), ENOPROTOOPT on a non-TCP socket or without
 * toa.ko.
 *
 * The layout is binary-identical to the
 * "struct toa_nat64_peer { struct in6_addr saddr; uint16_t sport; }" (20 bytes) those
 * deployments use; saddr is a byte array here only so that this header needs neither
 * <netinet/in.h> nor <linux/in6.h>.
 */
#define TOA_SO_BASE		4096
#define TOA_SO_GET_LOOKUP	(TOA_SO_BASE)

struct toa_nat64_peer {
	__u8 saddr[16];		/* the client's IPv6 address (struct in6_addr) */
	__be16 sport;		/* the client's port, network byte order */
	__u16 __pad;		/* zero */
};

#ifdef __cplusplus
static_assert(sizeof(struct toa_nat64_peer) == 20, "toa_nat64_peer is 20 bytes");
#else
_Static_assert(sizeof(struct toa_nat64_peer) == 20, "toa_nat64_peer is 20 bytes");
#endif

#endif /* IPVS_FNAT_TOA_H */
