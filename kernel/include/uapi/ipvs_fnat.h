/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause */
/*
 * The IPVS_FNAT generic-netlink family: the control plane of ipvs_fnat.ko.
 *
 * This header is the single source of truth for the ABI. The kernel module, the
 * ipvsadm-fnat tool and the unit tests include it unchanged. It depends only on
 * <linux/types.h>, defines no fixed-layout structs, and numbers every enum from an
 * _UNSPEC = 0 to a _MAX; new values are only ever appended.
 *
 * Family: IPVS_FNAT_GENL_NAME, version IPVS_FNAT_GENL_VERSION. All state is per
 * network namespace (the socket's). Mutating commands and IPVS_FNAT_CMD_GET_CONN
 * need CAP_NET_ADMIN over that namespace (EPERM otherwise); the other GETs are open.
 * Each command has its own strict policy: unknown attributes, wrong types, lengths
 * and out-of-range values are refused with EINVAL and extack text; nothing is
 * changed by a command that fails.
 *
 * Conventions
 *   - Addresses are binary, network byte order: 4 bytes for AF_INET, 16 for
 *     AF_INET6, and must match the address family attribute next to them.
 *   - Ports are __be16 (network byte order). Counters are __u64 (with _PAD for
 *     alignment), timeouts are seconds (__u32).
 *   - A service is named by its key: IPVS_FNAT_SVC_ATTR_AF, _PROTOCOL, _ADDR, _PORT
 *     inside a nested IPVS_FNAT_ATTR_SERVICE.
 *
 * Commands and their attribute trees
 *
 *   IPVS_FNAT_CMD_NEW_SERVICE  ATTR_SERVICE { AF, PROTOCOL, ADDR, PORT, SCHED_NAME,
 *                              [FLAGS], [TIMEOUT], [NETMASK] }
 *       Add a virtual service. EEXIST if the key exists, ENOENT if no scheduler has
 *       that name. FLAGS (0 when left out) may hold:
 *         IPVS_FNAT_SVC_F_PERSISTENT  persistence, with TIMEOUT the persistence time
 *                                     and NETMASK the prefix length that groups
 *                                     clients (32 or 128 by default);
 *         IPVS_FNAT_SVC_F_SYNPROXY    the SYN proxy: the director answers a client's
 *                                     SYN itself, with a SYN cookie, and opens the
 *                                     connection to a real server only when the
 *                                     client's ACK carries a valid cookie, so that
 *                                     a SYN flood from spoofed sources never
 *                                     reaches the real servers. TCP services only
 *                                     (EINVAL on a UDP service); off by default;
 *         IPVS_FNAT_SVC_F_DEST_CHECK  passive health checks of the real servers: a
 *                                     real server whose new connections fail in
 *                                     the handshake (RST to the SYN, no SYN-ACK
 *                                     within the SYN timeout, ICMP unreachable)
 *                                     DC_FAILS times in a row is inhibited (gets
 *                                     no new connection) for DC_INHIBIT_MIN
 *                                     seconds, doubled on every repeat up to
 *                                     DC_INHIBIT_MAX, then gets one trial
 *                                     connection whose success restores it. With
 *                                     SYNPROXY too, a real server that refuses the
 *                                     proxy's SYN is replaced once by another.
 *       OWNER (0 when left out) tags the service with the program that made it:
 *       IPVS_FNAT_OWNER_MIRROR for ipvs-fnat-mirror, 0 for a service made by hand.
 *       A program that manages services changes only those carrying its tag. It
 *       is set at creation and cannot be changed.
 *
 *   IPVS_FNAT_CMD_SET_SERVICE  ATTR_SERVICE { key, [SCHED_NAME], [FLAGS], [TIMEOUT],
 *                              [NETMASK] }
 *       Change an existing service; attributes left out keep their value. FLAGS,
 *       when given, replaces the whole word: every flag it does not hold is cleared
 *       (PERSISTENT, SYNPROXY and DEST_CHECK alike). SYNPROXY on a UDP service is
 *       EINVAL, as in NEW_SERVICE, and nothing is changed; so is an OWNER that is
 *       not the service's. ESRCH if there is no such service.
 *
 *   IPVS_FNAT_CMD_DEL_SERVICE  ATTR_SERVICE { key }
 *       Delete a service with its destinations and local addresses; its live
 *       connections are expired. ESRCH if there is none.
 *
 *   IPVS_FNAT_CMD_GET_SERVICE  [ATTR_SERVICE { key }]
 *       With a key: one service (ESRCH if none). As a dump (NLM_F_DUMP): every
 *       service, one message each. Replies carry ATTR_SERVICE { key, SCHED_NAME,
 *       FLAGS, TIMEOUT, NETMASK, NUM_DESTS, NUM_LADDRS, OWNER, STATS { ... } } and, for a
 *       TCP service, SYNPROXY_STATS { SYN, ACK_OK, ACK_BAD, RS_FAIL, DATA_DROPPED }.
 *
 *   IPVS_FNAT_CMD_NEW_DEST     ATTR_SERVICE { key }, ATTR_DEST { ADDR, PORT,
 *                              [ADDR_FAMILY], [WEIGHT], [U_THRESH], [L_THRESH] }
 *       Add a real server to a service. ESRCH: no such service; EEXIST: the
 *       destination exists; EAFNOSUPPORT: ADDR_FAMILY (default: the service's)
 *       differs from the service's family. WEIGHT defaults to 1; 0 quiesces it.
 *       PORT 0 means "the service's port".
 *
 *   IPVS_FNAT_CMD_SET_DEST     ATTR_SERVICE { key }, ATTR_DEST { ADDR, PORT,
 *                              [WEIGHT], [U_THRESH], [L_THRESH] }
 *       Change a destination. ESRCH: no service; ENOENT: no such destination.
 *
 *   IPVS_FNAT_CMD_DEL_DEST     ATTR_SERVICE { key }, ATTR_DEST { ADDR, PORT }
 *       Remove a destination; its connections are expired. ESRCH / ENOENT.
 *
 *   IPVS_FNAT_CMD_GET_DEST     ATTR_SERVICE { key }   (dump)
 *       Every destination of the service, one message each: ATTR_DEST { ADDR,
 *       PORT, ADDR_FAMILY, WEIGHT, U_THRESH, L_THRESH, ACTIVE_CONNS, INACT_CONNS,
 *       PERSIST_CONNS, CHECK_STATE, CHECK_FAILS, INHIBIT_LEFT, INHIBITS,
 *       STATS { ... } }. ESRCH if there is no such service. The CHECK_ attributes
 *       are the passive health check's (DEST_CHECK); a destination is inhibited
 *       only while its service has DEST_CHECK, and turning DEST_CHECK off (or any
 *       SET_DEST) restores it at once.
 *
 *   IPVS_FNAT_CMD_NEW_LADDR    [ATTR_SERVICE { key }], ATTR_LADDR { ADDR, [AF], [FLAGS] }
 *       Add a local address (LIP) to the service's pool. Its family must be the
 *       service's (EAFNOSUPPORT). ESRCH: no service; EEXIST: already in the pool.
 *       Without ATTR_SERVICE: add it to the namespace's default pool, which every
 *       service with no local address of its own takes its LIPs from (those of
 *       the service's family). AF defaults to the service's family, or in the
 *       default pool to the one the address's length tells. FLAGS
 *       (IPVS_FNAT_LADDR_F_*): PEER marks another director's LIP, which no new
 *       connection is given; it is there for the connections that director's
 *       sync master sends (scale-out: every director backs up every other's
 *       connections, and the real servers' replies to a failed director's LIPs
 *       are routed to a survivor, docs/scale-out.md). Fixed for the address's
 *       life in the pool: delete and add it again to change it.
 *
 *   IPVS_FNAT_CMD_DEL_LADDR    [ATTR_SERVICE { key }], ATTR_LADDR { ADDR, [AF] } (no FLAGS)
 *       Remove a local address from the pool (the default pool without
 *       ATTR_SERVICE); connections using it are expired. ESRCH: no service;
 *       ENOENT: not in the pool.
 *
 *   IPVS_FNAT_CMD_GET_LADDR    [ATTR_SERVICE { key }]   (dump)
 *       The local addresses of one service, or of every service and then of the
 *       default pool when no key is given. Each message: ATTR_SERVICE { key }
 *       (absent for the default pool's), ATTR_LADDR { AF, ADDR, PORT_CONFLICTS,
 *       CONNS, FLAGS }.
 *
 *   IPVS_FNAT_CMD_SET_CONFIG   ATTR_CONFIG { any of the tunables }
 *   IPVS_FNAT_CMD_GET_CONFIG   -> ATTR_CONFIG { every tunable }
 *       The namespace's tunables: protocol timeouts (0 in SET means "unchanged", as
 *       with ipvsadm --set), the connection limit, the local port range, the TOA
 *       and timestamp switches, and the passive health check's failure count and
 *       inhibit periods. EINVAL if the resulting configuration is
 *       inconsistent (for example PORT_MIN > PORT_MAX).
 *
 *   IPVS_FNAT_CMD_GET_INFO     -> ATTR_INFO { VERSION, CONN_TAB_SIZE, CONN_COUNT,
 *                                 SERVICE_COUNT }
 *
 *   IPVS_FNAT_CMD_ZERO         [ATTR_SERVICE { key }]
 *       Zero the counters of one service (SYN proxy counters included) and its
 *       destinations (ESRCH if none), or of every service when no key is given.
 *
 *   IPVS_FNAT_CMD_FLUSH
 *       Delete every service (with destinations and local addresses) of the
 *       namespace, and empty its default LIP pool.
 *
 *   IPVS_FNAT_CMD_GET_CONN     (dump; CAP_NET_ADMIN)
 *       Every live connection, one message each: ATTR_CONN { PROTOCOL, AF, CADDR,
 *       CPORT, VADDR, VPORT, LADDR, LPORT, DADDR, DPORT, STATE, STATE_NAME,
 *       EXPIRES, FLAGS }.
 *
 *   IPVS_FNAT_CMD_NEW_DAEMON   ATTR_DAEMON { STATE, MCAST_IFN, [SYNCID], [MCAST_GROUP],
 *                              [MCAST_PORT], [MCAST_TTL], [PEERS { PEER... }], [KEY],
 *                              [SYNC_THRESHOLD] }
 *       Start a connection synchronisation daemon in the namespace (docs/sync.md):
 *       STATE IPVS_FNAT_DAEMON_MASTER sends this director's connections,
 *       IPVS_FNAT_DAEMON_BACKUP installs another director's. One of each may run
 *       at once (active-active). MCAST_IFN is the interface the sync traffic uses;
 *       SYNCID (0..255, default 0) tags a master's messages, and a backup with a
 *       SYNCID other than 0 takes only messages with that tag. Without PEERS the
 *       messages go to MCAST_GROUP (default IPVS_FNAT_SYNC_DEF_GROUP4, or an IPv6
 *       group) on MCAST_PORT (default IPVS_FNAT_SYNC_DEF_PORT); with PEERS (up to
 *       IPVS_FNAT_SYNC_MAX_PEERS unicast addresses, one family) a master sends to
 *       each peer's MCAST_PORT and a backup takes messages only from its peers.
 *       KEY (IPVS_FNAT_SYNC_KEY_MIN..MAX bytes) authenticates every message with
 *       HMAC-SHA256; it is never read back. SYNC_THRESHOLD (master, 1..255, default
 *       3) is the number of client packets a connection needs before it is first
 *       sent. EEXIST if a daemon of that STATE runs, ENODEV if there is no such
 *       interface, EADDRINUSE if the port is taken, ENOENT if the kernel has no
 *       hmac(sha256).
 *
 *   IPVS_FNAT_CMD_DEL_DAEMON   ATTR_DAEMON { STATE }
 *       Stop that daemon. ESRCH if it does not run. A backup's installed
 *       connections stay and expire by their timeouts.
 *
 *   IPVS_FNAT_CMD_GET_DAEMON   (dump)
 *       The running daemons, one message each: ATTR_DAEMON { STATE, MCAST_IFN,
 *       SYNCID, MCAST_GROUP or PEERS, MCAST_PORT, MCAST_TTL, KEY_SET,
 *       SYNC_THRESHOLD, EPOCH, STATS { ... } }. STATS are the namespace's sync
 *       counters (the same as /proc/net/ip_vs_fnat_stats's sync_* lines). The
 *       backup's adds SYNCED and MASTERS { MASTER { SYNCID, ADDR, EPOCH, SYNCED,
 *       HEARD_MS } ... }: whether it holds every live master's table, which a
 *       director that (re)joins waits for before it attracts traffic
 *       (ipvs-fnat-rhi --sync-wait, docs/scale-out.md).
 *
 * The listing (shared by /proc/net/ip_vs_fnat and ipvsadm-fnat -L -n)
 *
 *   /proc/net/ip_vs_fnat (per namespace) and a plain `ipvsadm-fnat -L -n` print the
 *   same bytes. In printf terms:
 *     "IP Virtual Server FULLNAT version %u.%u.%u (size=%u)\n"   (VERSION, CONN_TAB_SIZE)
 *     "Prot LocalAddress:Port Scheduler Flags\n"
 *     "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
 *     "  => LocalAddress                 Conflicts  Conns\n"
 *   then each service in creation order:
 *     "%s  %s %s"  "TCP"/"UDP", VIP:port ("192.0.2.10:80", "[2001:db8::10]:80"),
 *                  scheduler name; if persistent, " persistent %u" (timeout) and, if
 *                  the netmask is not the full length, " mask %s" (IPv4: a dotted
 *                  mask such as 255.255.255.0; IPv6: the prefix length); with the
 *                  SYN proxy on, " synproxy"; with DEST_CHECK, " dest-check";
 *                  then "\n";
 *     each destination in insertion order:
 *     "  -> %-28s %-7s %-6u %-10u %-10u\n"  addr:port (IPv6 in brackets), "FullNat",
 *                  weight, active connections, inactive connections; a destination
 *                  the passive check inhibits has " inhibited" (or, while its
 *                  trial connection is out, " trial") before the "\n";
 *     each local address in insertion order:
 *     "  => %-28s %-10llu %u\n"  the bare address, port conflicts, live connections.
 *   then, if the default pool is not empty, "Default local addresses\n" and a
 *   "  => " line for each of its addresses, in insertion order.
 *   IPv6 addresses are in compressed form (%pI6c in the kernel, inet_ntop outside).
 *
 * Errors (negative errno in the netlink ack; libnl folds some of them, read the raw
 * error): ESRCH no such service, ENOENT no such destination, local address or
 * scheduler, EEXIST already exists, EINVAL bad attribute or value, EAFNOSUPPORT mixed
 * address families, EPERM no CAP_NET_ADMIN, ENOMEM out of memory.
 */
