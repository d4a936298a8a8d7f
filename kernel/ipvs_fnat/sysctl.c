// SPDX-License-Identifier: GPL-2.0
/*
 * The tunables as sysctls, net.ipvs_fnat.* in every network namespace.
 *
 * They hold no value of their own: each one reads and writes the namespace's
 * struct fnat_config, the same one netlink's GET/SET_CONFIG use, so a sysctl write
 * and a netlink SET see each other. A write parses into a local value, then, under
 * fnat_net.lock, copies the configuration, changes the one field and installs the
 * copy with fnat_config_set(), which checks the whole of it: an invalid value gets
 * EINVAL and changes nothing. Reads take no lock (READ_ONCE of the field).
 *
 * Each namespace registers its own copy of the table, whose entries point at its
 * struct fnat_net. Permissions are the netlink family's: the owner bits (0644) go
 * to whoever has CAP_NET_ADMIN in the user namespace that owns the network
 * namespace (net_ctl_permissions), which is also what SET_CONFIG's
 * GENL_UNS_ADMIN_PERM asks. So nothing is hidden from a namespace owned by another
 * user namespace: hiding there what netlink lets through would protect nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sysctl.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <net/net_namespace.h>
#include "dp.h"

/* One unsigned field of struct fnat_config and its range. */
struct fnat_sysctl_var {
	unsigned short offset;
	unsigned char size;	/* 1 or 4 */
	unsigned int min, max;
};

#define FNAT_VAR(field, lo, hi) {						\
	.offset = offsetof(struct fnat_config, field),				\
	.size = sizeof_field(struct fnat_config, field),			\
	.min = (lo),								\
	.max = (hi),								\
}

static const struct fnat_sysctl_var fnat_var_timeout_tcp =
	FNAT_VAR(timeout_tcp, 1, IPVS_FNAT_TIMEOUT_MAX);
static const struct fnat_sysctl_var fnat_var_timeout_tcp_fin =
	FNAT_VAR(timeout_tcp_fin, 1, IPVS_FNAT_TIMEOUT_MAX);
static const struct fnat_sysctl_var fnat_var_timeout_udp =
	FNAT_VAR(timeout_udp, 1, IPVS_FNAT_TIMEOUT_MAX);
static const struct fnat_sysctl_var fnat_var_timeout_syn =
	FNAT_VAR(timeout_syn, 1, IPVS_FNAT_TIMEOUT_MAX);
static const struct fnat_sysctl_var fnat_var_conn_max = FNAT_VAR(conn_max, 0, UINT_MAX);
static const struct fnat_sysctl_var fnat_var_toa = FNAT_VAR(toa, 0, 1);
static const struct fnat_sysctl_var fnat_var_keep_timestamps = FNAT_VAR(keep_timestamps, 0, 1);
static const struct fnat_sysctl_var fnat_var_expire_rst = FNAT_VAR(expire_rst, 0, 1);
/* The passive check; fnat_config_set() also refuses min > max. */
static const struct fnat_sysctl_var fnat_var_dest_check_fails =
	FNAT_VAR(dc_fails, 1, FNAT_DC_FAILS_MAX);
static const struct fnat_sysctl_var fnat_var_dest_check_inhibit_min =
	FNAT_VAR(dc_inhibit_min, 1, FNAT_DC_INHIBIT_LIMIT);
static const struct fnat_sysctl_var fnat_var_dest_check_inhibit_max =
	FNAT_VAR(dc_inhibit_max, 1, FNAT_DC_INHIBIT_LIMIT);

static void *fnat_var_ptr(struct fnat_config *cfg, const struct fnat_sysctl_var *var)
{
	return (u8 *)cfg + var->offset;
}

static unsigned int fnat_var_get(struct fnat_config *cfg, const struct fnat_sysctl_var *var)
{
	void *p = fnat_var_ptr(cfg, var);

	return var->size == 1 ? READ_ONCE(*(u8 *)p) : READ_ONCE(*(u32 *)p);
}

static void fnat_var_put(struct fnat_config *cfg, const struct fnat_sysctl_var *var,
			 unsigned int val)
{
	void *p = fnat_var_ptr(cfg, var);

	if (var->size == 1)
		*(u8 *)p = val;
	else
		*(u32 *)p = val;
}

