// SPDX-License-Identifier: GPL-2.0
/*
 * IPVS_FNAT_CMD_NEW_DAEMON, DEL_DAEMON and GET_DAEMON: the connection sync daemons
 * (sync.c; docs/sync.md).
 *
 * A request is checked whole into a struct fnat_sync_conf before anything starts:
 * the policy checks types and lengths, fnat_nl_daemon_conf() what a policy cannot
 * (ranges, address kinds, which options go together). Starting and stopping take
 * the namespace's control mutex, as every change does. The key is copied once into
 * the configuration, handed to the HMAC transform by sync.c, and wiped from every
 * copy here on every path; no reply ever carries it (KEY_SET says whether there is
 * one).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include "fnat.h"
#include "dp.h"
#include "sync.h"
#include "netlink.h"

#define FNAT_DAEMON_REPLY_ONLY { .type = NLA_REJECT, .reject_message = "attribute only appears in replies" }

static const struct nla_policy fnat_daemon_peers_policy[IPVS_FNAT_DAEMON_ATTR_MAX + 1] = {
	[IPVS_FNAT_DAEMON_ATTR_PEER] = { .type = NLA_BINARY, .len = sizeof(struct in6_addr) },
};

static const struct nla_policy fnat_daemon_policy[IPVS_FNAT_DAEMON_ATTR_MAX + 1] = {
	[IPVS_FNAT_DAEMON_ATTR_STATE] = { .type = NLA_U32 },
	[IPVS_FNAT_DAEMON_ATTR_MCAST_IFN] = { .type = NLA_NUL_STRING,
					      .len = IPVS_FNAT_SYNC_IFNAME_MAX - 1 },
	[IPVS_FNAT_DAEMON_ATTR_SYNCID] = { .type = NLA_U32 },
	[IPVS_FNAT_DAEMON_ATTR_MCAST_GROUP] = { .type = NLA_BINARY, .len = sizeof(struct in6_addr) },
	[IPVS_FNAT_DAEMON_ATTR_MCAST_PORT] = { .type = NLA_BE16 },
	[IPVS_FNAT_DAEMON_ATTR_MCAST_TTL] = { .type = NLA_U8 },
	[IPVS_FNAT_DAEMON_ATTR_PEERS] = NLA_POLICY_NESTED(fnat_daemon_peers_policy),
	[IPVS_FNAT_DAEMON_ATTR_PEER] = { .type = NLA_REJECT,
					 .reject_message = "PEER goes inside PEERS" },
	[IPVS_FNAT_DAEMON_ATTR_KEY] = { .type = NLA_BINARY, .len = IPVS_FNAT_SYNC_KEY_MAX },
	[IPVS_FNAT_DAEMON_ATTR_KEY_SET] = FNAT_DAEMON_REPLY_ONLY,
	[IPVS_FNAT_DAEMON_ATTR_SYNC_THRESHOLD] = { .type = NLA_U32 },
	[IPVS_FNAT_DAEMON_ATTR_EPOCH] = FNAT_DAEMON_REPLY_ONLY,
	[IPVS_FNAT_DAEMON_ATTR_STATS] = FNAT_DAEMON_REPLY_ONLY,
	[IPVS_FNAT_DAEMON_ATTR_PAD] = FNAT_DAEMON_REPLY_ONLY,
	[IPVS_FNAT_DAEMON_ATTR_SYNCED] = FNAT_DAEMON_REPLY_ONLY,
	[IPVS_FNAT_DAEMON_ATTR_MASTERS] = FNAT_DAEMON_REPLY_ONLY,
	[IPVS_FNAT_DAEMON_ATTR_MASTER] = FNAT_DAEMON_REPLY_ONLY,
};

/* DEL_DAEMON names the daemon only. */
static const struct nla_policy fnat_daemon_key_policy[IPVS_FNAT_DAEMON_ATTR_MAX + 1] = {
	[IPVS_FNAT_DAEMON_ATTR_STATE] = { .type = NLA_U32 },
};

const struct nla_policy fnat_pol_daemon[IPVS_FNAT_ATTR_MAX + 1] = {
	[IPVS_FNAT_ATTR_DAEMON] = NLA_POLICY_NESTED(fnat_daemon_policy),
};

