// SPDX-License-Identifier: GPL-2.0
/*
 * IPVS_FNAT_CMD_NEW_DEST, SET_DEST, DEL_DEST and the GET_DEST dump: a service's real
 * servers (service.c), with their health-check state (dest_check.c) in replies.
 *
 * A destination is parsed in two halves: what the nest says alone, then, with the
 * control mutex held and the service found, what depends on the service (its family,
 * port 0 meaning the service's port). Nothing changes until both halves pass.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include "fnat.h"
#include "dp.h"
#include "netlink.h"

#define FNAT_DEST_KEY_POLICY						\
	[IPVS_FNAT_DEST_ATTR_ADDR] = FNAT_POLICY_ADDR,			\
	[IPVS_FNAT_DEST_ATTR_PORT] = { .type = NLA_BE16 },		\
	[IPVS_FNAT_DEST_ATTR_ADDR_FAMILY] = { .type = NLA_U16 },	\
	[IPVS_FNAT_DEST_ATTR_ACTIVE_CONNS] = FNAT_REPLY_ONLY,		\
	[IPVS_FNAT_DEST_ATTR_INACT_CONNS] = FNAT_REPLY_ONLY,		\
	[IPVS_FNAT_DEST_ATTR_PERSIST_CONNS] = FNAT_REPLY_ONLY,		\
	[IPVS_FNAT_DEST_ATTR_STATS] = FNAT_REPLY_ONLY,			\
	[IPVS_FNAT_DEST_ATTR_PAD] = FNAT_REPLY_ONLY,			\
	[IPVS_FNAT_DEST_ATTR_CHECK_STATE] = FNAT_REPLY_ONLY,		\
	[IPVS_FNAT_DEST_ATTR_CHECK_FAILS] = FNAT_REPLY_ONLY,		\
	[IPVS_FNAT_DEST_ATTR_INHIBIT_LEFT] = FNAT_REPLY_ONLY,		\
	[IPVS_FNAT_DEST_ATTR_INHIBITS] = FNAT_REPLY_ONLY

/* NEW_DEST and SET_DEST. */
static const struct nla_policy fnat_dest_policy[IPVS_FNAT_DEST_ATTR_MAX + 1] = {
	FNAT_DEST_KEY_POLICY,
	[IPVS_FNAT_DEST_ATTR_WEIGHT] = { .type = NLA_U32 },
	[IPVS_FNAT_DEST_ATTR_U_THRESH] = { .type = NLA_U32 },
	[IPVS_FNAT_DEST_ATTR_L_THRESH] = { .type = NLA_U32 },
};

#define FNAT_DEST_KEY_ONLY "only the destination's ADDR, PORT and ADDR_FAMILY belong here"

/* DEL_DEST. */
static const struct nla_policy fnat_dest_key_policy[IPVS_FNAT_DEST_ATTR_MAX + 1] = {
	FNAT_DEST_KEY_POLICY,
	[IPVS_FNAT_DEST_ATTR_WEIGHT] = FNAT_NOT_HERE(FNAT_DEST_KEY_ONLY),
	[IPVS_FNAT_DEST_ATTR_U_THRESH] = FNAT_NOT_HERE(FNAT_DEST_KEY_ONLY),
	[IPVS_FNAT_DEST_ATTR_L_THRESH] = FNAT_NOT_HERE(FNAT_DEST_KEY_ONLY),
};

const struct nla_policy fnat_pol_dest[IPVS_FNAT_ATTR_MAX + 1] = {
	[IPVS_FNAT_ATTR_SERVICE] = NLA_POLICY_NESTED(fnat_svc_key_policy),
	[IPVS_FNAT_ATTR_DEST] = NLA_POLICY_NESTED(fnat_dest_policy),
};

const struct nla_policy fnat_pol_dest_key[IPVS_FNAT_ATTR_MAX + 1] = {
	[IPVS_FNAT_ATTR_SERVICE] = NLA_POLICY_NESTED(fnat_svc_key_policy),
	[IPVS_FNAT_ATTR_DEST] = NLA_POLICY_NESTED(fnat_dest_key_policy),
};

static const struct fnat_nl_range fnat_dest_ranges[] = {
	{ IPVS_FNAT_DEST_ATTR_ADDR_FAMILY, FNAT_FAMILY, 0, 0, FNAT_AF_MSG },
	{ IPVS_FNAT_DEST_ATTR_WEIGHT, FNAT_U32, 0, 65535, "weight must be 0..65535" },
};

/*
 * The destination nest: ADDR and PORT are required; ADDR_FAMILY, if there, must match
 * the address length (it is compared with the service's family later).
 */
static int fnat_nl_parse_dest(struct genl_info *info, const struct nla_policy *policy,
			      struct nlattr **tb, struct fnat_dest_conf *conf, bool *has_af)
{
	struct nlattr *nest = info->attrs[IPVS_FNAT_ATTR_DEST];
	struct netlink_ext_ack *extack = info->extack;
	int err;