#ifndef _UAPI_IPVS_FNAT_H
#define _UAPI_IPVS_FNAT_H

#include <linux/types.h>

#define IPVS_FNAT_GENL_NAME	"IPVS_FNAT"
#define IPVS_FNAT_GENL_VERSION	1

/* Release of the module's ABI, reported by GET_INFO: (major << 16) | (minor << 8) | patch. */
#define IPVS_FNAT_VERSION_CODE(a, b, c)	(((a) << 16) | ((b) << 8) | (c))

#define IPVS_FNAT_SCHED_NAME_MAX	16	/* including the terminating NUL */
#define IPVS_FNAT_STATE_NAME_MAX	16

enum ipvs_fnat_cmd {
	IPVS_FNAT_CMD_UNSPEC,
	IPVS_FNAT_CMD_NEW_SERVICE,
	IPVS_FNAT_CMD_SET_SERVICE,
	IPVS_FNAT_CMD_DEL_SERVICE,
	IPVS_FNAT_CMD_GET_SERVICE,
	IPVS_FNAT_CMD_NEW_DEST,
	IPVS_FNAT_CMD_SET_DEST,
	IPVS_FNAT_CMD_DEL_DEST,
	IPVS_FNAT_CMD_GET_DEST,
	IPVS_FNAT_CMD_NEW_LADDR,
	IPVS_FNAT_CMD_DEL_LADDR,
	IPVS_FNAT_CMD_GET_LADDR,
	IPVS_FNAT_CMD_SET_CONFIG,
	IPVS_FNAT_CMD_GET_CONFIG,
	IPVS_FNAT_CMD_GET_INFO,
	IPVS_FNAT_CMD_ZERO,
	IPVS_FNAT_CMD_FLUSH,
	IPVS_FNAT_CMD_GET_CONN,
	IPVS_FNAT_CMD_NEW_DAEMON,
	IPVS_FNAT_CMD_DEL_DAEMON,
	IPVS_FNAT_CMD_GET_DAEMON,
	__IPVS_FNAT_CMD_MAX,
};
#define IPVS_FNAT_CMD_MAX (__IPVS_FNAT_CMD_MAX - 1)