const struct nla_policy fnat_pol_daemon_key[IPVS_FNAT_ATTR_MAX + 1] = {
	[IPVS_FNAT_ATTR_DAEMON] = NLA_POLICY_NESTED(fnat_daemon_key_policy),
};

/* GET_DAEMON takes nothing (strict parsing refuses every attribute). */
const struct nla_policy fnat_pol_daemon_dump[IPVS_FNAT_ATTR_MAX + 1] = {
	[IPVS_FNAT_ATTR_DAEMON] = { .type = NLA_REJECT,
				    .reject_message = "this command takes no attributes" },
};

static int fnat_nl_daemon_attrs(struct genl_info *info, const struct nla_policy *policy,
				struct nlattr **tb)
{
	struct nlattr *a = info->attrs[IPVS_FNAT_ATTR_DAEMON];

	if (!a) {
		NL_SET_ERR_MSG(info->extack, "missing the daemon attribute");
		return -EINVAL;
	}
	return nla_parse_nested(tb, IPVS_FNAT_DAEMON_ATTR_MAX, a, policy, info->extack);
}

static int fnat_nl_daemon_state(struct nlattr **tb, struct netlink_ext_ack *extack, u32 *state)
{
	struct nlattr *a = tb[IPVS_FNAT_DAEMON_ATTR_STATE];

	if (!a) {
		NL_SET_ERR_MSG(extack, "missing the daemon state (master or backup)");
		return -EINVAL;
	}
	*state = nla_get_u32(a);
	if (*state != IPVS_FNAT_DAEMON_MASTER && *state != IPVS_FNAT_DAEMON_BACKUP) {
		NL_SET_ERR_MSG_ATTR(extack, a, "the daemon state must be master (1) or backup (2)");
		return -EINVAL;
	}
	return 0;
}

/* An address attribute of 4 or 16 bytes into addr; its family, or 0 after an error. */
static u16 fnat_nl_daemon_addr(const struct nlattr *a, union nf_inet_addr *addr,
			       struct netlink_ext_ack *extack)
{
	memset(addr, 0, sizeof(*addr));
	if (nla_len(a) == sizeof(struct in_addr)) {
		memcpy(&addr->ip, nla_data(a), sizeof(addr->ip));
		return AF_INET;
	}
	if (nla_len(a) == sizeof(struct in6_addr)) {
		memcpy(&addr->in6, nla_data(a), sizeof(addr->in6));
		return AF_INET6;
	}
	NL_SET_ERR_MSG_ATTR(extack, a, "address must be 4 (IPv4) or 16 (IPv6) bytes");
	return 0;
}

static bool fnat_nl_addr_multicast(u16 af, const union nf_inet_addr *a)
{
	return af == AF_INET6 ? ipv6_addr_is_multicast(&a->in6) : ipv4_is_multicast(a->ip);
}

static bool fnat_nl_addr_any(u16 af, const union nf_inet_addr *a)
{
	return af == AF_INET6 ? ipv6_addr_any(&a->in6) : !a->ip;
}

static int fnat_nl_daemon_peers(const struct nlattr *peers, struct fnat_sync_conf *c,
				struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	unsigned int i;
	int rem;

	nla_for_each_nested(a, peers, rem) {
		union nf_inet_addr addr;
		u16 af;

		if (nla_type(a) != IPVS_FNAT_DAEMON_ATTR_PEER)
			continue;	/* (the policy refused anything else) */
		if (c->npeers == IPVS_FNAT_SYNC_MAX_PEERS) {
			NL_SET_ERR_MSG_ATTR(extack, a, "too many sync peers (at most 16)");
			return -EINVAL;
		}
		af = fnat_nl_daemon_addr(a, &addr, extack);
		if (!af)
			return -EINVAL;
		if (c->npeers && af != c->af) {
			NL_SET_ERR_MSG_ATTR(extack, a, "sync peers must all be of one family");
			return -EINVAL;
		}
		if (fnat_nl_addr_multicast(af, &addr) || fnat_nl_addr_any(af, &addr)) {
			NL_SET_ERR_MSG_ATTR(extack, a, "a sync peer must be a unicast address");
			return -EINVAL;
		}
		for (i = 0; i < c->npeers; i++)
			if (fnat_addr_equal(af, &c->peers[i], &addr)) {
				NL_SET_ERR_MSG_ATTR(extack, a, "a sync peer is given twice");
				return -EINVAL;
			}
		c->af = af;
		c->peers[c->npeers++] = addr;
	}
	if (!c->npeers) {
		NL_SET_ERR_MSG_ATTR(extack, peers, "PEERS holds no peer");
		return -EINVAL;
	}
	return 0;
}

