/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the IPVS_FNAT family's files share: the one dispatch table is in netlink.c,
 * and the handlers and policies of each object's operations it names are declared
 * here, with the helpers every object's requests and replies use.
 */
#ifndef IPVS_FNAT_NETLINK_H
#define IPVS_FNAT_NETLINK_H

#include <net/genetlink.h>
#include "uapi/ipvs_fnat.h"

struct fnat_net;
struct fnat_service;
struct fnat_svc_key;
struct fnat_stats;

/* --- policies ------------------------------------------------------------------ */

/* An address attribute: 4 or 16 bytes (its family is checked by the handler). */
int fnat_nl_validate_addr(const struct nlattr *attr, struct netlink_ext_ack *extack);

#define FNAT_POLICY_ADDR NLA_POLICY_VALIDATE_FN(NLA_BINARY, fnat_nl_validate_addr, \
						sizeof(struct in6_addr))
#define FNAT_REPLY_ONLY	 { .type = NLA_REJECT, .reject_message = "attribute only appears in replies" }
#define FNAT_NOT_HERE(m) { .type = NLA_REJECT, .reject_message = m }

#define FNAT_SVC_KEY_POLICY						\
	[IPVS_FNAT_SVC_ATTR_AF] = { .type = NLA_U16 },			\
	[IPVS_FNAT_SVC_ATTR_PROTOCOL] = { .type = NLA_U8 },		\
	[IPVS_FNAT_SVC_ATTR_ADDR] = FNAT_POLICY_ADDR,			\
	[IPVS_FNAT_SVC_ATTR_PORT] = { .type = NLA_BE16 }

/* The service nest of every request but NEW/SET_SERVICE: the key alone. */
extern const struct nla_policy fnat_svc_key_policy[IPVS_FNAT_SVC_ATTR_MAX + 1];

/* --- value ranges (fnat_nl_check_ranges(), right after parsing) ------------------ */

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

int fnat_nl_check_ranges(struct nlattr **tb, const struct fnat_nl_range *r, size_t n,
			 struct netlink_ext_ack *extack);

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

static inline struct fnat_net *fnat_nl_net(struct genl_info *info)
{
	return fnat_net(genl_info_net(info));
}

int fnat_nl_get_addr(const struct nlattr *attr, u16 af, union nf_inet_addr *addr,
		     struct netlink_ext_ack *extack);
int fnat_nl_parse_svc(struct nlattr *nest, const struct nla_policy *policy,
		      struct nlattr **tb, struct fnat_svc_key *key,
		      struct netlink_ext_ack *extack);
int fnat_nl_parse_key(struct nlattr *nest, struct fnat_svc_key *key,
		      struct netlink_ext_ack *extack);
/* The service with key, or NULL and the reason in extack. Control mutex held. */
struct fnat_service *fnat_nl_find_svc(struct fnat_net *fn, const struct fnat_svc_key *key,
				      struct netlink_ext_ack *extack);

/*
 * Dumps that may be limited to one service: cb->args[FNAT_CB_SVC] holds its id (0:
 * every service). Set in .start, where errors still come back as the request's ack.
 */
enum {
	FNAT_CB_SVC,		/* the service asked for, 0 = all */
	FNAT_CB_LAST,		/* id of the last object sent */
	FNAT_CB_LAST_SVC,	/* GET_LADDR: id of the service being walked */
};

/* --- replies ----------------------------------------------------------------------- */

int fnat_nl_put_key(struct sk_buff *skb, const struct fnat_svc_key *key);
int fnat_nl_put_stats(struct sk_buff *skb, int type, const struct fnat_stats *s);
/* A message for cmd: a do's reply (cb NULL) or a dump's part, which is flagged if
 * the tables changed since the dump began. NULL when skb is full. */
void *fnat_nl_msg_start(struct sk_buff *skb, u32 portid, u32 seq, int flags,
			u8 cmd, struct netlink_callback *cb);
/* A dump's message header for cmd (NLM_F_MULTI, the dump's consistency check);
 * NULL when the message is full. */
void *fnat_nl_dump_hdr(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd);
/* The header of a reply to a do request for cmd; NULL when msg is full. */
void *fnat_nl_reply_hdr(struct sk_buff *msg, struct genl_info *info, u8 cmd);

/* --- each object's operations (the dispatch table in netlink.c) ------------------ */

/* netlink_service.c */
extern const struct nla_policy fnat_pol_svc[IPVS_FNAT_ATTR_MAX + 1];
int fnat_nl_new_service(struct sk_buff *skb, struct genl_info *info);
int fnat_nl_set_service(struct sk_buff *skb, struct genl_info *info);
int fnat_nl_del_service(struct sk_buff *skb, struct genl_info *info);
int fnat_nl_get_service(struct sk_buff *skb, struct genl_info *info);
int fnat_nl_dump_services(struct sk_buff *skb, struct netlink_callback *cb);
int fnat_nl_zero(struct sk_buff *skb, struct genl_info *info);
int fnat_nl_flush(struct sk_buff *skb, struct genl_info *info);

/* netlink_dest.c */
extern const struct nla_policy fnat_pol_dest[IPVS_FNAT_ATTR_MAX + 1];
extern const struct nla_policy fnat_pol_dest_key[IPVS_FNAT_ATTR_MAX + 1];
int fnat_nl_new_dest(struct sk_buff *skb, struct genl_info *info);
int fnat_nl_set_dest(struct sk_buff *skb, struct genl_info *info);
int fnat_nl_del_dest(struct sk_buff *skb, struct genl_info *info);
int fnat_nl_dump_dests(struct sk_buff *skb, struct netlink_callback *cb);

/* netlink_laddr.c */
extern const struct nla_policy fnat_pol_laddr[IPVS_FNAT_ATTR_MAX + 1];
int fnat_nl_new_laddr(struct sk_buff *skb, struct genl_info *info);
int fnat_nl_del_laddr(struct sk_buff *skb, struct genl_info *info);
int fnat_nl_dump_laddrs(struct sk_buff *skb, struct netlink_callback *cb);

/* netlink_config.c */
extern const struct nla_policy fnat_pol_cfg[IPVS_FNAT_ATTR_MAX + 1];
int fnat_nl_set_config(struct sk_buff *skb, struct genl_info *info);
int fnat_nl_get_config(struct sk_buff *skb, struct genl_info *info);
int fnat_nl_get_info(struct sk_buff *skb, struct genl_info *info);

/* netlink_conn.c */
int fnat_nl_dump_conns(struct sk_buff *skb, struct netlink_callback *cb);

/* netlink_daemon.c */
extern const struct nla_policy fnat_pol_daemon[IPVS_FNAT_ATTR_MAX + 1];
extern const struct nla_policy fnat_pol_daemon_key[IPVS_FNAT_ATTR_MAX + 1];
extern const struct nla_policy fnat_pol_daemon_dump[IPVS_FNAT_ATTR_MAX + 1];
int fnat_nl_new_daemon(struct sk_buff *skb, struct genl_info *info);
int fnat_nl_del_daemon(struct sk_buff *skb, struct genl_info *info);
int fnat_nl_dump_daemons(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* IPVS_FNAT_NETLINK_H */