/* Top level: each command's payload is one or two of these nests. */
enum ipvs_fnat_attr {
	IPVS_FNAT_ATTR_UNSPEC,
	IPVS_FNAT_ATTR_SERVICE,		/* nested, enum ipvs_fnat_svc_attr */
	IPVS_FNAT_ATTR_DEST,		/* nested, enum ipvs_fnat_dest_attr */
	IPVS_FNAT_ATTR_LADDR,		/* nested, enum ipvs_fnat_laddr_attr */
	IPVS_FNAT_ATTR_CONFIG,		/* nested, enum ipvs_fnat_cfg_attr */
	IPVS_FNAT_ATTR_INFO,		/* nested, enum ipvs_fnat_info_attr */
	IPVS_FNAT_ATTR_CONN,		/* nested, enum ipvs_fnat_conn_attr */
	IPVS_FNAT_ATTR_DAEMON,		/* nested, enum ipvs_fnat_daemon_attr */
	__IPVS_FNAT_ATTR_MAX,
};
#define IPVS_FNAT_ATTR_MAX (__IPVS_FNAT_ATTR_MAX - 1)

/* Service flags (IPVS_FNAT_SVC_ATTR_FLAGS). */
#define IPVS_FNAT_SVC_F_PERSISTENT	0x0001
#define IPVS_FNAT_SVC_F_SYNPROXY	0x0002
#define IPVS_FNAT_SVC_F_DEST_CHECK	0x0004
#define IPVS_FNAT_SVC_F_ALL \
	(IPVS_FNAT_SVC_F_PERSISTENT | IPVS_FNAT_SVC_F_SYNPROXY | IPVS_FNAT_SVC_F_DEST_CHECK)

