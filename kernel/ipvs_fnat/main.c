// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs_fnat — an IPVS-style FULLNAT load balancer.
 *
 * This file only starts the subsystems in order at load and stops them in the
 * reverse order at unload; each concern lives in its own file.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/rcupdate.h>
#include <net/genetlink.h>
#include "fnat.h"
#include "dp.h"
#include "sync.h"

static int __init ipvs_fnat_init(void)
{
	int err;

	/* Per-namespace state (and /proc/net/ip_vs_fnat) before any request can come. */
	err = fnat_netns_init();
	if (err)
		return err;
	/* The sync daemons' workqueue, before any request can start one. */
	err = fnat_sync_init();
	if (err)
		goto err_netns;
	/* The packet path after the control plane's state, before any request. */
	err = fnat_dp_init();
	if (err)
		goto err_sync;
	err = fnat_genl_init();
	if (err)
		goto err_dp;
	pr_info("FULLNAT version %s loaded (connection table size %u)\n",
		FNAT_VERSION_STR, fnat_conn_tab_size());
	return 0;

err_dp:
	fnat_dp_exit();
err_sync:
	fnat_sync_exit();
err_netns:
	fnat_netns_exit();
	fnat_wait_objects();
	fnat_dp_free();
	return err;
}

static void __exit ipvs_fnat_exit(void)
{
	/* No request runs after this; dumps in progress hold a module reference. */
	fnat_genl_exit();
	/* Unhooks every namespace, stops its sync daemons and expires its
	 * connections... */
	fnat_dp_exit();
	fnat_sync_exit();
	/* ...then empties its tables. */
	fnat_netns_exit();
	/* Objects are freed from (possibly chained) RCU callbacks: wait for all,
	 * connections included, before their cache and table go. */
	fnat_wait_objects();
	fnat_dp_free();
}

module_init(ipvs_fnat_init);
module_exit(ipvs_fnat_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("FULLNAT load balancing with client address in a TCP option");
MODULE_VERSION(FNAT_VERSION_STR);
MODULE_ALIAS_GENL_FAMILY(IPVS_FNAT_GENL_NAME);
