// SPDX-License-Identifier: GPL-2.0
/*
 * The IPVS_FNAT generic-netlink family: policies, operations and their handlers.
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

/* --- policies ---------------------------------------------------------------------- */

/*
 * The policies check types, lengths, nesting and flag masks. Integer ranges are not
 * in them: on 6.1 a range policy answers ERANGE where the ABI promises EINVAL, and a
 * validation function on an integer attribute makes the policy dump of an error ack
 * WARN. They are checked by fnat_nl_check_ranges() right after parsing instead,
 * before anything is looked up or changed.
 */
static int fnat_validate_addr(const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	int len = nla_len(attr);

	if (len == sizeof(struct in_addr) || len == sizeof(struct in6_addr))
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr, "address must be 4 (IPv4) or 16 (IPv6) bytes");
	return -EINVAL;
}

#define FNAT_POLICY_ADDR NLA_POLICY_VALIDATE_FN(NLA_BINARY, fnat_validate_addr, \
						sizeof(struct in6_addr))
#define FNAT_REPLY_ONLY	 { .type = NLA_REJECT, .reject_message = "attribute only appears in replies" }
#define FNAT_NOT_HERE(m) { .type = NLA_REJECT, .reject_message = m }

#define FNAT_SVC_KEY_POLICY						\
	[IPVS_FNAT_SVC_ATTR_AF] = { .type = NLA_U16 },			\
	[IPVS_FNAT_SVC_ATTR_PROTOCOL] = { .type = NLA_U8 },		\
	[IPVS_FNAT_SVC_ATTR_ADDR] = FNAT_POLICY_ADDR,			\
	[IPVS_FNAT_SVC_ATTR_PORT] = { .type = NLA_BE16 }

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

#define FNAT_KEY_ONLY "only the service key (AF, PROTOCOL, ADDR, PORT) belongs here"