	memset(conf, 0, sizeof(*conf));
	if (!nest) {
		NL_SET_ERR_MSG(extack, "missing attribute: IPVS_FNAT_ATTR_DEST");
		NL_SET_ERR_ATTR_MISS(extack, NULL, IPVS_FNAT_ATTR_DEST);
		return -EINVAL;
	}
	err = nla_parse_nested(tb, IPVS_FNAT_DEST_ATTR_MAX, nest, policy, extack);
	if (err)
		return err;
	err = fnat_nl_check_ranges(tb, fnat_dest_ranges, ARRAY_SIZE(fnat_dest_ranges), extack);
	if (err)
		return err;
	if (FNAT_NL_MISSING(extack, nest, tb, IPVS_FNAT_DEST_ATTR_ADDR, "destination ADDR") ||
	    FNAT_NL_MISSING(extack, nest, tb, IPVS_FNAT_DEST_ATTR_PORT, "destination PORT"))
		return -EINVAL;
	*has_af = tb[IPVS_FNAT_DEST_ATTR_ADDR_FAMILY];
	if (*has_af) {
		conf->af = nla_get_u16(tb[IPVS_FNAT_DEST_ATTR_ADDR_FAMILY]);
		err = fnat_nl_get_addr(tb[IPVS_FNAT_DEST_ATTR_ADDR], conf->af, &conf->addr,
				       extack);
		if (err)
			return err;
	}
	conf->port = nla_get_be16(tb[IPVS_FNAT_DEST_ATTR_PORT]);
	if (tb[IPVS_FNAT_DEST_ATTR_WEIGHT]) {
		conf->has_weight = true;
		conf->weight = nla_get_u32(tb[IPVS_FNAT_DEST_ATTR_WEIGHT]);
	}
	if (tb[IPVS_FNAT_DEST_ATTR_U_THRESH]) {
		conf->has_u_thresh = true;
		conf->u_thresh = nla_get_u32(tb[IPVS_FNAT_DEST_ATTR_U_THRESH]);
	}
	if (tb[IPVS_FNAT_DEST_ATTR_L_THRESH]) {
		conf->has_l_thresh = true;
		conf->l_thresh = nla_get_u32(tb[IPVS_FNAT_DEST_ATTR_L_THRESH]);
	}
	return 0;
}

/*
 * Second half of the destination's parsing, once its service is known: the family
 * defaults to the service's and must equal it (EAFNOSUPPORT); the address length must
 * match; port 0 means the service's port.
 */
static int fnat_nl_dest_resolve(struct fnat_service *svc, struct nlattr **tb,
				struct fnat_dest_conf *conf, bool has_af,
				struct netlink_ext_ack *extack)
{
	int err;

	if (has_af && conf->af != svc->key.af) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IPVS_FNAT_DEST_ATTR_ADDR_FAMILY],
				    "destination family differs from the service's");
		return -EAFNOSUPPORT;
	}
	if (!has_af) {
		conf->af = svc->key.af;
		err = fnat_nl_get_addr(tb[IPVS_FNAT_DEST_ATTR_ADDR], conf->af, &conf->addr,
				       extack);
		if (err)
			return err;
	}
	if (!conf->port)
		conf->port = svc->key.port;
	return 0;
}

static int fnat_nl_fill_dest(struct sk_buff *skb, struct fnat_dest *dest,
			     u32 portid, u32 seq, int flags, struct netlink_callback *cb)
{
	struct fnat_dc_snapshot dc;
	struct nlattr *nest;
	void *hdr;

	fnat_dc_read(dest, &dc);
	hdr = fnat_nl_msg_start(skb, portid, seq, flags, IPVS_FNAT_CMD_GET_DEST, cb);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, IPVS_FNAT_ATTR_DEST);
	if (!nest)
		goto cancel;
	if (nla_put(skb, IPVS_FNAT_DEST_ATTR_ADDR, fnat_addr_len(dest->af), &dest->addr) ||
	    nla_put_be16(skb, IPVS_FNAT_DEST_ATTR_PORT, dest->port) ||
	    nla_put_u16(skb, IPVS_FNAT_DEST_ATTR_ADDR_FAMILY, dest->af) ||
	    nla_put_u32(skb, IPVS_FNAT_DEST_ATTR_WEIGHT, atomic_read(&dest->weight)) ||
	    nla_put_u32(skb, IPVS_FNAT_DEST_ATTR_U_THRESH, dest->u_thresh) ||
	    nla_put_u32(skb, IPVS_FNAT_DEST_ATTR_L_THRESH, dest->l_thresh) ||
	    nla_put_u32(skb, IPVS_FNAT_DEST_ATTR_ACTIVE_CONNS, atomic_read(&dest->activeconns)) ||
	    nla_put_u32(skb, IPVS_FNAT_DEST_ATTR_INACT_CONNS, atomic_read(&dest->inactconns)) ||
	    nla_put_u32(skb, IPVS_FNAT_DEST_ATTR_PERSIST_CONNS,
			atomic_read(&dest->persistconns)) ||
	    nla_put_u8(skb, IPVS_FNAT_DEST_ATTR_CHECK_STATE, dc.state) ||
	    nla_put_u32(skb, IPVS_FNAT_DEST_ATTR_CHECK_FAILS, dc.fails) ||
	    nla_put_u32(skb, IPVS_FNAT_DEST_ATTR_INHIBIT_LEFT, dc.left_ms) ||
	    nla_put_u64_64bit(skb, IPVS_FNAT_DEST_ATTR_INHIBITS, dc.inhibits,
			      IPVS_FNAT_DEST_ATTR_PAD) ||
	    fnat_nl_put_stats(skb, IPVS_FNAT_DEST_ATTR_STATS, &dest->stats))
		goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* Parse and resolve a destination request: the service, the dest config. */
