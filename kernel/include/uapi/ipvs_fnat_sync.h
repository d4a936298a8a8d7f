/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause */
/*
 * The wire format of ipvs_fnat's connection synchronisation (docs/sync.md tells the
 * protocol around it: who sends what, when, and what each side does on a gap).
 *
 * Every message is one UDP datagram: a fixed header, then a list of type-length-value
 * fields. All integers are big-endian; addresses are in network byte order, 4 bytes
 * for IPv4 and 16 for IPv6.
 *
 * Header (IPVS_FNAT_SYNC_HDR_LEN bytes, struct ipvs_fnat_sync_hdr)
 *   magic    4  IPVS_FNAT_SYNC_MAGIC ("FNSY"): not an IPVS sync message
 *   version  1  IPVS_FNAT_SYNC_VERSION; any other is dropped (version_err)
 *   type     1  IPVS_FNAT_SYNC_T_*
 *   length   2  the whole datagram, header included
 *   hdr_len  1  bytes of header: the fields start there (a later version may
 *               append header fields; a receiver skips what it does not know)
 *   syncid   1  the sender's sync id (0..255)
 *   flags    2  IPVS_FNAT_SYNC_F_*; receivers ignore bits they do not know
 *   seq      4  DATA: this message's sequence number, per sender and epoch,
 *               starting at 1 and increasing by one per DATA message; HELLO: the
 *               last one sent; control messages: 0
 *   epoch    8  the sender's epoch: its start time in ns since 1970, so that a
 *               restarted sender's is larger and a recorded older message is
 *               recognised as a replay
 *
 * Fields: type (2; bit 15 IPVS_FNAT_SYNC_MANDATORY), length (2: of the value), the
 * value, then zero padding to a multiple of 4 bytes. A receiver skips a field it does
 * not know unless the mandatory bit is set: then the whole message is dropped and
 * counted (malformed) and nothing of it is applied. A field's length must be exactly
 * its type's (below), or the message is malformed.
 *
 * Top-level fields, by message type
 *   DATA (master -> backups): CONN and CONN_DEL records, in the order to apply them,
 *       and RESYNC_END after the last record of a full resync, followed by a
 *       RESYNC_ID for each request that resync answers. A message holding records
 *       of a full resync has IPVS_FNAT_SYNC_F_RESYNC in its header's flags.
 *   HELLO (master -> backups, every second): no field. Its seq tells a backup the
 *       last DATA message sent, so that a lost tail is noticed.
 *   ACK (backup -> master, unicast): MASTER_EPOCH, ACK_SEQ: every DATA message up to
 *       ACK_SEQ has been applied.
 *   NACK (backup -> master): MASTER_EPOCH and one or more RANGE: resend these.
 *   RESYNC_REQ (backup -> master): MASTER_EPOCH (0 when none is known yet) and
 *       RESYNC_ID (a number the backup chose for this request): send the whole
 *       table. A request starts the walk of the table again, so a resync that
 *       ends lists every request received since the last one ended (up to
 *       IPVS_FNAT_SYNC_RESYNC_IDS, the oldest dropped first).
 *   Any message ends with MAC when the sender has a key: HMAC-SHA256 over every byte
 *   of the datagram before the MAC's value (the header, the fields and the MAC's own
 *   type and length). A receiver with a key drops a message without a valid MAC,
 *   and one without a key drops a message with one (auth_fail).
 *
 * CONN: a connection, its value a list of fields:
 *   TUPLE   (mandatory) af (1: 4 or 6), protocol (1: 6 or 17), state (1:
 *           IPVS_FNAT_SYNC_S_*), reserved (1, zero), then the client, virtual, local
 *           and real server addresses (4 or 16 bytes each), then the client, virtual,
 *           local and real server ports (2 each): 28 bytes for IPv4, 76 for IPv6.
 *   TIMER   (mandatory) expires (4: milliseconds until the connection expires on the
 *           sender), flags (4: IPVS_FNAT_SYNC_CF_*).
 *   TCP     (mandatory for TCP) seq_delta (4: added to the client's sequence numbers
 *           towards the real server), rs_isn (4: the real server's initial sequence
 *           number), c_nxt, r_nxt (4 each: the next sequence number each side is
 *           expected to send, for the RSTs of an expiring connection).
 *   SYNPROXY (mandatory when flags has SYNPROXY) rs_seq_delta, ts_in_delta,
 *           ts_out_delta (4 each), wscale (1: client's scale in the low nibble, the
 *           real server's in the high, 15 for none), 3 reserved bytes.
 * CONN_DEL: a connection that ended on the sender: TUPLE (state ignored).
 */
#ifndef _UAPI_IPVS_FNAT_SYNC_H
#define _UAPI_IPVS_FNAT_SYNC_H

#include <linux/types.h>

