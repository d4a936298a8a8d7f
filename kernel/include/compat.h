/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernel versions this project builds against is kept
 * here, so that the rest of the code is written for one kernel API. The reference
 * kernel is Debian 12's 6.1.
 */
#ifndef IPVS_FNAT_COMPAT_H
#define IPVS_FNAT_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "ipvs-fullnat needs Linux 6.1 or newer"
#endif

#endif /* IPVS_FNAT_COMPAT_H */
