// SPDX-License-Identifier: GPL-2.0
/*
 * The IPVS_FNAT generic-netlink family: its one dispatch table, and what the
 * requests of every object share (the service key, value ranges, reply headers).
 * Each object's policies and handlers live in their own file: netlink_service.c,
 * netlink_dest.c, netlink_laddr.c, netlink_config.c (configuration and info),
 * netlink_conn.c (the connection dump) and netlink_daemon.c (sync daemons); the
 * table below names them through netlink.h.
 *
 * Every operation has its own strict policy, so genetlink itself refuses unknown
 * attributes, wrong types and lengths, missing NLA_F_NESTED and out-of-range values
 * before a handler runs. Handlers then check what a policy cannot express (required
 * attributes, address length against the family), look up the objects, and only then
 * change anything, under the namespace's control mutex. Replies are built under the
 * same mutex, so one reply always shows one consistent state.
 *
 * Dumps resume by object id, not by position: ids increase along every list, so an
 * object added or removed between two parts of a dump never makes another one appear
 * twice or go missing. cb->seq carries the tables' generation, and
 * genl_dump_check_consistent() flags a dump that saw a change (NLM_F_DUMP_INTR).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include "fnat.h"
#include "dp.h"
#include "netlink.h"

static struct genl_family fnat_genl_family;

/* --- what every object's requests share ------------------------------------------ */

/*
 * The policies check types, lengths, nesting and flag masks. Integer ranges are not
 * in them: on 6.1 a range policy answers ERANGE where the ABI promises EINVAL, and a
 * validation function on an integer attribute makes the policy dump of an error ack
 * WARN. They are checked by fnat_nl_check_ranges() right after parsing instead,
 * before anything is looked up or changed.
 */
int fnat_nl_validate_addr(const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	int len = nla_len(attr);

	if (len == sizeof(struct in_addr) || len == sizeof(struct in6_addr))
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr, "address must be 4 (IPv4) or 16 (IPv6) bytes");
	return -EINVAL;
}

#define FNAT_KEY_ONLY "only the service key (AF, PROTOCOL, ADDR, PORT) belongs here"

/* Every other command: the key alone. */
const struct nla_policy fnat_svc_key_policy[IPVS_FNAT_SVC_ATTR_MAX + 1] = {
	FNAT_SVC_KEY_POLICY,
	[IPVS_FNAT_SVC_ATTR_SCHED_NAME] = FNAT_NOT_HERE(FNAT_KEY_ONLY),
	[IPVS_FNAT_SVC_ATTR_FLAGS] = FNAT_NOT_HERE(FNAT_KEY_ONLY),
	[IPVS_FNAT_SVC_ATTR_TIMEOUT] = FNAT_NOT_HERE(FNAT_KEY_ONLY),
	[IPVS_FNAT_SVC_ATTR_NETMASK] = FNAT_NOT_HERE(FNAT_KEY_ONLY),
	[IPVS_FNAT_SVC_ATTR_NUM_DESTS] = FNAT_REPLY_ONLY,
	[IPVS_FNAT_SVC_ATTR_NUM_LADDRS] = FNAT_REPLY_ONLY,
	[IPVS_FNAT_SVC_ATTR_STATS] = FNAT_REPLY_ONLY,
	[IPVS_FNAT_SVC_ATTR_PAD] = FNAT_REPLY_ONLY,
	[IPVS_FNAT_SVC_ATTR_SYNPROXY_STATS] = FNAT_REPLY_ONLY,
	[IPVS_FNAT_SVC_ATTR_OWNER] = FNAT_NOT_HERE(FNAT_KEY_ONLY),
};

static const struct nla_policy fnat_pol_svc_key[IPVS_FNAT_ATTR_MAX + 1] = {
	[IPVS_FNAT_ATTR_SERVICE] = NLA_POLICY_NESTED(fnat_svc_key_policy),
};