#define IPVS_FNAT_SYNC_MAGIC		0x464e5359	/* "FNSY" */
#define IPVS_FNAT_SYNC_VERSION		1
#define IPVS_FNAT_SYNC_HDR_LEN		24
#define IPVS_FNAT_SYNC_DEF_PORT		8850	/* not IPVS's 8848 */
#define IPVS_FNAT_SYNC_DEF_GROUP4	0xefff5852	/* 239.255.88.82, organisation-local */
/* ff02::8850 (link-local scope) */
#define IPVS_FNAT_SYNC_DEF_GROUP6	{ 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x88, 0x50 }
#define IPVS_FNAT_SYNC_MAX_MSG		1400	/* bytes of a datagram at most */
#define IPVS_FNAT_SYNC_MAC_LEN		32

struct ipvs_fnat_sync_hdr {
	__be32 magic;
	__u8 version;
	__u8 type;
	__be16 length;
	__u8 hdr_len;
	__u8 syncid;
	__be16 flags;
	__be32 seq;
	__be64 epoch;
};

struct ipvs_fnat_sync_field {
	__be16 type;
	__be16 len;
};

/* Message types. */
#define IPVS_FNAT_SYNC_T_DATA		1
#define IPVS_FNAT_SYNC_T_HELLO		2
#define IPVS_FNAT_SYNC_T_ACK		3
#define IPVS_FNAT_SYNC_T_NACK		4
#define IPVS_FNAT_SYNC_T_RESYNC_REQ	5

#define IPVS_FNAT_SYNC_MANDATORY	0x8000

/* Header flags. */
#define IPVS_FNAT_SYNC_F_RESYNC		0x0001	/* DATA: holds records of a full resync */

#define IPVS_FNAT_SYNC_RESYNC_IDS	16	/* requests one resync answers at most */

/* Top-level field types. */
#define IPVS_FNAT_SYNC_FT_CONN		(IPVS_FNAT_SYNC_MANDATORY | 1)	/* nested */
#define IPVS_FNAT_SYNC_FT_CONN_DEL	(IPVS_FNAT_SYNC_MANDATORY | 2)	/* nested */
#define IPVS_FNAT_SYNC_FT_RESYNC_END	3	/* 4: records in the resync */
#define IPVS_FNAT_SYNC_FT_MASTER_EPOCH	(IPVS_FNAT_SYNC_MANDATORY | 4)	/* 8 */
#define IPVS_FNAT_SYNC_FT_ACK_SEQ	(IPVS_FNAT_SYNC_MANDATORY | 5)	/* 4 */
#define IPVS_FNAT_SYNC_FT_RANGE		(IPVS_FNAT_SYNC_MANDATORY | 6)	/* 8: first, last */
#define IPVS_FNAT_SYNC_FT_RESYNC_ID	7	/* 4 */
#define IPVS_FNAT_SYNC_FT_MAC		(IPVS_FNAT_SYNC_MANDATORY | 15)	/* 32, last */

/* Fields inside CONN and CONN_DEL. */
#define IPVS_FNAT_SYNC_CT_TUPLE		(IPVS_FNAT_SYNC_MANDATORY | 1)	/* 28 or 76 */
#define IPVS_FNAT_SYNC_CT_TIMER		(IPVS_FNAT_SYNC_MANDATORY | 2)	/* 8 */
#define IPVS_FNAT_SYNC_CT_TCP		(IPVS_FNAT_SYNC_MANDATORY | 3)	/* 16 */
#define IPVS_FNAT_SYNC_CT_SYNPROXY	(IPVS_FNAT_SYNC_MANDATORY | 4)	/* 16 */

#define IPVS_FNAT_SYNC_TUPLE4_LEN	28
#define IPVS_FNAT_SYNC_TUPLE6_LEN	76
#define IPVS_FNAT_SYNC_TIMER_LEN	8
#define IPVS_FNAT_SYNC_TCP_LEN		16
#define IPVS_FNAT_SYNC_SYNPROXY_LEN	16

/* Connection states on the wire (TUPLE's state). */
#define IPVS_FNAT_SYNC_S_ESTABLISHED	1
#define IPVS_FNAT_SYNC_S_FIN_WAIT	2
#define IPVS_FNAT_SYNC_S_TIME_WAIT	3
#define IPVS_FNAT_SYNC_S_CLOSE		4
#define IPVS_FNAT_SYNC_S_UDP		5

/* Connection flags (TIMER's flags). */
#define IPVS_FNAT_SYNC_CF_TOA_DONE	0x0001	/* the real server has sent data: no TOA */
#define IPVS_FNAT_SYNC_CF_RS_ISN	0x0002	/* rs_isn is known */
#define IPVS_FNAT_SYNC_CF_CFIN		0x0004	/* the client sent FIN */
#define IPVS_FNAT_SYNC_CF_RFIN		0x0008	/* the real server sent FIN */
#define IPVS_FNAT_SYNC_CF_SYNPROXY	0x0010	/* opened by the SYN proxy */
#define IPVS_FNAT_SYNC_CF_PERSISTENT	0x0020	/* its service is persistent: the backup
						 * keeps the client's template too */
#define IPVS_FNAT_SYNC_CF_ALL		0x003f

#endif /* _UAPI_IPVS_FNAT_SYNC_H */