/* NEW_DAEMON's attributes, checked whole, into c (zeroed by the caller). */
static int fnat_nl_daemon_conf(struct nlattr **tb, struct fnat_sync_conf *c,
			       struct netlink_ext_ack *extack)
{
	struct nlattr *a;
	int err;

	err = fnat_nl_daemon_state(tb, extack, &c->state);
	if (err)
		return err;
	a = tb[IPVS_FNAT_DAEMON_ATTR_MCAST_IFN];
	if (!a || !nla_len(a) || !*(const char *)nla_data(a)) {
		NL_SET_ERR_MSG(extack, "missing the sync interface (MCAST_IFN)");
		return -EINVAL;
	}
	nla_strscpy(c->ifname, a, sizeof(c->ifname));

	a = tb[IPVS_FNAT_DAEMON_ATTR_SYNCID];
	if (a && nla_get_u32(a) > 255) {
		NL_SET_ERR_MSG_ATTR(extack, a, "syncid must be 0..255");
		return -EINVAL;
	}
	c->syncid = a ? nla_get_u32(a) : 0;

	c->port = htons(IPVS_FNAT_SYNC_DEF_PORT);
	a = tb[IPVS_FNAT_DAEMON_ATTR_MCAST_PORT];
	if (a) {
		if (!nla_get_be16(a)) {
			NL_SET_ERR_MSG_ATTR(extack, a, "the sync port must not be 0");
			return -EINVAL;
		}
		c->port = nla_get_be16(a);
	}

	c->ttl = 1;
	a = tb[IPVS_FNAT_DAEMON_ATTR_MCAST_TTL];
	if (a) {
		if (!nla_get_u8(a)) {
			NL_SET_ERR_MSG_ATTR(extack, a, "the multicast TTL must be 1..255");
			return -EINVAL;
		}
		c->ttl = nla_get_u8(a);
	}

	if (tb[IPVS_FNAT_DAEMON_ATTR_MCAST_GROUP] && tb[IPVS_FNAT_DAEMON_ATTR_PEERS]) {
		NL_SET_ERR_MSG(extack, "a multicast group and unicast peers exclude each other");
		return -EINVAL;
	}
	a = tb[IPVS_FNAT_DAEMON_ATTR_MCAST_GROUP];
	if (a) {
		c->af = fnat_nl_daemon_addr(a, &c->group, extack);
		if (!c->af)
			return -EINVAL;
		if (!fnat_nl_addr_multicast(c->af, &c->group)) {
			NL_SET_ERR_MSG_ATTR(extack, a, "the sync group must be a multicast address");
			return -EINVAL;
		}
	} else if (tb[IPVS_FNAT_DAEMON_ATTR_PEERS]) {
		err = fnat_nl_daemon_peers(tb[IPVS_FNAT_DAEMON_ATTR_PEERS], c, extack);
		if (err)
			return err;
	} else {
		c->af = AF_INET;
		c->group.ip = htonl(IPVS_FNAT_SYNC_DEF_GROUP4);
	}

	a = tb[IPVS_FNAT_DAEMON_ATTR_KEY];
	if (a) {
		if (nla_len(a) < IPVS_FNAT_SYNC_KEY_MIN) {
			NL_SET_ERR_MSG_ATTR(extack, a, "the sync key must be 16..64 bytes");
			return -EINVAL;
		}
		c->key_len = nla_len(a);
		memcpy(c->key, nla_data(a), c->key_len);
	}

	a = tb[IPVS_FNAT_DAEMON_ATTR_SYNC_THRESHOLD];
	if (a && c->state != IPVS_FNAT_DAEMON_MASTER) {
		NL_SET_ERR_MSG_ATTR(extack, a, "the sync threshold is a master's setting");
		return -EINVAL;
	}
	if (a && (nla_get_u32(a) < 1 || nla_get_u32(a) > 255)) {
		NL_SET_ERR_MSG_ATTR(extack, a, "the sync threshold must be 1..255");
		return -EINVAL;
	}
	if (c->state == IPVS_FNAT_DAEMON_MASTER)
		c->threshold = a ? nla_get_u32(a) : IPVS_FNAT_SYNC_DEF_THRESHOLD;
	return 0;
}

