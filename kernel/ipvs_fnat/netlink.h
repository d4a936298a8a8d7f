/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the IPVS_FNAT family's files share: the one dispatch table is in netlink.c,
 * and the handlers and policies of each object's operations it names are declared
 * here.
 */
#ifndef IPVS_FNAT_NETLINK_H
#define IPVS_FNAT_NETLINK_H

#include <net/genetlink.h>
#include "uapi/ipvs_fnat.h"

/* A dump's message header for cmd (NLM_F_MULTI, the dump's consistency check);
 * NULL when the message is full. */
void *fnat_nl_dump_hdr(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd);

/* netlink_daemon.c */
extern const struct nla_policy fnat_pol_daemon[IPVS_FNAT_ATTR_MAX + 1];
extern const struct nla_policy fnat_pol_daemon_key[IPVS_FNAT_ATTR_MAX + 1];
extern const struct nla_policy fnat_pol_daemon_dump[IPVS_FNAT_ATTR_MAX + 1];
int fnat_nl_new_daemon(struct sk_buff *skb, struct genl_info *info);
int fnat_nl_del_daemon(struct sk_buff *skb, struct genl_info *info);
int fnat_nl_dump_daemons(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* IPVS_FNAT_NETLINK_H */