static struct fnat_service *fnat_nl_dest_request(struct genl_info *info,
						 const struct nla_policy *policy,
						 struct fnat_dest_conf *conf, int *err)
{
	struct fnat_net *fn = fnat_nl_net(info);
	struct nlattr *tb[IPVS_FNAT_DEST_ATTR_MAX + 1];
	struct fnat_service *svc;
	struct fnat_svc_key key;
	bool has_af;

	*err = fnat_nl_parse_key(info->attrs[IPVS_FNAT_ATTR_SERVICE], &key, info->extack);
	if (*err)
		return NULL;
	*err = fnat_nl_parse_dest(info, policy, tb, conf, &has_af);
	if (*err)
		return NULL;
	lockdep_assert_held(&fn->lock);
	svc = fnat_nl_find_svc(fn, &key, info->extack);
	if (!svc) {
		*err = -ESRCH;
		return NULL;
	}
	*err = fnat_nl_dest_resolve(svc, tb, conf, has_af, info->extack);
	return *err ? NULL : svc;
}

int fnat_nl_new_dest(struct sk_buff *skb, struct genl_info *info)
{
	struct fnat_net *fn = fnat_nl_net(info);
	struct fnat_dest_conf conf;
	struct fnat_service *svc;
	int err;

	mutex_lock(&fn->lock);
	svc = fnat_nl_dest_request(info, fnat_dest_policy, &conf, &err);
	if (svc)
		err = fnat_dest_add(fn, svc, &conf, info->extack);
	mutex_unlock(&fn->lock);
	return err;
}

static struct fnat_dest *fnat_nl_find_dest(struct fnat_service *svc,
					   const struct fnat_dest_conf *conf,
					   struct netlink_ext_ack *extack)
{
	struct fnat_dest *dest = fnat_dest_find(svc, conf->af, &conf->addr, conf->port);

	if (!dest)
		NL_SET_ERR_MSG(extack, "no such destination");
	return dest;
}

int fnat_nl_set_dest(struct sk_buff *skb, struct genl_info *info)
{
	struct fnat_net *fn = fnat_nl_net(info);
	struct fnat_dest_conf conf;
	struct fnat_service *svc;
	struct fnat_dest *dest;
	int err;

	mutex_lock(&fn->lock);
	svc = fnat_nl_dest_request(info, fnat_dest_policy, &conf, &err);
	if (svc) {
		dest = fnat_nl_find_dest(svc, &conf, info->extack);
		err = dest ? fnat_dest_edit(fn, svc, dest, &conf, info->extack) : -ENOENT;
	}
	mutex_unlock(&fn->lock);
	return err;
}

int fnat_nl_del_dest(struct sk_buff *skb, struct genl_info *info)
{
	struct fnat_net *fn = fnat_nl_net(info);
	struct fnat_dest_conf conf;
	struct fnat_service *svc;
	struct fnat_dest *dest;
	int err;

	mutex_lock(&fn->lock);
	svc = fnat_nl_dest_request(info, fnat_dest_key_policy, &conf, &err);
	if (svc) {
		dest = fnat_nl_find_dest(svc, &conf, info->extack);
		if (dest)
			fnat_dest_del(fn, svc, dest);
		else
			err = -ENOENT;
	}
	mutex_unlock(&fn->lock);
	return err;
}

int fnat_nl_dump_dests(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct fnat_net *fn = fnat_net(sock_net(skb->sk));
	u64 last = cb->args[FNAT_CB_LAST];
	struct fnat_service *svc;
	struct fnat_dest *dest;

	mutex_lock(&fn->lock);
	cb->seq = fn->gen;
	/* Gone since the dump started: nothing more to send (the DONE is flagged). */
	svc = fnat_svc_find_id(fn, cb->args[FNAT_CB_SVC]);
	if (svc) {
		list_for_each_entry(dest, &svc->dests, list) {
			if (dest->id <= last)
				continue;
			if (fnat_nl_fill_dest(skb, dest, NETLINK_CB(cb->skb).portid,
					      cb->nlh->nlmsg_seq, NLM_F_MULTI, cb))
				break;
			last = dest->id;
		}
	}
	mutex_unlock(&fn->lock);
	cb->args[FNAT_CB_LAST] = last;
	return skb->len;
}
