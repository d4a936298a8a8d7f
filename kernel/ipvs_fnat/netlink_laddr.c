// SPDX-License-Identifier: GPL-2.0
/*
 * IPVS_FNAT_CMD_NEW_LADDR, DEL_LADDR and the GET_LADDR dump: the local address pools
 * (laddr.c), a service's own or the namespace's default pool (no SERVICE in the
 * request). The pool is chosen and the address checked against its family under the
 * control mutex, before the pool changes.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include "fnat.h"
#include "dp.h"
#include "netlink.h"

static const struct nla_policy fnat_laddr_policy[IPVS_FNAT_LADDR_ATTR_MAX + 1] = {
	[IPVS_FNAT_LADDR_ATTR_AF] = { .type = NLA_U16 },
	[IPVS_FNAT_LADDR_ATTR_ADDR] = FNAT_POLICY_ADDR,
	[IPVS_FNAT_LADDR_ATTR_PORT_CONFLICTS] = FNAT_REPLY_ONLY,
	[IPVS_FNAT_LADDR_ATTR_CONNS] = FNAT_REPLY_ONLY,
	[IPVS_FNAT_LADDR_ATTR_PAD] = FNAT_REPLY_ONLY,
	[IPVS_FNAT_LADDR_ATTR_FLAGS] = NLA_POLICY_MASK(NLA_U32, IPVS_FNAT_LADDR_F_ALL),
};

const struct nla_policy fnat_pol_laddr[IPVS_FNAT_ATTR_MAX + 1] = {
	[IPVS_FNAT_ATTR_SERVICE] = NLA_POLICY_NESTED(fnat_svc_key_policy),
	[IPVS_FNAT_ATTR_LADDR] = NLA_POLICY_NESTED(fnat_laddr_policy),
};

static const struct fnat_nl_range fnat_laddr_ranges[] = {
	{ IPVS_FNAT_LADDR_ATTR_AF, FNAT_FAMILY, 0, 0, FNAT_AF_MSG },
};

static int fnat_nl_fill_laddr(struct sk_buff *skb, struct fnat_service *svc,
			      struct fnat_laddr *la, u32 portid, u32 seq, int flags,
			      struct netlink_callback *cb)
{
	struct nlattr *nest;
	void *hdr;

	hdr = fnat_nl_msg_start(skb, portid, seq, flags, IPVS_FNAT_CMD_GET_LADDR, cb);
	if (!hdr)
		return -EMSGSIZE;
	if (svc) {	/* NULL: the default pool's */
		nest = nla_nest_start(skb, IPVS_FNAT_ATTR_SERVICE);
		if (!nest || fnat_nl_put_key(skb, &svc->key))
			goto cancel;
		nla_nest_end(skb, nest);
	}
	nest = nla_nest_start(skb, IPVS_FNAT_ATTR_LADDR);
	if (!nest)
		goto cancel;
	if (nla_put_u16(skb, IPVS_FNAT_LADDR_ATTR_AF, la->af) ||
	    nla_put(skb, IPVS_FNAT_LADDR_ATTR_ADDR, fnat_addr_len(la->af), &la->addr) ||
	    nla_put_u64_64bit(skb, IPVS_FNAT_LADDR_ATTR_PORT_CONFLICTS,
			      atomic64_read(&la->port_conflicts), IPVS_FNAT_LADDR_ATTR_PAD) ||
	    nla_put_u32(skb, IPVS_FNAT_LADDR_ATTR_CONNS, atomic_read(&la->conns)) ||
	    nla_put_u32(skb, IPVS_FNAT_LADDR_ATTR_FLAGS, la->lflags))
		goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/*
 * The pool a NEW/DEL_LADDR names: the service's (ATTR_SERVICE given) or the
 * namespace's default pool, the address with its family, and (NEW_LADDR: lflags
 * not NULL) its flags. NULL with *err set on a bad request. Control mutex held.
 */
