// SPDX-License-Identifier: GPL-2.0
/*
 * toa — makes getpeername() and accept() on a real server return the client address
 * that a FULLNAT director carried in a TCP option.
 *
 * The pieces, brought up in this order and taken down in the reverse one:
 *   table.c    the per-socket table, and the hook that empties it as sockets die
 *   stats.c    the counters' /proc/net/toa_stats
 *   sockopt.c  getsockopt(IPPROTO_IP, TOA_SO_GET_LOOKUP)
 *   hooks.c    the kretprobes that fill the table and read it at getname
 * trust.c and kinds.c are module parameters, alive from before init to after exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "compat.h"
#include "hooks.h"
#include "sockopt.h"
#include "stats.h"
#include "table.h"

static int __init toa_init(void)
{
	int err;

	err = toa_table_init();
	if (err)
		return err;
	err = toa_stats_init();
	if (err)
		goto err_table;
	err = toa_sockopt_init();
	if (err)
		goto err_stats;
	err = toa_hooks_init();
	if (err)
		goto err_sockopt;
	pr_info("loaded\n");
	return 0;

err_sockopt:
	toa_sockopt_exit();
err_stats:
	toa_stats_exit();
err_table:
	toa_table_exit();
	return err;
}

static void __exit toa_exit(void)
{
	toa_hooks_exit();
	toa_sockopt_exit();
	toa_stats_exit();
	toa_table_exit();
	pr_info("unloaded\n");
}

module_init(toa_init);
module_exit(toa_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Client address from a TCP option (TOA) for getpeername()");
MODULE_VERSION("0.1.0");