/* Commands that take no attributes at all. */
static const struct nla_policy fnat_pol_none[IPVS_FNAT_ATTR_MAX + 1] = {
	[IPVS_FNAT_ATTR_SERVICE] = FNAT_NOT_HERE("this command takes no attributes"),
	[IPVS_FNAT_ATTR_DEST] = FNAT_NOT_HERE("this command takes no attributes"),
	[IPVS_FNAT_ATTR_LADDR] = FNAT_NOT_HERE("this command takes no attributes"),
	[IPVS_FNAT_ATTR_CONFIG] = FNAT_NOT_HERE("this command takes no attributes"),
	[IPVS_FNAT_ATTR_INFO] = FNAT_NOT_HERE("this command takes no attributes"),
	[IPVS_FNAT_ATTR_CONN] = FNAT_NOT_HERE("this command takes no attributes"),
	[IPVS_FNAT_ATTR_DAEMON] = FNAT_NOT_HERE("this command takes no attributes"),
};

static const struct fnat_nl_range fnat_svc_ranges[] = {
	{ IPVS_FNAT_SVC_ATTR_AF, FNAT_FAMILY, 0, 0, FNAT_AF_MSG },
	{ IPVS_FNAT_SVC_ATTR_PROTOCOL, FNAT_PROTOCOL, 0, 0, "protocol must be TCP or UDP" },
	{ IPVS_FNAT_SVC_ATTR_PORT, FNAT_BE16, 1, 65535, "virtual port must be 1..65535" },
	{ IPVS_FNAT_SVC_ATTR_TIMEOUT, FNAT_U32, 1, IPVS_FNAT_TIMEOUT_MAX,
	  "persistence timeout must be 1..31536000 seconds" },
	{ IPVS_FNAT_SVC_ATTR_NETMASK, FNAT_U8, 1, 128, "netmask must be a prefix length, 1..128" },
	{ IPVS_FNAT_SVC_ATTR_OWNER, FNAT_U32, 0, IPVS_FNAT_OWNER_MAX, "owner must be 0..65535" },
};

/* Refuse a value with EINVAL, naming the attribute and why. */
static int fnat_nl_bad_value(struct netlink_ext_ack *extack, const struct nlattr *attr,
			     const char *msg)
{
	if (extack) {
		extack->_msg = msg;	/* a static string, as NL_SET_ERR_MSG stores */
		extack->bad_attr = attr;
	}
	return -EINVAL;
}

/* Check the values present in tb (types and lengths were checked by the policy). */
int fnat_nl_check_ranges(struct nlattr **tb, const struct fnat_nl_range *r, size_t n,
				struct netlink_ext_ack *extack)
{
	for (; n--; r++) {
		const struct nlattr *a = tb[r->type];
		u32 v;

		if (!a)
			continue;
		switch (r->kind) {
		case FNAT_FAMILY:
			v = nla_get_u16(a);
			if (v == AF_INET || v == AF_INET6)
				continue;
			break;
		case FNAT_PROTOCOL:
			v = nla_get_u8(a);
			if (v == IPPROTO_TCP || v == IPPROTO_UDP)
				continue;
			break;
		case FNAT_U8:
			v = nla_get_u8(a);
			break;
		case FNAT_U16:
			v = nla_get_u16(a);
			break;
		case FNAT_BE16:
			v = ntohs(nla_get_be16(a));
			break;
		default:
			v = nla_get_u32(a);
			break;
		}
		if (r->kind == FNAT_FAMILY || r->kind == FNAT_PROTOCOL || v < r->min || v > r->max)
			return fnat_nl_bad_value(extack, a, r->msg);
	}
	return 0;
}

/* Copy an address attribute of family af; EINVAL if its length is not af's. */
int fnat_nl_get_addr(const struct nlattr *attr, u16 af, union nf_inet_addr *addr,
			    struct netlink_ext_ack *extack)
{
	if (nla_len(attr) != fnat_addr_len(af)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "address length does not match the address family");
		return -EINVAL;
	}
	memset(addr, 0, sizeof(*addr));
	nla_memcpy(addr, attr, fnat_addr_len(af));
	return 0;
}

/*
 * Parse the service nest (already validated by genetlink against policy) into tb and
 * the key. The nest and all four key attributes are required.
 */
int fnat_nl_parse_svc(struct nlattr *nest, const struct nla_policy *policy,
			     struct nlattr **tb, struct fnat_svc_key *key,
			     struct netlink_ext_ack *extack)
{
	int err;