/* Service owners (IPVS_FNAT_SVC_ATTR_OWNER): who made a service. */
#define IPVS_FNAT_OWNER_NONE		0	/* by hand (ipvsadm-fnat) */
#define IPVS_FNAT_OWNER_MIRROR		1	/* ipvs-fnat-mirror */
#define IPVS_FNAT_OWNER_MAX		0xffff

/* Passive health check state of a destination (IPVS_FNAT_DEST_ATTR_CHECK_STATE). */
#define IPVS_FNAT_DEST_CHECK_OK		0	/* takes new connections */
#define IPVS_FNAT_DEST_CHECK_INHIBITED	1	/* no new connection until INHIBIT_LEFT ends */
#define IPVS_FNAT_DEST_CHECK_TRIAL	2	/* one trial connection is out; none other */

enum ipvs_fnat_svc_attr {
	IPVS_FNAT_SVC_ATTR_UNSPEC,
	IPVS_FNAT_SVC_ATTR_AF,		/* u16: AF_INET or AF_INET6 */
	IPVS_FNAT_SVC_ATTR_PROTOCOL,	/* u8: IPPROTO_TCP or IPPROTO_UDP */
	IPVS_FNAT_SVC_ATTR_ADDR,	/* binary: virtual address (4 or 16 bytes) */
	IPVS_FNAT_SVC_ATTR_PORT,	/* __be16: virtual port, 1..65535 */
	IPVS_FNAT_SVC_ATTR_SCHED_NAME,	/* string: rr, wrr, lc, wlc, sh, mh */
	IPVS_FNAT_SVC_ATTR_FLAGS,	/* u32: IPVS_FNAT_SVC_F_* */
	IPVS_FNAT_SVC_ATTR_TIMEOUT,	/* u32: persistence timeout, seconds, 1..31536000 */
	IPVS_FNAT_SVC_ATTR_NETMASK,	/* u8: persistence prefix length, 1..32 or 1..128 */
	IPVS_FNAT_SVC_ATTR_NUM_DESTS,	/* u32, replies only */
	IPVS_FNAT_SVC_ATTR_NUM_LADDRS,	/* u32, replies only */
	IPVS_FNAT_SVC_ATTR_STATS,	/* nested, enum ipvs_fnat_stats_attr, replies only */
	IPVS_FNAT_SVC_ATTR_PAD,
	IPVS_FNAT_SVC_ATTR_SYNPROXY_STATS, /* nested, enum ipvs_fnat_sp_stats_attr, replies
					    * only, TCP services */
	IPVS_FNAT_SVC_ATTR_OWNER,	/* u32: IPVS_FNAT_OWNER_*, 0..IPVS_FNAT_OWNER_MAX */
	__IPVS_FNAT_SVC_ATTR_MAX,
};
#define IPVS_FNAT_SVC_ATTR_MAX (__IPVS_FNAT_SVC_ATTR_MAX - 1)

