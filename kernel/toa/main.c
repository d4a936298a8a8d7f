// SPDX-License-Identifier: GPL-2.0
/*
 * toa — makes getpeername() and accept() on a real server return the client address
 * that a FULLNAT director carried in a TCP option.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include "compat.h"

static int __init toa_init(void)
{
	return 0;
}

static void __exit toa_exit(void)
{
}

module_init(toa_init);
module_exit(toa_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Client address from a TCP option (TOA) for getpeername()");
MODULE_VERSION("0.1.0");