	if (!nest) {
		NL_SET_ERR_MSG(extack, "missing attribute: IPVS_FNAT_ATTR_SERVICE");
		NL_SET_ERR_ATTR_MISS(extack, NULL, IPVS_FNAT_ATTR_SERVICE);
		return -EINVAL;
	}
	err = nla_parse_nested(tb, IPVS_FNAT_SVC_ATTR_MAX, nest, policy, extack);
	if (err)
		return err;
	err = fnat_nl_check_ranges(tb, fnat_svc_ranges, ARRAY_SIZE(fnat_svc_ranges), extack);
	if (err)
		return err;
	if (FNAT_NL_MISSING(extack, nest, tb, IPVS_FNAT_SVC_ATTR_AF, "service AF") ||
	    FNAT_NL_MISSING(extack, nest, tb, IPVS_FNAT_SVC_ATTR_PROTOCOL, "service PROTOCOL") ||
	    FNAT_NL_MISSING(extack, nest, tb, IPVS_FNAT_SVC_ATTR_ADDR, "service ADDR") ||
	    FNAT_NL_MISSING(extack, nest, tb, IPVS_FNAT_SVC_ATTR_PORT, "service PORT"))
		return -EINVAL;

	memset(key, 0, sizeof(*key));
	key->af = nla_get_u16(tb[IPVS_FNAT_SVC_ATTR_AF]);
	key->protocol = nla_get_u8(tb[IPVS_FNAT_SVC_ATTR_PROTOCOL]);
	key->port = nla_get_be16(tb[IPVS_FNAT_SVC_ATTR_PORT]);
	return fnat_nl_get_addr(tb[IPVS_FNAT_SVC_ATTR_ADDR], key->af, &key->addr, extack);
}

int fnat_nl_parse_key(struct nlattr *nest, struct fnat_svc_key *key,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[IPVS_FNAT_SVC_ATTR_MAX + 1];

	return fnat_nl_parse_svc(nest, fnat_svc_key_policy, tb, key, extack);
}

int fnat_nl_put_key(struct sk_buff *skb, const struct fnat_svc_key *key)
{
	if (nla_put_u16(skb, IPVS_FNAT_SVC_ATTR_AF, key->af) ||
	    nla_put_u8(skb, IPVS_FNAT_SVC_ATTR_PROTOCOL, key->protocol) ||
	    nla_put(skb, IPVS_FNAT_SVC_ATTR_ADDR, fnat_addr_len(key->af), &key->addr) ||
	    nla_put_be16(skb, IPVS_FNAT_SVC_ATTR_PORT, key->port))
		return -EMSGSIZE;
	return 0;
}

int fnat_nl_put_stats(struct sk_buff *skb, int type, const struct fnat_stats *s)
{
	struct fnat_counters c;
	struct nlattr *nest;

	fnat_stats_read(s, &c);
	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, IPVS_FNAT_STATS_ATTR_CONNS, c.conns,
			      IPVS_FNAT_STATS_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, IPVS_FNAT_STATS_ATTR_INPKTS, c.inpkts,
			      IPVS_FNAT_STATS_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, IPVS_FNAT_STATS_ATTR_OUTPKTS, c.outpkts,
			      IPVS_FNAT_STATS_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, IPVS_FNAT_STATS_ATTR_INBYTES, c.inbytes,
			      IPVS_FNAT_STATS_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, IPVS_FNAT_STATS_ATTR_OUTBYTES, c.outbytes,
			      IPVS_FNAT_STATS_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, IPVS_FNAT_STATS_ATTR_CPS, READ_ONCE(s->rate.conns),
			      IPVS_FNAT_STATS_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, IPVS_FNAT_STATS_ATTR_INPPS, READ_ONCE(s->rate.inpkts),
			      IPVS_FNAT_STATS_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, IPVS_FNAT_STATS_ATTR_OUTPPS, READ_ONCE(s->rate.outpkts),
			      IPVS_FNAT_STATS_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, IPVS_FNAT_STATS_ATTR_INBPS, READ_ONCE(s->rate.inbytes),
			      IPVS_FNAT_STATS_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, IPVS_FNAT_STATS_ATTR_OUTBPS, READ_ONCE(s->rate.outbytes),
			      IPVS_FNAT_STATS_ATTR_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Start a message; in a dump (cb set) also flag it if the tables changed. */
void *fnat_nl_msg_start(struct sk_buff *skb, u32 portid, u32 seq, int flags,
			       u8 cmd, struct netlink_callback *cb)
{
	void *hdr = genlmsg_put(skb, portid, seq, &fnat_genl_family, flags, cmd);

	if (hdr && cb)
		genl_dump_check_consistent(cb, hdr);
	return hdr;
}

void *fnat_nl_dump_hdr(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			   &fnat_genl_family, NLM_F_MULTI, cmd);
}