enum ipvs_fnat_dest_attr {
	IPVS_FNAT_DEST_ATTR_UNSPEC,
	IPVS_FNAT_DEST_ATTR_ADDR,	/* binary: real server address (4 or 16 bytes) */
	IPVS_FNAT_DEST_ATTR_PORT,	/* __be16: real server port; 0 = the service's */
	IPVS_FNAT_DEST_ATTR_ADDR_FAMILY,/* u16: defaults to the service's family */
	IPVS_FNAT_DEST_ATTR_WEIGHT,	/* u32: 0..65535, default 1 */
	IPVS_FNAT_DEST_ATTR_U_THRESH,	/* u32: upper connection threshold, 0 = none */
	IPVS_FNAT_DEST_ATTR_L_THRESH,	/* u32: lower connection threshold */
	IPVS_FNAT_DEST_ATTR_ACTIVE_CONNS,	/* u32, replies only */
	IPVS_FNAT_DEST_ATTR_INACT_CONNS,	/* u32, replies only */
	IPVS_FNAT_DEST_ATTR_PERSIST_CONNS,	/* u32, replies only */
	IPVS_FNAT_DEST_ATTR_STATS,	/* nested, enum ipvs_fnat_stats_attr, replies only */
	IPVS_FNAT_DEST_ATTR_PAD,
	IPVS_FNAT_DEST_ATTR_CHECK_STATE,	/* u8: IPVS_FNAT_DEST_CHECK_*, replies only */
	IPVS_FNAT_DEST_ATTR_CHECK_FAILS,	/* u32: handshakes failed in a row, replies only */
	IPVS_FNAT_DEST_ATTR_INHIBIT_LEFT,	/* u32: ms left of the inhibit period, replies only */
	IPVS_FNAT_DEST_ATTR_INHIBITS,		/* u64: times inhibited, replies only */
	__IPVS_FNAT_DEST_ATTR_MAX,
};
#define IPVS_FNAT_DEST_ATTR_MAX (__IPVS_FNAT_DEST_ATTR_MAX - 1)

enum ipvs_fnat_laddr_attr {
	IPVS_FNAT_LADDR_ATTR_UNSPEC,
	IPVS_FNAT_LADDR_ATTR_AF,	/* u16: defaults to the service's family */
	IPVS_FNAT_LADDR_ATTR_ADDR,	/* binary: local address (4 or 16 bytes) */
	IPVS_FNAT_LADDR_ATTR_PORT_CONFLICTS,	/* u64: ports found taken while allocating */
	IPVS_FNAT_LADDR_ATTR_CONNS,	/* u32: live connections using this address */
	IPVS_FNAT_LADDR_ATTR_PAD,
	IPVS_FNAT_LADDR_ATTR_FLAGS,	/* u32: IPVS_FNAT_LADDR_F_* (NEW_LADDR, replies) */
	__IPVS_FNAT_LADDR_ATTR_MAX,
};
#define IPVS_FNAT_LADDR_ATTR_MAX (__IPVS_FNAT_LADDR_ATTR_MAX - 1)

/* Local address flags. */
#define IPVS_FNAT_LADDR_F_PEER	0x1	/* another director's: synced connections only */
#define IPVS_FNAT_LADDR_F_ALL	IPVS_FNAT_LADDR_F_PEER

/* Counters of a service or destination: totals since creation or the last ZERO, and
 * rates (per second, estimated over the last seconds). */
