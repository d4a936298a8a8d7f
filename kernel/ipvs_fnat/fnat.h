/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipvs_fnat internals shared by the module's files.
 *
 * Object model (all per network namespace, struct fnat_net):
 *
 *   fnat_net --svc_table[hash]--> fnat_service  (RCU hash: lookup by af/proto/addr/port)
 *            --svc_list---------> fnat_service  (RCU list: creation order, for listings)
 *            --default_laddrs---> fnat_laddr  (RCU list: the default LIP pool)
 *   fnat_service --dests--> fnat_dest   (RCU list, insertion order)
 *                --laddrs-> fnat_laddr  (RCU list, insertion order; when empty, the
 *                                        service takes its LIPs from default_laddrs)
 *                --sched--> fnat_sched_state (RCU pointer, the scheduler's per-service state)
 *
 * Locking: fnat_net.lock (a mutex) serializes every change and every netlink reply
 * of one namespace. Readers on the packet path (and /proc) walk the same structures
 * under rcu_read_lock() without taking it.
 *
 * Lifetimes: services, destinations and local addresses are refcounted. The tables
 * hold one reference each; the packet path may take more from inside an RCU read
 * section with the *_hold_rcu() helpers (refcount_inc_not_zero) and keep them in a
 * connection. The last put frees the object after an RCU grace period. A destination
 * holds a reference to its service, so a service outlives its destinations.
 * Unlinked objects have their FNAT_F_UNLINKED bit set so that holders can tell.
 */
#ifndef IPVS_FNAT_INTERNAL_H
#define IPVS_FNAT_INTERNAL_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/rculist.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/refcount.h>
#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/netlink.h>
#include <net/ipv6.h>

#include "compat.h"
#include "uapi/ipvs_fnat.h"

#define FNAT_VERSION_MAJOR	0
#define FNAT_VERSION_MINOR	1
#define FNAT_VERSION_PATCH	0
#define FNAT_VERSION_STR	"0.1.0"
#define FNAT_VERSION_CODE \
	IPVS_FNAT_VERSION_CODE(FNAT_VERSION_MAJOR, FNAT_VERSION_MINOR, FNAT_VERSION_PATCH)

/* Shared by the objects' flags words. */
#define FNAT_F_UNLINKED		0	/* bit: removed from its table, going away */
#define FNAT_DEST_F_AVAILABLE	1	/* bit: may receive new connections */
#define FNAT_DEST_F_CHECK	3	/* bit: the passive check holds it (dest_check.c):
					 * dest->check.state is not OK */

/* --- counters (stats.c) ---------------------------------------------------------- */

struct fnat_cpu_stats {
	u64_stats_t conns;
	u64_stats_t inpkts;
	u64_stats_t outpkts;
	u64_stats_t inbytes;
	u64_stats_t outbytes;
	struct u64_stats_sync syncp;
};

/* A plain snapshot of the five counters (or of their per-second rates). */
struct fnat_counters {
	u64 conns;
	u64 inpkts;
	u64 outpkts;
	u64 inbytes;
	u64 outbytes;
};

struct fnat_stats {
	struct fnat_cpu_stats __percpu *cpu;
	/* Totals at the last ZERO, subtracted from what is reported (control mutex). */
	struct fnat_counters base;
	/* Per-second rates, written by the estimator (stats.c) every
	 * FNAT_EST_INTERVAL under the control mutex: a moving average, as IPVS's. */
	struct fnat_counters rate;
	/* The estimator's own state: raw totals at its last pass, and the averages
	 * scaled by 2^FNAT_EST_SHIFT. Control mutex. */
	struct fnat_counters est_last;
	struct fnat_counters est_avg;
};

#define FNAT_EST_INTERVAL	(2 * HZ)
#define FNAT_EST_SHIFT		10

void fnat_stats_estimate(struct fnat_stats *s);

int fnat_stats_init(struct fnat_stats *s);
struct fnat_net;
void fnat_est_start(struct fnat_net *fn);
void fnat_est_stop(struct fnat_net *fn);
void fnat_stats_free(struct fnat_stats *s);
void fnat_stats_read(const struct fnat_stats *s, struct fnat_counters *sum);
void fnat_stats_zero(struct fnat_stats *s);

/* Packet path helpers: softirq context, on the local CPU's counters. */
static inline void fnat_stats_in(struct fnat_stats *s, unsigned int len)
{
	struct fnat_cpu_stats *c = this_cpu_ptr(s->cpu);

	u64_stats_update_begin(&c->syncp);
	u64_stats_inc(&c->inpkts);
	u64_stats_add(&c->inbytes, len);
	u64_stats_update_end(&c->syncp);
}

static inline void fnat_stats_out(struct fnat_stats *s, unsigned int len)
{
	struct fnat_cpu_stats *c = this_cpu_ptr(s->cpu);

	u64_stats_update_begin(&c->syncp);
	u64_stats_inc(&c->outpkts);
	u64_stats_add(&c->outbytes, len);
	u64_stats_update_end(&c->syncp);
}

static inline void fnat_stats_conn(struct fnat_stats *s)
{
	struct fnat_cpu_stats *c = this_cpu_ptr(s->cpu);

	u64_stats_update_begin(&c->syncp);
	u64_stats_inc(&c->conns);
	u64_stats_update_end(&c->syncp);
}

/*
 * A TCP service's SYN proxy counters (synproxy.c counts, with the namespace's
 * synproxy_* counters of the same names): per CPU, as the others, and zeroed the same
 * way (ZERO records a base). Allocated with the service when it is TCP, whether or
 * not the proxy is on now: -E may turn it on and off, and the counts stay.
 */
enum fnat_sp_counter {
	FNAT_SP_SYN,		/* SYN-ACKs with a cookie sent */
	FNAT_SP_ACK_OK,		/* ACKs whose cookie checked */
	FNAT_SP_ACK_BAD,	/* ACKs whose cookie did not */
	FNAT_SP_RS_FAIL,	/* real servers that refused or never answered */
	FNAT_SP_DATA_DROPPED,	/* client segments not held while the RS was asked */
	FNAT_SP_MAX
};

struct fnat_sp_cpu_stats {
	u64_stats_t c[FNAT_SP_MAX];
	struct u64_stats_sync syncp;
};

struct fnat_sp_stats {
	struct fnat_sp_cpu_stats __percpu *cpu;	/* NULL for a UDP service */
	u64 base[FNAT_SP_MAX];			/* at the last ZERO; control mutex */
};

int fnat_sp_stats_init(struct fnat_sp_stats *s);
void fnat_sp_stats_free(struct fnat_sp_stats *s);
void fnat_sp_stats_read(const struct fnat_sp_stats *s, u64 sum[FNAT_SP_MAX]);
void fnat_sp_stats_zero(struct fnat_sp_stats *s);

static inline void fnat_sp_stats_inc(struct fnat_sp_stats *s, enum fnat_sp_counter i)
{
	struct fnat_sp_cpu_stats *c = this_cpu_ptr(s->cpu);

	u64_stats_update_begin(&c->syncp);
	u64_stats_inc(&c->c[i]);
	u64_stats_update_end(&c->syncp);
}

/* --- per-namespace state (netns.c) ----------------------------------------------- */

#define FNAT_SVC_TAB_BITS	8
#define FNAT_SVC_TAB_SIZE	(1U << FNAT_SVC_TAB_BITS)

/* Defaults of the tunables, as documented in the uapi header. */
#define FNAT_DEF_TIMEOUT_TCP		900
#define FNAT_DEF_TIMEOUT_TCP_FIN	120
#define FNAT_DEF_TIMEOUT_UDP		300
#define FNAT_DEF_TIMEOUT_SYN		60
#define FNAT_DEF_PORT_MIN		1024
#define FNAT_DEF_PORT_MAX		65535
#define FNAT_DEF_PERSIST_TIMEOUT	300

/*
 * The namespace's tunables. Written under fnat_net.lock with WRITE_ONCE, read by the
 * packet path with READ_ONCE. The local port range is one word so that a reader
 * never sees the low end of one setting with the high end of another.
 */
struct fnat_config {
	u32 timeout_tcp;
	u32 timeout_tcp_fin;
	u32 timeout_udp;
	u32 timeout_syn;
	u32 conn_max;
	u32 port_range;		/* min << 16 | max */
	u8 toa;
	u8 keep_timestamps;
	u8 expire_rst;
	u32 dc_fails;		/* passive check: failures in a row that inhibit */
	u32 dc_inhibit_min;	/* seconds: the first inhibit period */
	u32 dc_inhibit_max;	/* seconds: the longest */
};

#define FNAT_DEF_DC_FAILS		3
#define FNAT_DEF_DC_INHIBIT_MIN		5
#define FNAT_DEF_DC_INHIBIT_MAX		3600
#define FNAT_DC_FAILS_MAX		1000
#define FNAT_DC_INHIBIT_LIMIT		86400

static inline u16 fnat_port_min(u32 range) { return range >> 16; }
static inline u16 fnat_port_max(u32 range) { return range & 0xffff; }
static inline u32 fnat_port_range(u16 min, u16 max) { return (u32)min << 16 | max; }

/*
 * A pool of local addresses: a service's own, or the namespace's default pool that
 * every service without addresses of its own takes its LIPs from. Changed under
 * fnat_net.lock; the packet path walks the list under RCU and reads num with
 * READ_ONCE.
 */
struct fnat_laddr_pool {
	struct list_head list;		/* struct fnat_laddr, insertion order */
	unsigned int num;
	atomic_t cursor;		/* the packet path's rotation through the list */
};

struct fnat_sync_master;
struct fnat_sync_backup;

struct fnat_net {
	struct net *net;
	struct mutex lock;		/* serializes the control plane */
	struct hlist_head svc_table[FNAT_SVC_TAB_SIZE];
	struct list_head svc_list;	/* creation order */
	struct fnat_laddr_pool default_laddrs;
	unsigned int num_services;
	u64 next_id;			/* ids of new objects: increasing, never reused */
	u32 gen;			/* bumped on every change of the tables; never 0 */
	struct fnat_config cfg;
	atomic_t conn_count;		/* live connections (the datapath's table) */
	struct delayed_work est_work;	/* the rate estimator (stats.c) */
	u32 hash_seed;
	/* Connection sync (sync.c): the daemons, started and stopped under ->lock. The
	 * packet path finds the master under RCU, and reads sync_threshold (0 while
	 * no master runs) with READ_ONCE. */
	struct fnat_sync_master __rcu *sync_master;
	struct fnat_sync_backup *sync_backup;
	u8 sync_threshold;
};

extern unsigned int fnat_net_id;
extern unsigned int fnat_conn_tab_bits;
extern unsigned int fnat_conn_max_global;	/* live connections, all namespaces */

static inline struct fnat_net *fnat_net(const struct net *net)
{
	return net_generic(net, fnat_net_id);
}

static inline u64 fnat_next_id(struct fnat_net *fn)
{
	lockdep_assert_held(&fn->lock);
	return ++fn->next_id;
}

/* Every change of the service, destination or local address tables calls this, so
 * that a dump spanning several messages can tell (NLM_F_DUMP_INTR). */
static inline void fnat_changed(struct fnat_net *fn)
{
	lockdep_assert_held(&fn->lock);
	if (++fn->gen == 0)
		fn->gen = 1;
}

int fnat_netns_init(void);
void fnat_netns_exit(void);

/*
 * Objects (services, destinations, local addresses, scheduler states) not yet freed.
 * Their RCU callbacks can chain (a destination's last put frees its service), so
 * unload waits on this count rather than on a fixed number of rcu_barrier()s.
 */
extern atomic_t fnat_live_objects;
void fnat_wait_objects(void);
u32 fnat_conn_tab_size(void);
int fnat_config_set(struct fnat_net *fn, const struct fnat_config *upd,
		    struct netlink_ext_ack *extack);

/* --- schedulers (sched.c) -------------------------------------------------------- */

struct fnat_service;
struct fnat_dest;

/*
 * A scheduler's per-service state. The control plane allocates state_size bytes
 * (zeroed) with this header first, calls init, and publishes it in svc->sched; it is
 * freed after an RCU grace period once unpublished (scheduler change) or with the
 * service, calling release first.
 */
struct fnat_sched_state {
	const struct fnat_sched_ops *ops;
	struct rcu_head rcu;
};

struct fnat_sched_ops {
	const char *name;
	size_t state_size;	/* >= sizeof(struct fnat_sched_state) */
	/* Fill a fresh state for svc (not yet visible). May sleep; may fail. */
	int (*init)(struct fnat_service *svc, struct fnat_sched_state *st);
	/* The destinations of svc, or their weights, changed. Control mutex held;
	 * packet path readers may be using st concurrently. Must not fail. */
	void (*update)(struct fnat_service *svc, struct fnat_sched_state *st);
	/* Free what init allocated (not st itself). Runs from an RCU callback. */
	void (*release)(struct fnat_sched_state *st);
	/* Pick a destination for a new connection. RCU read side, softirq. */
	struct fnat_dest *(*schedule)(struct fnat_service *svc,
				      struct fnat_sched_state *st,
				      const struct sk_buff *skb);
};

const struct fnat_sched_ops *fnat_sched_find(const char *name);
struct fnat_sched_state *fnat_sched_state_new(struct fnat_service *svc,
					      const struct fnat_sched_ops *ops);
void fnat_sched_state_free(struct fnat_sched_state *st);
void fnat_sched_state_free_rcu(struct fnat_sched_state *st);
void fnat_sched_update(struct fnat_service *svc);
bool fnat_sched_dest_available(struct fnat_dest *dest);
const char *fnat_sched_name(struct fnat_service *svc);

/* --- services and destinations (service.c) --------------------------------------- */

struct fnat_svc_key {
	u16 af;
	u8 protocol;
	__be16 port;
	union nf_inet_addr addr;
};

/* Routes kept for the packet path (xmit.c), in slots hashed by their addresses:
 * a real server's from each LIP, a service's from its VIP to each of its clients. */
#define FNAT_DEST_ROUTES	32
#define FNAT_SVC_ROUTES		64
struct fnat_cached_route;

struct fnat_service {
	struct hlist_node hnode;	/* fn->svc_table */
	struct list_head list;		/* fn->svc_list */
	refcount_t refcnt;
	unsigned long flags;		/* FNAT_F_* bits */
	u64 id;
	struct fnat_svc_key key;	/* immutable */
	struct fnat_net *fn;
	u16 owner;			/* IPVS_FNAT_OWNER_*: immutable */
	/* Settings: written under the mutex with WRITE_ONCE. */
	u32 svc_flags;			/* IPVS_FNAT_SVC_F_* */
	u32 timeout;			/* persistence, seconds */
	u8 netmask;			/* persistence prefix length */
	struct fnat_sched_state __rcu *sched;
	struct list_head dests;		/* insertion order */
	struct fnat_laddr_pool laddrs;	/* its own LIPs */
	unsigned int num_dests;		/* mutex */
	struct fnat_stats stats;
	struct fnat_sp_stats sp_stats;	/* TCP services */
	/* The routes of replies, from the VIP to clients (xmit.c): read on every
	 * reply, written when one is missing, stale or past its tenure. */
	struct fnat_cached_route __rcu *reply_route[FNAT_SVC_ROUTES];
	struct rcu_head rcu;
};

/*
 * A destination's passive health check (dest_check.c, where its rules are): the
 * state, when it ends, and the failures counted. Under ->lock, taken from softirq
 * (the packet path, connection timers) and with BHs off from the control plane;
 * the scheduler reads state and until with READ_ONCE, and looks at all only when
 * FNAT_DEST_F_CHECK is set.
 */
struct fnat_dest_check {
	spinlock_t lock;
	u8 state;			/* IPVS_FNAT_DEST_CHECK_* */
	u32 fails;			/* handshakes failed in a row */
	u32 period;			/* seconds of the last inhibit period; 0 = none yet */
	unsigned long until;		/* jiffies: INHIBITED until; TRIAL: the trial's
					 * deadline, after which another may go */
	u64 inhibits;			/* times inhibited */
};

struct fnat_dest {
	struct list_head list;		/* svc->dests */
	refcount_t refcnt;
	unsigned long flags;		/* FNAT_F_*, FNAT_DEST_F_* bits */
	u64 id;
	struct fnat_service *svc;	/* holds a reference */
	u16 af;
	__be16 port;
	union nf_inet_addr addr;
	atomic_t weight;
	u32 u_thresh;			/* WRITE_ONCE under the mutex */
	u32 l_thresh;
	atomic_t activeconns;
	atomic_t inactconns;
	atomic_t persistconns;
	struct fnat_dest_check check;	/* the passive health check (dest_check.c) */
	struct fnat_stats stats;
	/* The routes from the LIPs to this server (xmit.c): read on every packet,
	 * written only when one is missing or stale. */
	struct fnat_cached_route __rcu *route[FNAT_DEST_ROUTES];
	struct rcu_head rcu;
};

/* What a NEW/SET_SERVICE asks for; has_* tell which optional parts were given. */
struct fnat_svc_conf {
	struct fnat_svc_key key;
	const struct fnat_sched_ops *sched;	/* NULL: unchanged (SET) */
	bool has_flags, has_timeout, has_netmask, has_owner;
	u32 flags;
	u32 timeout;
	u8 netmask;
	u16 owner;
};

struct fnat_dest_conf {
	u16 af;
	__be16 port;
	union nf_inet_addr addr;
	bool has_weight, has_u_thresh, has_l_thresh;
	u32 weight;
	u32 u_thresh;
	u32 l_thresh;
};

static inline int fnat_addr_len(u16 af)
{
	return af == AF_INET6 ? sizeof(struct in6_addr) : sizeof(struct in_addr);
}

static inline bool fnat_addr_equal(u16 af, const union nf_inet_addr *a,
				   const union nf_inet_addr *b)
{
	if (af == AF_INET6)
		return ipv6_addr_equal(&a->in6, &b->in6);
	return a->ip == b->ip;
}

struct fnat_service *fnat_svc_find(struct fnat_net *fn, const struct fnat_svc_key *key);
struct fnat_service *fnat_svc_find_id(struct fnat_net *fn, u64 id);
int fnat_svc_add(struct fnat_net *fn, const struct fnat_svc_conf *conf,
		 struct netlink_ext_ack *extack);
int fnat_svc_edit(struct fnat_net *fn, struct fnat_service *svc,
		  const struct fnat_svc_conf *conf, struct netlink_ext_ack *extack);
void fnat_svc_del(struct fnat_net *fn, struct fnat_service *svc);
void fnat_svc_flush(struct fnat_net *fn);
void fnat_svc_zero(struct fnat_service *svc);
void fnat_svc_put(struct fnat_service *svc);
bool fnat_svc_hold_rcu(struct fnat_service *svc);

struct fnat_dest *fnat_dest_find(struct fnat_service *svc, u16 af,
				 const union nf_inet_addr *addr, __be16 port);
int fnat_dest_add(struct fnat_net *fn, struct fnat_service *svc,
		  const struct fnat_dest_conf *conf, struct netlink_ext_ack *extack);
int fnat_dest_edit(struct fnat_net *fn, struct fnat_service *svc, struct fnat_dest *dest,
		   const struct fnat_dest_conf *conf, struct netlink_ext_ack *extack);
void fnat_dest_del(struct fnat_net *fn, struct fnat_service *svc, struct fnat_dest *dest);
void fnat_dest_put(struct fnat_dest *dest);
bool fnat_dest_hold_rcu(struct fnat_dest *dest);

/* --- local address pools (laddr.c) ----------------------------------------------- */

struct fnat_laddr {
	struct list_head list;		/* its pool's list */
	refcount_t refcnt;
	unsigned long flags;		/* FNAT_F_* bits */
	u64 id;
	u16 af;
	u32 lflags;			/* IPVS_FNAT_LADDR_F_*: immutable */
	union nf_inet_addr addr;
	atomic64_t port_conflicts;	/* ports found taken while allocating */
	atomic_t conns;			/* live connections using this address */
	struct rcu_head rcu;
};

void fnat_laddr_pool_init(struct fnat_laddr_pool *pool);
struct fnat_laddr *fnat_laddr_find(struct fnat_net *fn, struct fnat_laddr_pool *pool, u16 af,
				   const union nf_inet_addr *addr);
int fnat_laddr_add(struct fnat_net *fn, struct fnat_laddr_pool *pool, u16 af,
		   const union nf_inet_addr *addr, u32 lflags);
void fnat_laddr_del(struct fnat_net *fn, struct fnat_laddr_pool *pool, struct fnat_laddr *la);
void fnat_laddr_flush(struct fnat_net *fn, struct fnat_laddr_pool *pool);
void fnat_laddr_put(struct fnat_laddr *la);
bool fnat_laddr_hold_rcu(struct fnat_laddr *la);

/* --- the passive health check (dest_check.c) ------------------------------------- */

void fnat_dc_init(struct fnat_dest *dest);
void fnat_dc_reset(struct fnat_dest *dest);
void fnat_dc_reset_svc(struct fnat_service *svc);
bool fnat_dc_admits(struct fnat_dest *dest);
struct fnat_dc_snapshot {
	u8 state;
	u32 fails;
	u32 left_ms;
	u64 inhibits;
};
void fnat_dc_read(struct fnat_dest *dest, struct fnat_dc_snapshot *snap);

/* --- generic netlink (netlink.c) and /proc (proc.c) ------------------------------ */

int fnat_genl_init(void);
void fnat_genl_exit(void);
int fnat_proc_net_init(struct net *net);
void fnat_proc_net_exit(struct net *net);

#endif /* IPVS_FNAT_INTERNAL_H */