/* Every other command: the key alone. */
static const struct nla_policy fnat_svc_key_policy[IPVS_FNAT_SVC_ATTR_MAX + 1] = {
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

static const struct nla_policy fnat_laddr_policy[IPVS_FNAT_LADDR_ATTR_MAX + 1] = {
	[IPVS_FNAT_LADDR_ATTR_AF] = { .type = NLA_U16 },
	[IPVS_FNAT_LADDR_ATTR_ADDR] = FNAT_POLICY_ADDR,
	[IPVS_FNAT_LADDR_ATTR_PORT_CONFLICTS] = FNAT_REPLY_ONLY,
	[IPVS_FNAT_LADDR_ATTR_CONNS] = FNAT_REPLY_ONLY,
	[IPVS_FNAT_LADDR_ATTR_PAD] = FNAT_REPLY_ONLY,
	[IPVS_FNAT_LADDR_ATTR_FLAGS] = NLA_POLICY_MASK(NLA_U32, IPVS_FNAT_LADDR_F_ALL),
};

static const struct nla_policy fnat_cfg_policy[IPVS_FNAT_CFG_ATTR_MAX + 1] = {
	[IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP] = { .type = NLA_U32 },
	[IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP_FIN] = { .type = NLA_U32 },
	[IPVS_FNAT_CFG_ATTR_TIMEOUT_UDP] = { .type = NLA_U32 },
	[IPVS_FNAT_CFG_ATTR_TIMEOUT_SYN] = { .type = NLA_U32 },
	[IPVS_FNAT_CFG_ATTR_CONN_MAX] = { .type = NLA_U32 },
	[IPVS_FNAT_CFG_ATTR_PORT_MIN] = { .type = NLA_U16 },
	[IPVS_FNAT_CFG_ATTR_PORT_MAX] = { .type = NLA_U16 },
	[IPVS_FNAT_CFG_ATTR_TOA] = { .type = NLA_U8 },
	[IPVS_FNAT_CFG_ATTR_KEEP_TIMESTAMPS] = { .type = NLA_U8 },
	[IPVS_FNAT_CFG_ATTR_EXPIRE_RST] = { .type = NLA_U8 },
	[IPVS_FNAT_CFG_ATTR_DC_FAILS] = { .type = NLA_U32 },
	[IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MIN] = { .type = NLA_U32 },
	[IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MAX] = { .type = NLA_U32 },
};

/* Top level, one per shape of request. Entries left out are refused (strict). */
static const struct nla_policy fnat_pol_svc[IPVS_FNAT_ATTR_MAX + 1] = {
	[IPVS_FNAT_ATTR_SERVICE] = NLA_POLICY_NESTED(fnat_svc_policy),
};

static const struct nla_policy fnat_pol_svc_key[IPVS_FNAT_ATTR_MAX + 1] = {
	[IPVS_FNAT_ATTR_SERVICE] = NLA_POLICY_NESTED(fnat_svc_key_policy),
};

static const struct nla_policy fnat_pol_dest[IPVS_FNAT_ATTR_MAX + 1] = {
	[IPVS_FNAT_ATTR_SERVICE] = NLA_POLICY_NESTED(fnat_svc_key_policy),
	[IPVS_FNAT_ATTR_DEST] = NLA_POLICY_NESTED(fnat_dest_policy),
};

static const struct nla_policy fnat_pol_dest_key[IPVS_FNAT_ATTR_MAX + 1] = {
	[IPVS_FNAT_ATTR_SERVICE] = NLA_POLICY_NESTED(fnat_svc_key_policy),
	[IPVS_FNAT_ATTR_DEST] = NLA_POLICY_NESTED(fnat_dest_key_policy),
};

static const struct nla_policy fnat_pol_laddr[IPVS_FNAT_ATTR_MAX + 1] = {
	[IPVS_FNAT_ATTR_SERVICE] = NLA_POLICY_NESTED(fnat_svc_key_policy),
	[IPVS_FNAT_ATTR_LADDR] = NLA_POLICY_NESTED(fnat_laddr_policy),
};

static const struct nla_policy fnat_pol_cfg[IPVS_FNAT_ATTR_MAX + 1] = {
	[IPVS_FNAT_ATTR_CONFIG] = NLA_POLICY_NESTED(fnat_cfg_policy),
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

/* --- value ranges -------------------------------------------------------------- */

enum fnat_nl_kind {
	FNAT_U8,
	FNAT_U16,
	FNAT_BE16,
	FNAT_U32,
	FNAT_FAMILY,		/* u16: AF_INET or AF_INET6 */
	FNAT_PROTOCOL,		/* u8: IPPROTO_TCP or IPPROTO_UDP */
};

struct fnat_nl_range {
	u16 type;
	u8 kind;		/* enum fnat_nl_kind */
	u32 min, max;
	const char *msg;
};

#define FNAT_AF_MSG "address family must be AF_INET or AF_INET6"

static const struct fnat_nl_range fnat_svc_ranges[] = {
	{ IPVS_FNAT_SVC_ATTR_AF, FNAT_FAMILY, 0, 0, FNAT_AF_MSG },
	{ IPVS_FNAT_SVC_ATTR_PROTOCOL, FNAT_PROTOCOL, 0, 0, "protocol must be TCP or UDP" },
	{ IPVS_FNAT_SVC_ATTR_PORT, FNAT_BE16, 1, 65535, "virtual port must be 1..65535" },
	{ IPVS_FNAT_SVC_ATTR_TIMEOUT, FNAT_U32, 1, IPVS_FNAT_TIMEOUT_MAX,
	  "persistence timeout must be 1..31536000 seconds" },
	{ IPVS_FNAT_SVC_ATTR_NETMASK, FNAT_U8, 1, 128, "netmask must be a prefix length, 1..128" },
	{ IPVS_FNAT_SVC_ATTR_OWNER, FNAT_U32, 0, IPVS_FNAT_OWNER_MAX, "owner must be 0..65535" },
};

static const struct fnat_nl_range fnat_dest_ranges[] = {
	{ IPVS_FNAT_DEST_ATTR_ADDR_FAMILY, FNAT_FAMILY, 0, 0, FNAT_AF_MSG },
	{ IPVS_FNAT_DEST_ATTR_WEIGHT, FNAT_U32, 0, 65535, "weight must be 0..65535" },
};

static const struct fnat_nl_range fnat_laddr_ranges[] = {
	{ IPVS_FNAT_LADDR_ATTR_AF, FNAT_FAMILY, 0, 0, FNAT_AF_MSG },
};

#define FNAT_CFG_TIMEOUT_MSG "timeouts are 0 (unchanged) .. 31536000 seconds"
static const struct fnat_nl_range fnat_cfg_ranges[] = {
	{ IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP, FNAT_U32, 0, IPVS_FNAT_TIMEOUT_MAX, FNAT_CFG_TIMEOUT_MSG },
	{ IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP_FIN, FNAT_U32, 0, IPVS_FNAT_TIMEOUT_MAX,
	  FNAT_CFG_TIMEOUT_MSG },
	{ IPVS_FNAT_CFG_ATTR_TIMEOUT_UDP, FNAT_U32, 0, IPVS_FNAT_TIMEOUT_MAX, FNAT_CFG_TIMEOUT_MSG },
	{ IPVS_FNAT_CFG_ATTR_TIMEOUT_SYN, FNAT_U32, 0, IPVS_FNAT_TIMEOUT_MAX, FNAT_CFG_TIMEOUT_MSG },
	{ IPVS_FNAT_CFG_ATTR_PORT_MIN, FNAT_U16, 1, 65535, "local ports are 1..65535" },
	{ IPVS_FNAT_CFG_ATTR_PORT_MAX, FNAT_U16, 1, 65535, "local ports are 1..65535" },
	{ IPVS_FNAT_CFG_ATTR_TOA, FNAT_U8, 0, 1, "switches are 0 or 1" },
	{ IPVS_FNAT_CFG_ATTR_KEEP_TIMESTAMPS, FNAT_U8, 0, 1, "switches are 0 or 1" },
	{ IPVS_FNAT_CFG_ATTR_EXPIRE_RST, FNAT_U8, 0, 1, "switches are 0 or 1" },
	{ IPVS_FNAT_CFG_ATTR_DC_FAILS, FNAT_U32, 1, FNAT_DC_FAILS_MAX,
	  "dest check failures must be 1..1000" },
	{ IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MIN, FNAT_U32, 1, FNAT_DC_INHIBIT_LIMIT,
	  "dest check inhibit periods are 1..86400 seconds" },
	{ IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MAX, FNAT_U32, 1, FNAT_DC_INHIBIT_LIMIT,
	  "dest check inhibit periods are 1..86400 seconds" },
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
static int fnat_nl_check_ranges(struct nlattr **tb, const struct fnat_nl_range *r, size_t n,
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

/* --- request parsing ------------------------------------------------------------- */

/* Fails with EINVAL (and says which) if attribute type of nest is missing. */
#define FNAT_NL_MISSING(extack, nest, tb, type, what) ({			\
	bool __missing = !(tb)[type];						\
	if (__missing) {							\
		NL_SET_ERR_MSG(extack, "missing attribute: " what);		\
		NL_SET_ERR_ATTR_MISS(extack, nest, type);			\
	}									\
	__missing;								\
})

static struct fnat_net *fnat_nl_net(struct genl_info *info)
{
	return fnat_net(genl_info_net(info));
}

/* Copy an address attribute of family af; EINVAL if its length is not af's. */
static int fnat_nl_get_addr(const struct nlattr *attr, u16 af, union nf_inet_addr *addr,
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
static int fnat_nl_parse_svc(struct nlattr *nest, const struct nla_policy *policy,
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

static int fnat_nl_parse_key(struct nlattr *nest, struct fnat_svc_key *key,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[IPVS_FNAT_SVC_ATTR_MAX + 1];

	return fnat_nl_parse_svc(nest, fnat_svc_key_policy, tb, key, extack);
}

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

/* --- replies ----------------------------------------------------------------------- */

static int fnat_nl_put_key(struct sk_buff *skb, const struct fnat_svc_key *key)
{
	if (nla_put_u16(skb, IPVS_FNAT_SVC_ATTR_AF, key->af) ||
	    nla_put_u8(skb, IPVS_FNAT_SVC_ATTR_PROTOCOL, key->protocol) ||
	    nla_put(skb, IPVS_FNAT_SVC_ATTR_ADDR, fnat_addr_len(key->af), &key->addr) ||
	    nla_put_be16(skb, IPVS_FNAT_SVC_ATTR_PORT, key->port))
		return -EMSGSIZE;
	return 0;
}

static int fnat_nl_put_stats(struct sk_buff *skb, int type, const struct fnat_stats *s)
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
static void *fnat_nl_msg_start(struct sk_buff *skb, u32 portid, u32 seq, int flags,
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

/* --- services ---------------------------------------------------------------------- */

static int fnat_nl_new_service(struct sk_buff *skb, struct genl_info *info)
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

static struct fnat_service *fnat_nl_find_svc(struct fnat_net *fn,
					     const struct fnat_svc_key *key,
					     struct netlink_ext_ack *extack)
{
	struct fnat_service *svc = fnat_svc_find(fn, key);

	if (!svc)
		NL_SET_ERR_MSG(extack, "no such service");
	return svc;
}

static int fnat_nl_set_service(struct sk_buff *skb, struct genl_info *info)
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

static int fnat_nl_del_service(struct sk_buff *skb, struct genl_info *info)
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

static int fnat_nl_get_service(struct sk_buff *skb, struct genl_info *info)
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

/*
 * Dumps that may be limited to one service: cb->args[FNAT_CB_SVC] holds its id (0:
 * every service). Set in .start, where errors still come back as the request's ack.
 */
enum {
	FNAT_CB_SVC,		/* the service asked for, 0 = all */
	FNAT_CB_LAST,		/* id of the last object sent */
	FNAT_CB_LAST_SVC,	/* GET_LADDR: id of the service being walked */
};

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

static int fnat_nl_dump_services(struct sk_buff *skb, struct netlink_callback *cb)
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

/* --- destinations ---------------------------------------------------------------- */

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

static int fnat_nl_new_dest(struct sk_buff *skb, struct genl_info *info)
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

static int fnat_nl_set_dest(struct sk_buff *skb, struct genl_info *info)
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

static int fnat_nl_del_dest(struct sk_buff *skb, struct genl_info *info)
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

static int fnat_nl_dump_dests(struct sk_buff *skb, struct netlink_callback *cb)
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

/* --- local addresses ------------------------------------------------------------- */

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

static int fnat_nl_new_laddr(struct sk_buff *skb, struct genl_info *info)
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

static int fnat_nl_del_laddr(struct sk_buff *skb, struct genl_info *info)
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

static int fnat_nl_dump_laddrs(struct sk_buff *skb, struct netlink_callback *cb)
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

/* --- configuration, info, zero, flush, connections -------------------------------- */

static int fnat_nl_set_config(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *nest = info->attrs[IPVS_FNAT_ATTR_CONFIG];
	struct fnat_net *fn = fnat_nl_net(info);
	struct nlattr *tb[IPVS_FNAT_CFG_ATTR_MAX + 1];
	struct fnat_config cfg;
	u16 pmin, pmax;
	int err;

	if (!nest) {
		NL_SET_ERR_MSG(info->extack, "missing attribute: IPVS_FNAT_ATTR_CONFIG");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, IPVS_FNAT_ATTR_CONFIG);
		return -EINVAL;
	}
	err = nla_parse_nested(tb, IPVS_FNAT_CFG_ATTR_MAX, nest, fnat_cfg_policy, info->extack);
	if (err)
		return err;
	err = fnat_nl_check_ranges(tb, fnat_cfg_ranges, ARRAY_SIZE(fnat_cfg_ranges), info->extack);
	if (err)
		return err;

	mutex_lock(&fn->lock);
	cfg = fn->cfg;
	/* Timeouts: 0 leaves the value as it is (ipvsadm --set). */
#define FNAT_CFG_TIMEOUT(attr, field)					\
	do {								\
		if (tb[attr] && nla_get_u32(tb[attr]))			\
			cfg.field = nla_get_u32(tb[attr]);		\
	} while (0)
	FNAT_CFG_TIMEOUT(IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP, timeout_tcp);
	FNAT_CFG_TIMEOUT(IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP_FIN, timeout_tcp_fin);
	FNAT_CFG_TIMEOUT(IPVS_FNAT_CFG_ATTR_TIMEOUT_UDP, timeout_udp);
	FNAT_CFG_TIMEOUT(IPVS_FNAT_CFG_ATTR_TIMEOUT_SYN, timeout_syn);
#undef FNAT_CFG_TIMEOUT
	if (tb[IPVS_FNAT_CFG_ATTR_CONN_MAX])
		cfg.conn_max = nla_get_u32(tb[IPVS_FNAT_CFG_ATTR_CONN_MAX]);
	pmin = fnat_port_min(cfg.port_range);
	pmax = fnat_port_max(cfg.port_range);
	if (tb[IPVS_FNAT_CFG_ATTR_PORT_MIN])
		pmin = nla_get_u16(tb[IPVS_FNAT_CFG_ATTR_PORT_MIN]);
	if (tb[IPVS_FNAT_CFG_ATTR_PORT_MAX])
		pmax = nla_get_u16(tb[IPVS_FNAT_CFG_ATTR_PORT_MAX]);
	cfg.port_range = fnat_port_range(pmin, pmax);
	if (tb[IPVS_FNAT_CFG_ATTR_TOA])
		cfg.toa = nla_get_u8(tb[IPVS_FNAT_CFG_ATTR_TOA]);
	if (tb[IPVS_FNAT_CFG_ATTR_KEEP_TIMESTAMPS])
		cfg.keep_timestamps = nla_get_u8(tb[IPVS_FNAT_CFG_ATTR_KEEP_TIMESTAMPS]);
	if (tb[IPVS_FNAT_CFG_ATTR_EXPIRE_RST])
		cfg.expire_rst = nla_get_u8(tb[IPVS_FNAT_CFG_ATTR_EXPIRE_RST]);
	if (tb[IPVS_FNAT_CFG_ATTR_DC_FAILS])
		cfg.dc_fails = nla_get_u32(tb[IPVS_FNAT_CFG_ATTR_DC_FAILS]);
	if (tb[IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MIN])
		cfg.dc_inhibit_min = nla_get_u32(tb[IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MIN]);
	if (tb[IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MAX])
		cfg.dc_inhibit_max = nla_get_u32(tb[IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MAX]);
	err = fnat_config_set(fn, &cfg, info->extack);
	mutex_unlock(&fn->lock);
	return err;
}

static int fnat_nl_get_config(struct sk_buff *skb, struct genl_info *info)
{
	struct fnat_net *fn = fnat_nl_net(info);
	struct fnat_config cfg;
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;

	mutex_lock(&fn->lock);
	cfg = fn->cfg;
	mutex_unlock(&fn->lock);

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &fnat_genl_family, 0, IPVS_FNAT_CMD_GET_CONFIG);
	if (!hdr)
		goto nospace;
	nest = nla_nest_start(msg, IPVS_FNAT_ATTR_CONFIG);
	if (!nest ||
	    nla_put_u32(msg, IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP, cfg.timeout_tcp) ||
	    nla_put_u32(msg, IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP_FIN, cfg.timeout_tcp_fin) ||
	    nla_put_u32(msg, IPVS_FNAT_CFG_ATTR_TIMEOUT_UDP, cfg.timeout_udp) ||
	    nla_put_u32(msg, IPVS_FNAT_CFG_ATTR_TIMEOUT_SYN, cfg.timeout_syn) ||
	    nla_put_u32(msg, IPVS_FNAT_CFG_ATTR_CONN_MAX, cfg.conn_max) ||
	    nla_put_u16(msg, IPVS_FNAT_CFG_ATTR_PORT_MIN, fnat_port_min(cfg.port_range)) ||
	    nla_put_u16(msg, IPVS_FNAT_CFG_ATTR_PORT_MAX, fnat_port_max(cfg.port_range)) ||
	    nla_put_u8(msg, IPVS_FNAT_CFG_ATTR_TOA, cfg.toa) ||
	    nla_put_u8(msg, IPVS_FNAT_CFG_ATTR_KEEP_TIMESTAMPS, cfg.keep_timestamps) ||
	    nla_put_u8(msg, IPVS_FNAT_CFG_ATTR_EXPIRE_RST, cfg.expire_rst) ||
	    nla_put_u32(msg, IPVS_FNAT_CFG_ATTR_DC_FAILS, cfg.dc_fails) ||
	    nla_put_u32(msg, IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MIN, cfg.dc_inhibit_min) ||
	    nla_put_u32(msg, IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MAX, cfg.dc_inhibit_max))
		goto nospace;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int fnat_nl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct fnat_net *fn = fnat_nl_net(info);
	unsigned int services;
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;

	mutex_lock(&fn->lock);
	services = fn->num_services;
	mutex_unlock(&fn->lock);

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &fnat_genl_family, 0, IPVS_FNAT_CMD_GET_INFO);
	if (!hdr)
		goto nospace;
	nest = nla_nest_start(msg, IPVS_FNAT_ATTR_INFO);
	if (!nest ||
	    nla_put_u32(msg, IPVS_FNAT_INFO_ATTR_VERSION, FNAT_VERSION_CODE) ||
	    nla_put_u32(msg, IPVS_FNAT_INFO_ATTR_CONN_TAB_SIZE, fnat_conn_tab_size()) ||
	    nla_put_u32(msg, IPVS_FNAT_INFO_ATTR_CONN_COUNT, atomic_read(&fn->conn_count)) ||
	    nla_put_u32(msg, IPVS_FNAT_INFO_ATTR_SERVICE_COUNT, services))
		goto nospace;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int fnat_nl_zero(struct sk_buff *skb, struct genl_info *info)
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

static int fnat_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct fnat_net *fn = fnat_nl_net(info);

	mutex_lock(&fn->lock);
	fnat_svc_flush(fn);
	mutex_unlock(&fn->lock);
	return 0;
}

/*
 * The connection table arrives with the packet path; until then no connection
 * exists, so the dump ends at once. The command and its permission check are part
 * of the ABI already.
 */
static int fnat_nl_fill_conn(struct sk_buff *skb, const struct fnat_conn *cp,
			     struct netlink_callback *cb)
{
	int alen = fnat_addr_len(cp->af);
	unsigned long expires = READ_ONCE(cp->expires);
	struct nlattr *nest;
	u32 flags = 0;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &fnat_genl_family, NLM_F_MULTI, IPVS_FNAT_CMD_GET_CONN);
	if (!hdr)
		return -EMSGSIZE;
	if (test_bit(FNAT_CONN_F_TOA_DONE, &cp->flags))
		flags |= IPVS_FNAT_CONN_F_TOA_DONE;
	nest = nla_nest_start(skb, IPVS_FNAT_ATTR_CONN);
	if (!nest ||
	    nla_put_u8(skb, IPVS_FNAT_CONN_ATTR_PROTOCOL, cp->protocol) ||
	    nla_put_u16(skb, IPVS_FNAT_CONN_ATTR_AF, cp->af) ||
	    nla_put(skb, IPVS_FNAT_CONN_ATTR_CADDR, alen, &cp->caddr) ||
	    nla_put_be16(skb, IPVS_FNAT_CONN_ATTR_CPORT, cp->cport) ||
	    nla_put(skb, IPVS_FNAT_CONN_ATTR_VADDR, alen, &cp->vaddr) ||
	    nla_put_be16(skb, IPVS_FNAT_CONN_ATTR_VPORT, cp->vport) ||
	    nla_put(skb, IPVS_FNAT_CONN_ATTR_LADDR, alen, &cp->laddr) ||
	    nla_put_be16(skb, IPVS_FNAT_CONN_ATTR_LPORT, cp->lport) ||
	    nla_put(skb, IPVS_FNAT_CONN_ATTR_DADDR, alen, &cp->daddr) ||
	    nla_put_be16(skb, IPVS_FNAT_CONN_ATTR_DPORT, cp->dport) ||
	    nla_put_u16(skb, IPVS_FNAT_CONN_ATTR_STATE, READ_ONCE(cp->state)) ||
	    nla_put_string(skb, IPVS_FNAT_CONN_ATTR_STATE_NAME,
			   fnat_conn_state_name(READ_ONCE(cp->state))) ||
	    nla_put_u32(skb, IPVS_FNAT_CONN_ATTR_EXPIRES,
			time_after(expires, jiffies) ? jiffies_to_msecs(expires - jiffies) : 0) ||
	    nla_put_u32(skb, IPVS_FNAT_CONN_ATTR_FLAGS, flags)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * Resumes at (bucket, index) = (cb->args[0], cb->args[1]) (fnat_conn_next()). A part
 * ends between buckets: when a bucket's connections do not all fit, those of it
 * already in this part are taken out again and the next part starts with the whole
 * bucket, so a connection that is in the table for the whole dump is listed once
 * however many others come and go meanwhile (an index within a bucket would shift).
 * Only a bucket too large for one message is split, at an index.
 */
static int fnat_nl_dump_conns(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	unsigned int bucket = cb->args[0], idx = cb->args[1];
	const unsigned char *start = skb_tail_pointer(skb), *mark = start;
	unsigned int mark_bucket = bucket;
	struct fnat_conn *cp;

	rcu_read_lock();
	for (;;) {
		unsigned int b = bucket, i = idx;

		cp = fnat_conn_next(net, &bucket, &idx);
		if (!cp)
			break;
		if (idx == 1) {		/* the first of its bucket */
			mark = skb_tail_pointer(skb);
			mark_bucket = bucket;
		}
		if (fnat_nl_fill_conn(skb, cp, cb)) {
			if (mark_bucket == bucket && mark > start) {
				nlmsg_trim(skb, mark);
				bucket = mark_bucket;
				idx = 0;
			} else {
				bucket = b;	/* this one goes in the next message */
				idx = i;
			}
			break;
		}
	}
	rcu_read_unlock();
	cb->args[0] = bucket;
	cb->args[1] = idx;
	return skb->len;
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