enum ipvs_fnat_stats_attr {
	IPVS_FNAT_STATS_ATTR_UNSPEC,
	IPVS_FNAT_STATS_ATTR_CONNS,	/* u64: connections scheduled */
	IPVS_FNAT_STATS_ATTR_INPKTS,	/* u64: packets client -> real server */
	IPVS_FNAT_STATS_ATTR_OUTPKTS,	/* u64: packets real server -> client */
	IPVS_FNAT_STATS_ATTR_INBYTES,	/* u64 */
	IPVS_FNAT_STATS_ATTR_OUTBYTES,	/* u64 */
	IPVS_FNAT_STATS_ATTR_CPS,	/* u64: connections per second */
	IPVS_FNAT_STATS_ATTR_INPPS,	/* u64 */
	IPVS_FNAT_STATS_ATTR_OUTPPS,	/* u64 */
	IPVS_FNAT_STATS_ATTR_INBPS,	/* u64: bytes per second */
	IPVS_FNAT_STATS_ATTR_OUTBPS,	/* u64 */
	IPVS_FNAT_STATS_ATTR_PAD,
	__IPVS_FNAT_STATS_ATTR_MAX,
};
#define IPVS_FNAT_STATS_ATTR_MAX (__IPVS_FNAT_STATS_ATTR_MAX - 1)

/* A TCP service's SYN proxy counters, totals since creation or the last ZERO: the
 * service's share of /proc/net/ip_vs_fnat_stats's synproxy_* lines. They keep counting
 * what a service did while the proxy was on after SET_SERVICE turns it off. */
enum ipvs_fnat_sp_stats_attr {
	IPVS_FNAT_SP_STATS_ATTR_UNSPEC,
	IPVS_FNAT_SP_STATS_ATTR_SYN,		/* u64: SYN-ACKs with a cookie sent */
	IPVS_FNAT_SP_STATS_ATTR_ACK_OK,		/* u64: ACKs whose cookie checked */
	IPVS_FNAT_SP_STATS_ATTR_ACK_BAD,	/* u64: ACKs whose cookie did not (dropped) */
	IPVS_FNAT_SP_STATS_ATTR_RS_FAIL,	/* u64: real servers that refused or stayed
						 * silent (the client was reset) */
	IPVS_FNAT_SP_STATS_ATTR_DATA_DROPPED,	/* u64: client segments dropped while the
						 * real server was asked */
	IPVS_FNAT_SP_STATS_ATTR_PAD,
	__IPVS_FNAT_SP_STATS_ATTR_MAX,
};
#define IPVS_FNAT_SP_STATS_ATTR_MAX (__IPVS_FNAT_SP_STATS_ATTR_MAX - 1)

/* The namespace's tunables (SET_CONFIG / GET_CONFIG). Timeouts in seconds. */
enum ipvs_fnat_cfg_attr {
	IPVS_FNAT_CFG_ATTR_UNSPEC,
	IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP,		/* u32: ESTABLISHED, default 900 */
	IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP_FIN,	/* u32: FIN_WAIT and after, default 120 */
	IPVS_FNAT_CFG_ATTR_TIMEOUT_UDP,		/* u32: default 300 */
	IPVS_FNAT_CFG_ATTR_TIMEOUT_SYN,		/* u32: SYN_SENT / SYN_RECV, default 60 */
	IPVS_FNAT_CFG_ATTR_CONN_MAX,		/* u32: live connection limit, 0 = none */
	IPVS_FNAT_CFG_ATTR_PORT_MIN,		/* u16: lowest local port, default 1024 */
	IPVS_FNAT_CFG_ATTR_PORT_MAX,		/* u16: highest local port, default 65535 */
	IPVS_FNAT_CFG_ATTR_TOA,			/* u8: 1 = insert the TOA (default) */
	IPVS_FNAT_CFG_ATTR_KEEP_TIMESTAMPS,	/* u8: 1 = keep TCP timestamps on SYN */
	IPVS_FNAT_CFG_ATTR_EXPIRE_RST,		/* u8: 1 = RST both ends on expiry (default) */
	IPVS_FNAT_CFG_ATTR_DC_FAILS,		/* u32: failures in a row that inhibit, 1..1000,
						 * default 3 */
	IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MIN,	/* u32: first inhibit period, seconds, 1..86400,
						 * default 5 */
	IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MAX,	/* u32: longest, seconds, >= MIN, <= 86400,
						 * default 3600 */
	__IPVS_FNAT_CFG_ATTR_MAX,
};
#define IPVS_FNAT_CFG_ATTR_MAX (__IPVS_FNAT_CFG_ATTR_MAX - 1)

/* Largest timeout accepted by SET_CONFIG: one year. */
#define IPVS_FNAT_TIMEOUT_MAX	31536000

enum ipvs_fnat_info_attr {
	IPVS_FNAT_INFO_ATTR_UNSPEC,
	IPVS_FNAT_INFO_ATTR_VERSION,		/* u32: IPVS_FNAT_VERSION_CODE */
	IPVS_FNAT_INFO_ATTR_CONN_TAB_SIZE,	/* u32: connection table buckets */
	IPVS_FNAT_INFO_ATTR_CONN_COUNT,		/* u32: live connections */
	IPVS_FNAT_INFO_ATTR_SERVICE_COUNT,	/* u32 */
	__IPVS_FNAT_INFO_ATTR_MAX,
};
#define IPVS_FNAT_INFO_ATTR_MAX (__IPVS_FNAT_INFO_ATTR_MAX - 1)