int fnat_nl_new_daemon(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct fnat_net *fn = fnat_net(net);
	struct nlattr *tb[IPVS_FNAT_DAEMON_ATTR_MAX + 1];
	struct fnat_sync_conf *c;
	int err;

	err = fnat_nl_daemon_attrs(info, fnat_daemon_policy, tb);
	if (err)
		return err;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	err = fnat_nl_daemon_conf(tb, c, info->extack);
	if (!err) {
		mutex_lock(&fn->lock);
		err = fnat_sync_start(net, c, info->extack);
		mutex_unlock(&fn->lock);
	}
	/* The key's only copy outside the transform (and the request's skb). */
	kfree_sensitive(c);
	return err;
}

int fnat_nl_del_daemon(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct fnat_net *fn = fnat_net(net);
	struct nlattr *tb[IPVS_FNAT_DAEMON_ATTR_MAX + 1];
	u32 state;
	int err;

	err = fnat_nl_daemon_attrs(info, fnat_daemon_key_policy, tb) ?:
	      fnat_nl_daemon_state(tb, info->extack, &state);
	if (err)
		return err;
	mutex_lock(&fn->lock);
	err = fnat_sync_stop(net, state);
	mutex_unlock(&fn->lock);
	if (err == -ESRCH && state == IPVS_FNAT_DAEMON_MASTER)
		NL_SET_ERR_MSG(info->extack, "no master sync daemon is running");
	else if (err == -ESRCH)
		NL_SET_ERR_MSG(info->extack, "no backup sync daemon is running");
	return err;
}

static int fnat_nl_put_daemon_stats(struct sk_buff *skb, struct net *net)
{
	struct nlattr *nest = nla_nest_start(skb, IPVS_FNAT_DAEMON_ATTR_STATS);
	unsigned int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i <= FNAT_C_SYNC_DELETED - FNAT_C_SYNC_TX_MSGS; i++)
		if (nla_put_u64_64bit(skb, IPVS_FNAT_SYNC_STATS_ATTR_TX_MSGS + i,
				      fnat_dp_counter_read(net, FNAT_C_SYNC_TX_MSGS + i),
				      IPVS_FNAT_SYNC_STATS_ATTR_PAD))
			return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, IPVS_FNAT_SYNC_STATS_ATTR_MOVED,
			      fnat_dp_counter_read(net, FNAT_C_SYNC_MOVED),
			      IPVS_FNAT_SYNC_STATS_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, IPVS_FNAT_SYNC_STATS_ATTR_RESYNC_DONE,
			      fnat_dp_counter_read(net, FNAT_C_SYNC_RESYNC_DONE),
			      IPVS_FNAT_SYNC_STATS_ATTR_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int fnat_nl_put_masters(struct sk_buff *skb, const struct fnat_sync_backup_status *st)
{
	struct nlattr *list, *one;
	unsigned int i;

	if (nla_put_u8(skb, IPVS_FNAT_DAEMON_ATTR_SYNCED, st->synced))
		return -EMSGSIZE;
	list = nla_nest_start(skb, IPVS_FNAT_DAEMON_ATTR_MASTERS);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < st->n; i++) {
		const struct fnat_sync_master_seen *ms = &st->m[i];
		const struct sockaddr_in6 *a6 = (const void *)&ms->addr;
		const struct sockaddr_in *a4 = (const void *)&ms->addr;

		one = nla_nest_start(skb, IPVS_FNAT_DAEMON_ATTR_MASTER);
		if (!one ||
		    nla_put_u32(skb, IPVS_FNAT_MASTER_ATTR_SYNCID, ms->syncid) ||
		    (ms->addr.ss_family == AF_INET6 ?
			     nla_put_in6_addr(skb, IPVS_FNAT_MASTER_ATTR_ADDR, &a6->sin6_addr) :
			     nla_put_in_addr(skb, IPVS_FNAT_MASTER_ATTR_ADDR, a4->sin_addr.s_addr)) ||
		    nla_put_u64_64bit(skb, IPVS_FNAT_MASTER_ATTR_EPOCH, ms->epoch,
				      IPVS_FNAT_MASTER_ATTR_PAD) ||
		    nla_put_u8(skb, IPVS_FNAT_MASTER_ATTR_SYNCED, ms->synced) ||
		    nla_put_u32(skb, IPVS_FNAT_MASTER_ATTR_HEARD_MS, ms->heard_ms))
			return -EMSGSIZE;
		nla_nest_end(skb, one);
	}
	nla_nest_end(skb, list);
	return 0;
}