/* The header of a reply to a do request for cmd; NULL when msg is full. */
void *fnat_nl_reply_hdr(struct sk_buff *msg, struct genl_info *info, u8 cmd)
{
	return genlmsg_put_reply(msg, info, &fnat_genl_family, 0, cmd);
}

struct fnat_service *fnat_nl_find_svc(struct fnat_net *fn,
					     const struct fnat_svc_key *key,
					     struct netlink_ext_ack *extack)
{
	struct fnat_service *svc = fnat_svc_find(fn, key);

	if (!svc)
		NL_SET_ERR_MSG(extack, "no such service");
	return svc;
}

static int fnat_nl_dump_start_svc(struct netlink_callback *cb, bool required)
{
	const struct genl_dumpit_info *dinfo = genl_dumpit_info(cb);
	struct nlattr *nest = dinfo->attrs[IPVS_FNAT_ATTR_SERVICE];
	struct fnat_net *fn = fnat_net(sock_net(cb->skb->sk));
	struct fnat_service *svc;
	struct fnat_svc_key key;
	int err;

	cb->args[FNAT_CB_SVC] = 0;
	cb->args[FNAT_CB_LAST] = 0;
	cb->args[FNAT_CB_LAST_SVC] = 0;
	if (!nest && !required)
		return 0;
	err = fnat_nl_parse_key(nest, &key, cb->extack);
	if (err)
		return err;
	mutex_lock(&fn->lock);
	svc = fnat_nl_find_svc(fn, &key, cb->extack);
	if (svc)
		cb->args[FNAT_CB_SVC] = svc->id;
	mutex_unlock(&fn->lock);
	return svc ? 0 : -ESRCH;
}

static int fnat_nl_start_optional_svc(struct netlink_callback *cb)
{
	return fnat_nl_dump_start_svc(cb, false);
}

static int fnat_nl_start_required_svc(struct netlink_callback *cb)
{
	return fnat_nl_dump_start_svc(cb, true);
}

/* --- the family ---------------------------------------------------------------------- */

#define FNAT_OP_POLICY(p) .policy = p, .maxattr = IPVS_FNAT_ATTR_MAX