/* Connection flags (IPVS_FNAT_CONN_ATTR_FLAGS). */
#define IPVS_FNAT_CONN_F_TOA_DONE	0x0001	/* the real server has sent data */
#define IPVS_FNAT_CONN_F_PERSISTENT	0x0002	/* created under a persistence template */

enum ipvs_fnat_conn_attr {
	IPVS_FNAT_CONN_ATTR_UNSPEC,
	IPVS_FNAT_CONN_ATTR_PROTOCOL,	/* u8 */
	IPVS_FNAT_CONN_ATTR_AF,		/* u16 */
	IPVS_FNAT_CONN_ATTR_CADDR,	/* binary: client */
	IPVS_FNAT_CONN_ATTR_CPORT,	/* __be16 */
	IPVS_FNAT_CONN_ATTR_VADDR,	/* binary: virtual address */
	IPVS_FNAT_CONN_ATTR_VPORT,	/* __be16 */
	IPVS_FNAT_CONN_ATTR_LADDR,	/* binary: local address */
	IPVS_FNAT_CONN_ATTR_LPORT,	/* __be16 */
	IPVS_FNAT_CONN_ATTR_DADDR,	/* binary: real server */
	IPVS_FNAT_CONN_ATTR_DPORT,	/* __be16 */
	IPVS_FNAT_CONN_ATTR_STATE,	/* u16: protocol state number */
	IPVS_FNAT_CONN_ATTR_STATE_NAME,	/* string, e.g. ESTABLISHED */
	IPVS_FNAT_CONN_ATTR_EXPIRES,	/* u32: milliseconds until expiry */
	IPVS_FNAT_CONN_ATTR_FLAGS,	/* u32: IPVS_FNAT_CONN_F_* */
	__IPVS_FNAT_CONN_ATTR_MAX,
};
#define IPVS_FNAT_CONN_ATTR_MAX (__IPVS_FNAT_CONN_ATTR_MAX - 1)

/* Connection synchronisation daemons (NEW/DEL/GET_DAEMON). The wire format of their
 * messages is in ipvs_fnat_sync.h. */
#define IPVS_FNAT_DAEMON_MASTER		1
#define IPVS_FNAT_DAEMON_BACKUP		2

#define IPVS_FNAT_SYNC_MAX_PEERS	16
#define IPVS_FNAT_SYNC_KEY_MIN		16	/* bytes */
#define IPVS_FNAT_SYNC_KEY_MAX		64
#define IPVS_FNAT_SYNC_DEF_THRESHOLD	3
#define IPVS_FNAT_SYNC_IFNAME_MAX	16	/* including the terminating NUL */

enum ipvs_fnat_daemon_attr {
	IPVS_FNAT_DAEMON_ATTR_UNSPEC,
	IPVS_FNAT_DAEMON_ATTR_STATE,		/* u32: IPVS_FNAT_DAEMON_MASTER or _BACKUP */
	IPVS_FNAT_DAEMON_ATTR_MCAST_IFN,	/* string: interface name */
	IPVS_FNAT_DAEMON_ATTR_SYNCID,		/* u32: 0..255, default 0 */
	IPVS_FNAT_DAEMON_ATTR_MCAST_GROUP,	/* binary: multicast group, 4 or 16 bytes */
	IPVS_FNAT_DAEMON_ATTR_MCAST_PORT,	/* __be16: UDP port, default 8850 */
	IPVS_FNAT_DAEMON_ATTR_MCAST_TTL,	/* u8: 1..255, default 1 */
	IPVS_FNAT_DAEMON_ATTR_PEERS,		/* nested: IPVS_FNAT_DAEMON_ATTR_PEER... */
	IPVS_FNAT_DAEMON_ATTR_PEER,		/* binary: a unicast peer, 4 or 16 bytes */
	IPVS_FNAT_DAEMON_ATTR_KEY,		/* binary: the HMAC-SHA256 key, write only */
	IPVS_FNAT_DAEMON_ATTR_KEY_SET,		/* u8: 1 when a key is set, replies only */
	IPVS_FNAT_DAEMON_ATTR_SYNC_THRESHOLD,	/* u32: 1..255, default 3 (master) */
	IPVS_FNAT_DAEMON_ATTR_EPOCH,		/* u64: this daemon's epoch, replies only */
	IPVS_FNAT_DAEMON_ATTR_STATS,		/* nested, enum ipvs_fnat_sync_stats_attr */
	IPVS_FNAT_DAEMON_ATTR_PAD,
	IPVS_FNAT_DAEMON_ATTR_SYNCED,		/* u8, backup replies only: 1 once it has listened
						 * IPVS_FNAT_SYNC_SETTLE_MS and holds a completed
						 * full resync of every master heard within
						 * IPVS_FNAT_SYNC_LIVE_MS */
	IPVS_FNAT_DAEMON_ATTR_MASTERS,		/* nested, backup replies only: a MASTER nest
						 * per master followed */
	IPVS_FNAT_DAEMON_ATTR_MASTER,		/* nested, enum ipvs_fnat_master_attr */
	__IPVS_FNAT_DAEMON_ATTR_MAX,
};
#define IPVS_FNAT_DAEMON_ATTR_MAX (__IPVS_FNAT_DAEMON_ATTR_MAX - 1)

