// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs_fnat — an IPVS-style FULLNAT load balancer.
 *
 * This file only starts the subsystems in order at load and stops them in the
 * reverse order at unload; each concern lives in its own file.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include "compat.h"

static int __init ipvs_fnat_init(void)
{
	return 0;
}

static void __exit ipvs_fnat_exit(void)
{
}

module_init(ipvs_fnat_init);
module_exit(ipvs_fnat_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("FULLNAT load balancing with client address in a TCP option");
MODULE_VERSION("0.1.0");