/* Change one field of fn's configuration, checked as a whole. */
static int fnat_sysctl_apply(struct fnat_net *fn, const struct fnat_sysctl_var *var,
			     unsigned int val, u32 port_range)
{
	struct fnat_config cfg;
	int err;

	mutex_lock(&fn->lock);
	cfg = fn->cfg;
	if (var)
		fnat_var_put(&cfg, var, val);
	else
		cfg.port_range = port_range;
	err = fnat_config_set(fn, &cfg, NULL);
	mutex_unlock(&fn->lock);
	return err;
}

/* table->data: the namespace's struct fnat_net; table->extra1: the field. */
static int fnat_sysctl_uint(struct ctl_table *table, int write, void *buffer, size_t *lenp,
			    loff_t *ppos)
{
	const struct fnat_sysctl_var *var = table->extra1;
	struct fnat_net *fn = table->data;
	unsigned int val = fnat_var_get(&fn->cfg, var), min = var->min, max = var->max;
	struct ctl_table tmp = {
		.data = &val,
		.maxlen = sizeof(val),
		.mode = table->mode,
		.extra1 = &min,
		.extra2 = &max,
	};
	int err;

	/* Out of range, negative or not a number: EINVAL before anything changes. */
	err = proc_douintvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (err || !write)
		return err;
	return fnat_sysctl_apply(fn, var, val, 0);
}

/* "min max", like net.ipv4.ip_local_port_range. */
static int fnat_sysctl_port_range(struct ctl_table *table, int write, void *buffer,
				  size_t *lenp, loff_t *ppos)
{
	struct fnat_net *fn = table->data;
	u32 range = READ_ONCE(fn->cfg.port_range);
	int ports[2] = { fnat_port_min(range), fnat_port_max(range) };
	int min = 1, max = 65535;
	struct ctl_table tmp = {
		.data = ports,
		.maxlen = sizeof(ports),
		.mode = table->mode,
		.extra1 = &min,
		.extra2 = &max,
	};
	int err;

	err = proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (err || !write)
		return err;
	/* fnat_config_set() refuses min > max. */
	return fnat_sysctl_apply(fn, NULL, 0, fnat_port_range(ports[0], ports[1]));
}

#define FNAT_SYSCTL_UINT(name) {						\
	.procname = #name,							\
	.mode = 0644,								\
	.proc_handler = fnat_sysctl_uint,					\
	.extra1 = (void *)&fnat_var_##name,					\
}

static const struct ctl_table fnat_sysctl_template[] = {
	FNAT_SYSCTL_UINT(timeout_tcp),
	FNAT_SYSCTL_UINT(timeout_tcp_fin),
	FNAT_SYSCTL_UINT(timeout_udp),
	FNAT_SYSCTL_UINT(timeout_syn),
	FNAT_SYSCTL_UINT(conn_max),
	{
		.procname = "local_port_range",
		.mode = 0644,
		.proc_handler = fnat_sysctl_port_range,
	},
	FNAT_SYSCTL_UINT(toa),
	FNAT_SYSCTL_UINT(keep_timestamps),
	FNAT_SYSCTL_UINT(expire_rst),
	FNAT_SYSCTL_UINT(dest_check_fails),
	FNAT_SYSCTL_UINT(dest_check_inhibit_min),
	FNAT_SYSCTL_UINT(dest_check_inhibit_max),
	{ }
};

/* Per namespace, from the datapath's pernet init: the control plane's (fn->cfg,
 * fn->lock) is ready by then. */
int fnat_sysctl_net_init(struct net *net)
{
	struct fnat_dp_net *dn = fnat_dp_net(net);
	struct fnat_net *fn = fnat_net(net);
	struct ctl_table *tbl;
	unsigned int i;

	tbl = kmemdup(fnat_sysctl_template, sizeof(fnat_sysctl_template), GFP_KERNEL);
	if (!tbl)
		return -ENOMEM;
	for (i = 0; tbl[i].procname; i++)
		tbl[i].data = fn;
	dn->sysctl_hdr = register_net_sysctl(net, "net/ipvs_fnat", tbl);
	if (!dn->sysctl_hdr) {
		kfree(tbl);
		return -ENOMEM;
	}
	return 0;
}

/* Before the control plane's state goes; waits for handlers still running. */
void fnat_sysctl_net_exit(struct net *net)
{
	struct fnat_dp_net *dn = fnat_dp_net(net);
	struct ctl_table *tbl;

	if (!dn->sysctl_hdr)
		return;
	tbl = dn->sysctl_hdr->ctl_table_arg;
	unregister_net_sysctl_table(dn->sysctl_hdr);
	dn->sysctl_hdr = NULL;
	kfree(tbl);
}