#define IPVS_FNAT_SYNC_SETTLE_MS	2500	/* two of a master's HELLO intervals, and some */
#define IPVS_FNAT_SYNC_LIVE_MS		3000	/* a master not heard for longer is not waited for */

/* A master a backup follows (GET_DAEMON of the backup). */
enum ipvs_fnat_master_attr {
	IPVS_FNAT_MASTER_ATTR_UNSPEC,
	IPVS_FNAT_MASTER_ATTR_SYNCID,		/* u32: the master's sync id */
	IPVS_FNAT_MASTER_ATTR_ADDR,		/* binary: where it sends from, 4 or 16 bytes */
	IPVS_FNAT_MASTER_ATTR_EPOCH,		/* u64: the life of it being followed */
	IPVS_FNAT_MASTER_ATTR_SYNCED,		/* u8: 1 when a full resync of this life,
						 * asked by this backup, has completed (and no
						 * message of it was given up since) */
	IPVS_FNAT_MASTER_ATTR_HEARD_MS,		/* u32: milliseconds since it was last heard */
	IPVS_FNAT_MASTER_ATTR_PAD,
	__IPVS_FNAT_MASTER_ATTR_MAX,
};
#define IPVS_FNAT_MASTER_ATTR_MAX (__IPVS_FNAT_MASTER_ATTR_MAX - 1)

/* The namespace's sync counters (u64 each), in /proc/net/ip_vs_fnat_stats as
 * sync_<name>: the names are given after each. */
enum ipvs_fnat_sync_stats_attr {
	IPVS_FNAT_SYNC_STATS_ATTR_UNSPEC,
	IPVS_FNAT_SYNC_STATS_ATTR_TX_MSGS,	/* tx_msgs: data messages sent (each peer once) */
	IPVS_FNAT_SYNC_STATS_ATTR_TX_CONNS,	/* tx_conns: connection records sent */
	IPVS_FNAT_SYNC_STATS_ATTR_RX_MSGS,	/* rx_msgs: data messages accepted */
	IPVS_FNAT_SYNC_STATS_ATTR_RX_CONNS,	/* rx_conns: connection records applied */
	IPVS_FNAT_SYNC_STATS_ATTR_RESENT,	/* resent: messages resent on a NACK */
	IPVS_FNAT_SYNC_STATS_ATTR_RESYNC,	/* resync: full resyncs served (master) */
	IPVS_FNAT_SYNC_STATS_ATTR_RESYNC_REQ,	/* resync_req: full resyncs asked (backup) */
	IPVS_FNAT_SYNC_STATS_ATTR_QUEUE_DROPS,	/* queue_drops: events not queued, queue full */
	IPVS_FNAT_SYNC_STATS_ATTR_AUTH_FAIL,	/* auth_fail: messages with a missing or bad MAC */
	IPVS_FNAT_SYNC_STATS_ATTR_REPLAY,	/* replay: messages already received or too old */
	IPVS_FNAT_SYNC_STATS_ATTR_VERSION_ERR,	/* version_err: unknown version or magic */
	IPVS_FNAT_SYNC_STATS_ATTR_MALFORMED,	/* malformed: bad lengths, fields or an unknown
						 * mandatory field: the message is dropped */
	IPVS_FNAT_SYNC_STATS_ATTR_NACK_TX,	/* nack_tx: resend requests sent (backup) */
	IPVS_FNAT_SYNC_STATS_ATTR_NACK_RX,	/* nack_rx: resend requests received (master) */
	IPVS_FNAT_SYNC_STATS_ATTR_GAP_LOST,	/* gap_lost: messages given up (a resync follows) */
	IPVS_FNAT_SYNC_STATS_ATTR_NO_SERVICE,	/* no_service: records for a service not here */
	IPVS_FNAT_SYNC_STATS_ATTR_NO_DEST,	/* no_dest: ... a real server not in it */
	IPVS_FNAT_SYNC_STATS_ATTR_NO_LADDR,	/* no_laddr: ... a LIP not in its pool */
	IPVS_FNAT_SYNC_STATS_ATTR_CONN_LIMIT,	/* conn_limit: records refused by conn_max or
						 * memory */
	IPVS_FNAT_SYNC_STATS_ATTR_CONFLICT,	/* conflict: records for a connection forwarded
						 * here (kept), or whose tuple one holds */
	IPVS_FNAT_SYNC_STATS_ATTR_DELETED,	/* deleted: connections removed by a delete */
	IPVS_FNAT_SYNC_STATS_ATTR_PAD,
	IPVS_FNAT_SYNC_STATS_ATTR_MOVED,	/* moved: connections forwarded here that a
						 * record showed another director forwards now */
	IPVS_FNAT_SYNC_STATS_ATTR_RESYNC_DONE,	/* resync_done: full resyncs this backup asked
						 * for that completed (backup) */
	__IPVS_FNAT_SYNC_STATS_ATTR_MAX,
};
#define IPVS_FNAT_SYNC_STATS_ATTR_MAX (__IPVS_FNAT_SYNC_STATS_ATTR_MAX - 1)

#endif /* _UAPI_IPVS_FNAT_H */
