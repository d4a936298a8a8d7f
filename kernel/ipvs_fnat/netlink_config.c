// SPDX-License-Identifier: GPL-2.0
/*
 * IPVS_FNAT_CMD_SET_CONFIG, GET_CONFIG and GET_INFO: the namespace's settings
 * (timeouts, connection limit, local port range, TOA and health-check parameters)
 * and what the module reports of itself.
 *
 * SET_CONFIG starts from the current settings, changes what the request names and
 * hands the whole to fnat_config_set(), which refuses an inconsistent result, so a
 * request is applied entirely or not at all. The GET replies copy the state under
 * the control mutex and are built after it is released.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include "fnat.h"
#include "dp.h"
#include "netlink.h"

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

const struct nla_policy fnat_pol_cfg[IPVS_FNAT_ATTR_MAX + 1] = {
	[IPVS_FNAT_ATTR_CONFIG] = NLA_POLICY_NESTED(fnat_cfg_policy),
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

int fnat_nl_set_config(struct sk_buff *skb, struct genl_info *info)
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

int fnat_nl_get_config(struct sk_buff *skb, struct genl_info *info)
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
	hdr = fnat_nl_reply_hdr(msg, info, IPVS_FNAT_CMD_GET_CONFIG);
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

int fnat_nl_get_info(struct sk_buff *skb, struct genl_info *info)
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
	hdr = fnat_nl_reply_hdr(msg, info, IPVS_FNAT_CMD_GET_INFO);
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
