// SPDX-License-Identifier: GPL-2.0
/*
 * Per-network-namespace state: the service tables, the tunables and the /proc file.
 * Created when a namespace appears (or at load for the existing ones), emptied and
 * freed when it goes away (or at unload).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include "fnat.h"

unsigned int fnat_net_id __read_mostly;
atomic_t fnat_live_objects = ATOMIC_INIT(0);

/* log2 of the connection table's bucket count (the table comes with the datapath). */
#define FNAT_CONN_TAB_BITS_MIN	8
#define FNAT_CONN_TAB_BITS_MAX	24
unsigned int fnat_conn_tab_bits __read_mostly = 20;
module_param_named(conn_tab_bits, fnat_conn_tab_bits, uint, 0444);
MODULE_PARM_DESC(conn_tab_bits, "log2 of the connection table size, 8..24 (default 20)");

/*
 * The connection table and cache are shared by every namespace, while conn_max is
 * per namespace and may be set by an unprivileged user's user namespace: this cap,
 * settable only by whoever loads the module, bounds them all. 0 at load: computed
 * from the memory (1/16 of RAM, see fnat_conn_init()); the file then shows it.
 */
unsigned int fnat_conn_max_global __read_mostly;
module_param_named(conn_max_global, fnat_conn_max_global, uint, 0444);
MODULE_PARM_DESC(conn_max_global,
		 "live connections in all namespaces together (default 0: 1/16 of RAM's worth)");

u32 fnat_conn_tab_size(void)
{
	return 1U << fnat_conn_tab_bits;
}

static void fnat_config_defaults(struct fnat_config *cfg)
{
	cfg->timeout_tcp = FNAT_DEF_TIMEOUT_TCP;
	cfg->timeout_tcp_fin = FNAT_DEF_TIMEOUT_TCP_FIN;
	cfg->timeout_udp = FNAT_DEF_TIMEOUT_UDP;
	cfg->timeout_syn = FNAT_DEF_TIMEOUT_SYN;
	cfg->conn_max = 0;
	cfg->port_range = fnat_port_range(FNAT_DEF_PORT_MIN, FNAT_DEF_PORT_MAX);
	cfg->toa = 1;
	cfg->keep_timestamps = 0;
	cfg->expire_rst = 1;
	cfg->dc_fails = FNAT_DEF_DC_FAILS;
	cfg->dc_inhibit_min = FNAT_DEF_DC_INHIBIT_MIN;
	cfg->dc_inhibit_max = FNAT_DEF_DC_INHIBIT_MAX;
}

/*
 * Install a complete new configuration (the caller merged the request into a copy of
 * the current one). Checks the result as a whole first; changes nothing on error.
 */
int fnat_config_set(struct fnat_net *fn, const struct fnat_config *upd,
		    struct netlink_ext_ack *extack)
{
	struct fnat_config *cfg = &fn->cfg;

	lockdep_assert_held(&fn->lock);
	if (fnat_port_min(upd->port_range) > fnat_port_max(upd->port_range)) {
		NL_SET_ERR_MSG(extack, "local port range: PORT_MIN is above PORT_MAX");
		return -EINVAL;
	}
	if (upd->dc_fails < 1 || upd->dc_fails > FNAT_DC_FAILS_MAX) {
		NL_SET_ERR_MSG(extack, "dest_check_fails must be 1..1000");
		return -EINVAL;
	}
	if (upd->dc_inhibit_min < 1 || upd->dc_inhibit_max > FNAT_DC_INHIBIT_LIMIT ||
	    upd->dc_inhibit_min > upd->dc_inhibit_max) {
		NL_SET_ERR_MSG(extack,
			       "dest check inhibit periods: 1 <= min <= max <= 86400 seconds");
		return -EINVAL;
	}
	WRITE_ONCE(cfg->timeout_tcp, upd->timeout_tcp);
	WRITE_ONCE(cfg->timeout_tcp_fin, upd->timeout_tcp_fin);
	WRITE_ONCE(cfg->timeout_udp, upd->timeout_udp);
	WRITE_ONCE(cfg->timeout_syn, upd->timeout_syn);
	WRITE_ONCE(cfg->conn_max, upd->conn_max);
	WRITE_ONCE(cfg->port_range, upd->port_range);
	WRITE_ONCE(cfg->toa, upd->toa);
	WRITE_ONCE(cfg->keep_timestamps, upd->keep_timestamps);
	WRITE_ONCE(cfg->expire_rst, upd->expire_rst);
	WRITE_ONCE(cfg->dc_fails, upd->dc_fails);
	WRITE_ONCE(cfg->dc_inhibit_min, upd->dc_inhibit_min);
	WRITE_ONCE(cfg->dc_inhibit_max, upd->dc_inhibit_max);
	return 0;
}

static int __net_init fnat_net_init(struct net *net)
{
	struct fnat_net *fn = fnat_net(net);
	unsigned int i;
	int err;

	fn->net = net;
	mutex_init(&fn->lock);
	for (i = 0; i < FNAT_SVC_TAB_SIZE; i++)
		INIT_HLIST_HEAD(&fn->svc_table[i]);
	INIT_LIST_HEAD(&fn->svc_list);
	fnat_laddr_pool_init(&fn->default_laddrs);
	fn->num_services = 0;
	fn->next_id = 0;
	fn->gen = 1;
	fnat_config_defaults(&fn->cfg);
	atomic_set(&fn->conn_count, 0);
	fn->hash_seed = get_random_u32();
	err = fnat_proc_net_init(net);
	if (err)
		return err;
	fnat_est_start(fn);
	return 0;
}

static void __net_exit fnat_net_exit(struct net *net)
{
	struct fnat_net *fn = fnat_net(net);

	fnat_est_stop(fn);
	fnat_proc_net_exit(net);
	mutex_lock(&fn->lock);
	fnat_svc_flush(fn);
	mutex_unlock(&fn->lock);
	WARN_ON_ONCE(!list_empty(&fn->svc_list));
	WARN_ON_ONCE(!list_empty(&fn->default_laddrs.list));
	mutex_destroy(&fn->lock);
}

static struct pernet_operations fnat_net_ops = {
	.init = fnat_net_init,
	.exit = fnat_net_exit,
	.id = &fnat_net_id,
	.size = sizeof(struct fnat_net),
};

/* Unload: every namespace is flushed; wait for the RCU callbacks that free. */
void fnat_wait_objects(void)
{
	int i;

	for (i = 0; i < 16 && atomic_read(&fnat_live_objects); i++)
		rcu_barrier();
	WARN(atomic_read(&fnat_live_objects), KBUILD_MODNAME ": %d objects leaked\n",
	     atomic_read(&fnat_live_objects));
}

int fnat_netns_init(void)
{
	if (fnat_conn_tab_bits < FNAT_CONN_TAB_BITS_MIN ||
	    fnat_conn_tab_bits > FNAT_CONN_TAB_BITS_MAX) {
		pr_err("conn_tab_bits=%u is outside %u..%u\n", fnat_conn_tab_bits,
		       FNAT_CONN_TAB_BITS_MIN, FNAT_CONN_TAB_BITS_MAX);
		return -EINVAL;
	}
	return register_pernet_subsys(&fnat_net_ops);
}

void fnat_netns_exit(void)
{
	unregister_pernet_subsys(&fnat_net_ops);
}