static int fnat_nl_fill_daemon(struct sk_buff *skb, struct netlink_callback *cb, struct net *net,
			       const struct fnat_sync_conf *c, u64 epoch,
			       const struct fnat_sync_backup_status *st)
{
	unsigned int alen = c->af == AF_INET6 ? sizeof(struct in6_addr) : sizeof(struct in_addr);
	void *hdr = fnat_nl_dump_hdr(skb, cb, IPVS_FNAT_CMD_GET_DAEMON);
	struct nlattr *d, *p;
	unsigned int i;

	if (!hdr)
		return -EMSGSIZE;
	d = nla_nest_start(skb, IPVS_FNAT_ATTR_DAEMON);
	if (!d)
		goto cancel;
	if (nla_put_u32(skb, IPVS_FNAT_DAEMON_ATTR_STATE, c->state) ||
	    nla_put_string(skb, IPVS_FNAT_DAEMON_ATTR_MCAST_IFN, c->ifname) ||
	    nla_put_u32(skb, IPVS_FNAT_DAEMON_ATTR_SYNCID, c->syncid) ||
	    nla_put_be16(skb, IPVS_FNAT_DAEMON_ATTR_MCAST_PORT, c->port) ||
	    nla_put_u8(skb, IPVS_FNAT_DAEMON_ATTR_MCAST_TTL, c->ttl) ||
	    nla_put_u8(skb, IPVS_FNAT_DAEMON_ATTR_KEY_SET, c->key_len ? 1 : 0) ||
	    nla_put_u64_64bit(skb, IPVS_FNAT_DAEMON_ATTR_EPOCH, epoch, IPVS_FNAT_DAEMON_ATTR_PAD))
		goto cancel;
	if (c->state == IPVS_FNAT_DAEMON_MASTER &&
	    nla_put_u32(skb, IPVS_FNAT_DAEMON_ATTR_SYNC_THRESHOLD, c->threshold))
		goto cancel;
	if (!c->npeers) {
		if (nla_put(skb, IPVS_FNAT_DAEMON_ATTR_MCAST_GROUP, alen, &c->group))
			goto cancel;
	} else {
		p = nla_nest_start(skb, IPVS_FNAT_DAEMON_ATTR_PEERS);
		if (!p)
			goto cancel;
		for (i = 0; i < c->npeers; i++)
			if (nla_put(skb, IPVS_FNAT_DAEMON_ATTR_PEER, alen, &c->peers[i]))
				goto cancel;
		nla_nest_end(skb, p);
	}
	if (fnat_nl_put_daemon_stats(skb, net))
		goto cancel;
	if (c->state == IPVS_FNAT_DAEMON_BACKUP && fnat_nl_put_masters(skb, st))
		goto cancel;
	nla_nest_end(skb, d);
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* cb->args[0]: the next daemon to show (0 the master, 1 the backup, 2 done). */
int fnat_nl_dump_daemons(struct sk_buff *skb, struct netlink_callback *cb)
{
	static const u32 states[] = { IPVS_FNAT_DAEMON_MASTER, IPVS_FNAT_DAEMON_BACKUP };
	struct net *net = sock_net(skb->sk);
	struct fnat_net *fn = fnat_net(net);
	struct fnat_sync_backup_status *st;
	struct fnat_sync_conf *c;
	u64 epoch;
	int err;

	c = kmalloc(sizeof(*c), GFP_KERNEL);
	st = kmalloc(sizeof(*st), GFP_KERNEL);
	if (!c || !st) {
		kfree(c);
		kfree(st);
		return -ENOMEM;
	}
	for (; cb->args[0] < ARRAY_SIZE(states); cb->args[0]++) {
		mutex_lock(&fn->lock);
		err = fnat_sync_info(net, states[cb->args[0]], c, &epoch, st);
		mutex_unlock(&fn->lock);
		if (err)
			continue;	/* not running */
		if (fnat_nl_fill_daemon(skb, cb, net, c, epoch, st))
			break;		/* in the next message */
	}
	kfree(st);
	kfree_sensitive(c);
	return skb->len;
}