static struct fnat_laddr_pool *fnat_nl_laddr_request(struct genl_info *info, u16 *af,
						     union nf_inet_addr *addr, u32 *lflags,
						     int *err)
{
	struct nlattr *snest = info->attrs[IPVS_FNAT_ATTR_SERVICE];
	struct nlattr *nest = info->attrs[IPVS_FNAT_ATTR_LADDR];
	struct netlink_ext_ack *extack = info->extack;
	struct fnat_net *fn = fnat_nl_net(info);
	struct nlattr *tb[IPVS_FNAT_LADDR_ATTR_MAX + 1];
	struct fnat_service *svc;
	struct fnat_svc_key key;

	if (snest) {
		*err = fnat_nl_parse_key(snest, &key, extack);
		if (*err)
			return NULL;
	}
	*err = -EINVAL;
	if (!nest) {
		NL_SET_ERR_MSG(extack, "missing attribute: IPVS_FNAT_ATTR_LADDR");
		NL_SET_ERR_ATTR_MISS(extack, NULL, IPVS_FNAT_ATTR_LADDR);
		return NULL;
	}
	*err = nla_parse_nested(tb, IPVS_FNAT_LADDR_ATTR_MAX, nest, fnat_laddr_policy, extack);
	if (*err)
		return NULL;
	*err = fnat_nl_check_ranges(tb, fnat_laddr_ranges, ARRAY_SIZE(fnat_laddr_ranges), extack);
	if (*err)
		return NULL;
	*err = -EINVAL;
	if (FNAT_NL_MISSING(extack, nest, tb, IPVS_FNAT_LADDR_ATTR_ADDR, "local address ADDR"))
		return NULL;
	if (tb[IPVS_FNAT_LADDR_ATTR_FLAGS] && !lflags) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IPVS_FNAT_LADDR_ATTR_FLAGS],
				    "a local address is deleted by its address alone");
		return NULL;
	}
	if (lflags)
		*lflags = tb[IPVS_FNAT_LADDR_ATTR_FLAGS] ?
			  nla_get_u32(tb[IPVS_FNAT_LADDR_ATTR_FLAGS]) : 0;
	/* A family given must fit the address before anything is looked up; the
	 * default pool takes the family the address's length tells. */
	if (tb[IPVS_FNAT_LADDR_ATTR_AF] || !snest) {
		*af = tb[IPVS_FNAT_LADDR_ATTR_AF] ? nla_get_u16(tb[IPVS_FNAT_LADDR_ATTR_AF]) :
		      nla_len(tb[IPVS_FNAT_LADDR_ATTR_ADDR]) == sizeof(struct in_addr) ?
		      AF_INET : AF_INET6;
		*err = fnat_nl_get_addr(tb[IPVS_FNAT_LADDR_ATTR_ADDR], *af, addr, extack);
		if (*err)
			return NULL;
	}

	lockdep_assert_held(&fn->lock);
	if (!snest) {
		*err = 0;
		return &fn->default_laddrs;
	}
	svc = fnat_nl_find_svc(fn, &key, extack);
	if (!svc) {
		*err = -ESRCH;
		return NULL;
	}
	if (tb[IPVS_FNAT_LADDR_ATTR_AF]) {
		if (*af != svc->key.af) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IPVS_FNAT_LADDR_ATTR_AF],
					    "local address family differs from the service's");
			*err = -EAFNOSUPPORT;
			return NULL;
		}
	} else {
		*af = svc->key.af;
		*err = fnat_nl_get_addr(tb[IPVS_FNAT_LADDR_ATTR_ADDR], *af, addr, extack);
		if (*err)
			return NULL;
	}
	*err = 0;
	return &svc->laddrs;
}

int fnat_nl_new_laddr(struct sk_buff *skb, struct genl_info *info)
{
	struct fnat_net *fn = fnat_nl_net(info);
	struct fnat_laddr_pool *pool;
	union nf_inet_addr addr;
	u32 lflags;
	u16 af;
	int err;

	mutex_lock(&fn->lock);
	pool = fnat_nl_laddr_request(info, &af, &addr, &lflags, &err);
	if (pool) {
		err = fnat_laddr_add(fn, pool, af, &addr, lflags);
		if (err == -EEXIST)
			NL_SET_ERR_MSG(info->extack, "local address already in the pool");
	}
	mutex_unlock(&fn->lock);
	return err;
}

int fnat_nl_del_laddr(struct sk_buff *skb, struct genl_info *info)
{
	struct fnat_net *fn = fnat_nl_net(info);
	struct fnat_laddr_pool *pool;
	struct fnat_laddr *la;
	union nf_inet_addr addr;
	u16 af;
	int err;

	mutex_lock(&fn->lock);
	pool = fnat_nl_laddr_request(info, &af, &addr, NULL, &err);
	if (pool) {
		la = fnat_laddr_find(fn, pool, af, &addr);
		if (la) {
			fnat_laddr_del(fn, pool, la);
		} else {
			NL_SET_ERR_MSG(info->extack, "local address not in the pool");
			err = -ENOENT;
		}
	}
	mutex_unlock(&fn->lock);
	return err;
}

/* The dump's position in the default pool, after every service (cb's LAST_SVC). */
#define FNAT_CB_IN_DEFAULT_POOL	U64_MAX

/* Put pool's addresses after last (ids increase); false when skb is full. */
static bool fnat_nl_dump_pool(struct sk_buff *skb, struct netlink_callback *cb,
			      struct fnat_service *svc, struct fnat_laddr_pool *pool, u64 *last)
{
	struct fnat_laddr *la;

	list_for_each_entry(la, &pool->list, list) {
		if (la->id <= *last)
			continue;
		if (fnat_nl_fill_laddr(skb, svc, la, NETLINK_CB(cb->skb).portid,
				       cb->nlh->nlmsg_seq, NLM_F_MULTI, cb))
			return false;
		*last = la->id;
	}
	return true;
}

int fnat_nl_dump_laddrs(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct fnat_net *fn = fnat_net(sock_net(skb->sk));
	u64 only = cb->args[FNAT_CB_SVC];
	u64 cur = cb->args[FNAT_CB_LAST_SVC];
	u64 last = cb->args[FNAT_CB_LAST];
	struct fnat_service *svc;
	bool full = false;

	mutex_lock(&fn->lock);
	cb->seq = fn->gen;
	list_for_each_entry(svc, &fn->svc_list, list) {
		if (svc->id < cur || (only && svc->id != only))
			continue;
		if (svc->id > cur) {
			/* a service not visited yet: from its first address */
			cur = svc->id;
			last = 0;
		}
		if (!fnat_nl_dump_pool(skb, cb, svc, &svc->laddrs, &last)) {
			full = true;
			break;
		}
	}
	/* Without a key, the default pool's addresses follow. */
	if (!full && !only) {
		if (cur != FNAT_CB_IN_DEFAULT_POOL) {
			cur = FNAT_CB_IN_DEFAULT_POOL;
			last = 0;
		}
		fnat_nl_dump_pool(skb, cb, NULL, &fn->default_laddrs, &last);
	}
	mutex_unlock(&fn->lock);
	cb->args[FNAT_CB_LAST_SVC] = cur;
	cb->args[FNAT_CB_LAST] = last;
	return skb->len;
}