static const struct genl_ops fnat_genl_ops[] = {
	{
		.cmd = IPVS_FNAT_CMD_NEW_SERVICE,
		.doit = fnat_nl_new_service,
		.flags = GENL_UNS_ADMIN_PERM,
		FNAT_OP_POLICY(fnat_pol_svc),
	},
	{
		.cmd = IPVS_FNAT_CMD_SET_SERVICE,
		.doit = fnat_nl_set_service,
		.flags = GENL_UNS_ADMIN_PERM,
		FNAT_OP_POLICY(fnat_pol_svc),
	},
	{
		.cmd = IPVS_FNAT_CMD_DEL_SERVICE,
		.doit = fnat_nl_del_service,
		.flags = GENL_UNS_ADMIN_PERM,
		FNAT_OP_POLICY(fnat_pol_svc_key),
	},
	{
		.cmd = IPVS_FNAT_CMD_GET_SERVICE,
		.doit = fnat_nl_get_service,
		.start = fnat_nl_start_optional_svc,
		.dumpit = fnat_nl_dump_services,
		FNAT_OP_POLICY(fnat_pol_svc_key),
	},
	{
		.cmd = IPVS_FNAT_CMD_NEW_DEST,
		.doit = fnat_nl_new_dest,
		.flags = GENL_UNS_ADMIN_PERM,
		FNAT_OP_POLICY(fnat_pol_dest),
	},
	{
		.cmd = IPVS_FNAT_CMD_SET_DEST,
		.doit = fnat_nl_set_dest,
		.flags = GENL_UNS_ADMIN_PERM,
		FNAT_OP_POLICY(fnat_pol_dest),
	},
	{
		.cmd = IPVS_FNAT_CMD_DEL_DEST,
		.doit = fnat_nl_del_dest,
		.flags = GENL_UNS_ADMIN_PERM,
		FNAT_OP_POLICY(fnat_pol_dest_key),
	},
	{
		.cmd = IPVS_FNAT_CMD_GET_DEST,
		.start = fnat_nl_start_required_svc,
		.dumpit = fnat_nl_dump_dests,
		FNAT_OP_POLICY(fnat_pol_svc_key),
	},
	{
		.cmd = IPVS_FNAT_CMD_NEW_LADDR,
		.doit = fnat_nl_new_laddr,
		.flags = GENL_UNS_ADMIN_PERM,
		FNAT_OP_POLICY(fnat_pol_laddr),
	},
	{
		.cmd = IPVS_FNAT_CMD_DEL_LADDR,
		.doit = fnat_nl_del_laddr,
		.flags = GENL_UNS_ADMIN_PERM,
		FNAT_OP_POLICY(fnat_pol_laddr),
	},
	{
		.cmd = IPVS_FNAT_CMD_GET_LADDR,
		.start = fnat_nl_start_optional_svc,
		.dumpit = fnat_nl_dump_laddrs,
		FNAT_OP_POLICY(fnat_pol_svc_key),
	},
	{
		.cmd = IPVS_FNAT_CMD_SET_CONFIG,
		.doit = fnat_nl_set_config,
		.flags = GENL_UNS_ADMIN_PERM,
		FNAT_OP_POLICY(fnat_pol_cfg),
	},
	{
		.cmd = IPVS_FNAT_CMD_GET_CONFIG,
		.doit = fnat_nl_get_config,
		FNAT_OP_POLICY(fnat_pol_none),
	},
	{
		.cmd = IPVS_FNAT_CMD_GET_INFO,
		.doit = fnat_nl_get_info,
		FNAT_OP_POLICY(fnat_pol_none),
	},
	{
		.cmd = IPVS_FNAT_CMD_ZERO,
		.doit = fnat_nl_zero,
		.flags = GENL_UNS_ADMIN_PERM,
		FNAT_OP_POLICY(fnat_pol_svc_key),
	},
	{
		.cmd = IPVS_FNAT_CMD_FLUSH,
		.doit = fnat_nl_flush,
		.flags = GENL_UNS_ADMIN_PERM,
		FNAT_OP_POLICY(fnat_pol_none),
	},
	{
		.cmd = IPVS_FNAT_CMD_GET_CONN,
		.dumpit = fnat_nl_dump_conns,
		.flags = GENL_UNS_ADMIN_PERM,
		FNAT_OP_POLICY(fnat_pol_none),
	},
	{
		.cmd = IPVS_FNAT_CMD_NEW_DAEMON,
		.doit = fnat_nl_new_daemon,
		.flags = GENL_UNS_ADMIN_PERM,
		FNAT_OP_POLICY(fnat_pol_daemon),
	},
	{
		.cmd = IPVS_FNAT_CMD_DEL_DAEMON,
		.doit = fnat_nl_del_daemon,
		.flags = GENL_UNS_ADMIN_PERM,
		FNAT_OP_POLICY(fnat_pol_daemon_key),
	},
	{
		/* Admin only, like GET_CONN: it shows the sync topology. */
		.cmd = IPVS_FNAT_CMD_GET_DAEMON,
		.dumpit = fnat_nl_dump_daemons,
		.flags = GENL_UNS_ADMIN_PERM,
		FNAT_OP_POLICY(fnat_pol_daemon_dump),
	},
};

static struct genl_family fnat_genl_family __ro_after_init = {
	.name = IPVS_FNAT_GENL_NAME,
	.version = IPVS_FNAT_GENL_VERSION,
	.maxattr = IPVS_FNAT_ATTR_MAX,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = fnat_genl_ops,
	.n_ops = ARRAY_SIZE(fnat_genl_ops),
};

int __init fnat_genl_init(void)
{
	return genl_register_family(&fnat_genl_family);
}

void fnat_genl_exit(void)
{
	genl_unregister_family(&fnat_genl_family);
}
