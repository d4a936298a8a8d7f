// SPDX-License-Identifier: GPL-2.0
/*
 * IPVS_FNAT_CMD_NEW_SERVICE, SET_SERVICE, DEL_SERVICE, GET_SERVICE (one or a dump),
 * ZERO and FLUSH: the virtual services (service.c).
 *
 * A request is parsed whole into a struct fnat_svc_conf, its scheduler looked up,
 * before the control mutex is taken; the change itself and every reply happen under
 * that mutex (service.c publishes to the packet path with RCU).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include "fnat.h"
#include "dp.h"
#include "netlink.h"

/* NEW_SERVICE and SET_SERVICE: the key and the settings. */
static const struct nla_policy fnat_svc_policy[IPVS_FNAT_SVC_ATTR_MAX + 1] = {
	FNAT_SVC_KEY_POLICY,
	[IPVS_FNAT_SVC_ATTR_SCHED_NAME] = { .type = NLA_NUL_STRING,
					    .len = IPVS_FNAT_SCHED_NAME_MAX - 1 },
	[IPVS_FNAT_SVC_ATTR_FLAGS] = NLA_POLICY_MASK(NLA_U32, IPVS_FNAT_SVC_F_ALL),
	[IPVS_FNAT_SVC_ATTR_TIMEOUT] = { .type = NLA_U32 },
	[IPVS_FNAT_SVC_ATTR_NETMASK] = { .type = NLA_U8 },
	[IPVS_FNAT_SVC_ATTR_NUM_DESTS] = FNAT_REPLY_ONLY,
	[IPVS_FNAT_SVC_ATTR_NUM_LADDRS] = FNAT_REPLY_ONLY,
	[IPVS_FNAT_SVC_ATTR_STATS] = FNAT_REPLY_ONLY,
	[IPVS_FNAT_SVC_ATTR_PAD] = FNAT_REPLY_ONLY,
	[IPVS_FNAT_SVC_ATTR_SYNPROXY_STATS] = FNAT_REPLY_ONLY,
	[IPVS_FNAT_SVC_ATTR_OWNER] = { .type = NLA_U32 },
};

const struct nla_policy fnat_pol_svc[IPVS_FNAT_ATTR_MAX + 1] = {
	[IPVS_FNAT_ATTR_SERVICE] = NLA_POLICY_NESTED(fnat_svc_policy),
};

/* NEW_SERVICE (full) and SET_SERVICE (!full: only the key is required). */
static int fnat_nl_parse_svc_conf(struct genl_info *info, struct fnat_svc_conf *conf,
				  bool full)
{
	struct nlattr *nest = info->attrs[IPVS_FNAT_ATTR_SERVICE];
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[IPVS_FNAT_SVC_ATTR_MAX + 1];
	struct nlattr *a;
	int err;

	memset(conf, 0, sizeof(*conf));
	err = fnat_nl_parse_svc(nest, fnat_svc_policy, tb, &conf->key, extack);
	if (err)
		return err;
	if (full && FNAT_NL_MISSING(extack, nest, tb, IPVS_FNAT_SVC_ATTR_SCHED_NAME,
				    "service SCHED_NAME"))
		return -EINVAL;

	a = tb[IPVS_FNAT_SVC_ATTR_NETMASK];
	if (a) {
		conf->has_netmask = true;
		conf->netmask = nla_get_u8(a);
		if (conf->key.af == AF_INET && conf->netmask > 32) {
			NL_SET_ERR_MSG_ATTR(extack, a, "an IPv4 netmask is 1..32");
			return -EINVAL;
		}
	}
	a = tb[IPVS_FNAT_SVC_ATTR_FLAGS];
	if (a) {
		conf->has_flags = true;
		conf->flags = nla_get_u32(a);
		/* The protocol is part of the key, so this holds for NEW and SET alike and
		 * is refused before anything is looked up or changed. */
		if ((conf->flags & IPVS_FNAT_SVC_F_SYNPROXY) &&
		    conf->key.protocol != IPPROTO_TCP) {
			NL_SET_ERR_MSG_ATTR(extack, a, "the SYN proxy is for TCP services only");
			return -EINVAL;
		}
	}
	a = tb[IPVS_FNAT_SVC_ATTR_TIMEOUT];
	if (a) {
		conf->has_timeout = true;
		conf->timeout = nla_get_u32(a);
	}
	a = tb[IPVS_FNAT_SVC_ATTR_OWNER];
	if (a) {
		conf->has_owner = true;
		conf->owner = nla_get_u32(a);
	}
	a = tb[IPVS_FNAT_SVC_ATTR_SCHED_NAME];
	if (a) {
		conf->sched = fnat_sched_find(nla_data(a));
		if (!conf->sched) {
			NL_SET_ERR_MSG_ATTR(extack, a, "no scheduler has this name");
			return -ENOENT;
		}
	}
	return 0;
}

static int fnat_nl_put_sp_stats(struct sk_buff *skb, const struct fnat_sp_stats *s)
{
	static const int attr[FNAT_SP_MAX] = {
		[FNAT_SP_SYN] = IPVS_FNAT_SP_STATS_ATTR_SYN,
		[FNAT_SP_ACK_OK] = IPVS_FNAT_SP_STATS_ATTR_ACK_OK,
		[FNAT_SP_ACK_BAD] = IPVS_FNAT_SP_STATS_ATTR_ACK_BAD,
		[FNAT_SP_RS_FAIL] = IPVS_FNAT_SP_STATS_ATTR_RS_FAIL,
		[FNAT_SP_DATA_DROPPED] = IPVS_FNAT_SP_STATS_ATTR_DATA_DROPPED,
	};
	u64 v[FNAT_SP_MAX];
	struct nlattr *nest;
	int i;

	if (!s->cpu)
		return 0;	/* a UDP service */
	fnat_sp_stats_read(s, v);
	nest = nla_nest_start(skb, IPVS_FNAT_SVC_ATTR_SYNPROXY_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < FNAT_SP_MAX; i++) {
		if (nla_put_u64_64bit(skb, attr[i], v[i], IPVS_FNAT_SP_STATS_ATTR_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int fnat_nl_fill_service(struct sk_buff *skb, struct fnat_service *svc,
				u32 portid, u32 seq, int flags, struct netlink_callback *cb)
{
	struct nlattr *nest;
	void *hdr;

	lockdep_assert_held(&svc->fn->lock);
	hdr = fnat_nl_msg_start(skb, portid, seq, flags, IPVS_FNAT_CMD_GET_SERVICE, cb);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, IPVS_FNAT_ATTR_SERVICE);
	if (!nest)
		goto cancel;
	if (fnat_nl_put_key(skb, &svc->key) ||
	    nla_put_string(skb, IPVS_FNAT_SVC_ATTR_SCHED_NAME, fnat_sched_name(svc)) ||
	    nla_put_u32(skb, IPVS_FNAT_SVC_ATTR_FLAGS, svc->svc_flags) ||
	    nla_put_u32(skb, IPVS_FNAT_SVC_ATTR_TIMEOUT, svc->timeout) ||
	    nla_put_u8(skb, IPVS_FNAT_SVC_ATTR_NETMASK, svc->netmask) ||
	    nla_put_u32(skb, IPVS_FNAT_SVC_ATTR_NUM_DESTS, svc->num_dests) ||
	    nla_put_u32(skb, IPVS_FNAT_SVC_ATTR_NUM_LADDRS, svc->laddrs.num) ||
	    nla_put_u32(skb, IPVS_FNAT_SVC_ATTR_OWNER, svc->owner) ||
	    fnat_nl_put_stats(skb, IPVS_FNAT_SVC_ATTR_STATS, &svc->stats) ||
	    fnat_nl_put_sp_stats(skb, &svc->sp_stats))
		goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

int fnat_nl_new_service(struct sk_buff *skb, struct genl_info *info)
{
	struct fnat_net *fn = fnat_nl_net(info);
	struct fnat_svc_conf conf;
	int err;

	err = fnat_nl_parse_svc_conf(info, &conf, true);
	if (err)
		return err;
	mutex_lock(&fn->lock);
	err = fnat_svc_add(fn, &conf, info->extack);
	mutex_unlock(&fn->lock);
	return err;
}

int fnat_nl_set_service(struct sk_buff *skb, struct genl_info *info)
{
	struct fnat_net *fn = fnat_nl_net(info);
	struct fnat_service *svc;
	struct fnat_svc_conf conf;
	int err;

	err = fnat_nl_parse_svc_conf(info, &conf, false);
	if (err)
		return err;
	mutex_lock(&fn->lock);
	svc = fnat_nl_find_svc(fn, &conf.key, info->extack);
	err = svc ? fnat_svc_edit(fn, svc, &conf, info->extack) : -ESRCH;
	mutex_unlock(&fn->lock);
	return err;
}

int fnat_nl_del_service(struct sk_buff *skb, struct genl_info *info)
{
	struct fnat_net *fn = fnat_nl_net(info);
	struct fnat_service *svc;
	struct fnat_svc_key key;
	int err;

	err = fnat_nl_parse_key(info->attrs[IPVS_FNAT_ATTR_SERVICE], &key, info->extack);
	if (err)
		return err;
	mutex_lock(&fn->lock);
	svc = fnat_nl_find_svc(fn, &key, info->extack);
	if (svc)
		fnat_svc_del(fn, svc);
	mutex_unlock(&fn->lock);
	return svc ? 0 : -ESRCH;
}

int fnat_nl_get_service(struct sk_buff *skb, struct genl_info *info)
{
	struct fnat_net *fn = fnat_nl_net(info);
	struct fnat_service *svc;
	struct fnat_svc_key key;
	struct sk_buff *msg;
	int err;

	err = fnat_nl_parse_key(info->attrs[IPVS_FNAT_ATTR_SERVICE], &key, info->extack);
	if (err)
		return err;
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&fn->lock);
	svc = fnat_nl_find_svc(fn, &key, info->extack);
	if (svc)
		err = fnat_nl_fill_service(msg, svc, info->snd_portid, info->snd_seq, 0, NULL);
	else
		err = -ESRCH;
	mutex_unlock(&fn->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

int fnat_nl_dump_services(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct fnat_net *fn = fnat_net(sock_net(skb->sk));
	u64 only = cb->args[FNAT_CB_SVC];
	u64 last = cb->args[FNAT_CB_LAST];
	struct fnat_service *svc;

	mutex_lock(&fn->lock);
	cb->seq = fn->gen;
	list_for_each_entry(svc, &fn->svc_list, list) {
		if (svc->id <= last || (only && svc->id != only))
			continue;
		if (fnat_nl_fill_service(skb, svc, NETLINK_CB(cb->skb).portid,
					 cb->nlh->nlmsg_seq, NLM_F_MULTI, cb))
			break;
		last = svc->id;
	}
	mutex_unlock(&fn->lock);
	cb->args[FNAT_CB_LAST] = last;
	return skb->len;
}

int fnat_nl_zero(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *nest = info->attrs[IPVS_FNAT_ATTR_SERVICE];
	struct fnat_net *fn = fnat_nl_net(info);
	struct fnat_service *svc;
	struct fnat_svc_key key;
	int err = 0;

	if (nest) {
		err = fnat_nl_parse_key(nest, &key, info->extack);
		if (err)
			return err;
	}
	mutex_lock(&fn->lock);
	if (nest) {
		svc = fnat_nl_find_svc(fn, &key, info->extack);
		if (svc)
			fnat_svc_zero(svc);
		else
			err = -ESRCH;
	} else {
		list_for_each_entry(svc, &fn->svc_list, list)
			fnat_svc_zero(svc);
	}
	mutex_unlock(&fn->lock);
	return err;
}

int fnat_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct fnat_net *fn = fnat_nl_net(info);

	mutex_lock(&fn->lock);
	fnat_svc_flush(fn);
	mutex_unlock(&fn->lock);
	return 0;
}
