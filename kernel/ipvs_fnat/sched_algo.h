/* SPDX-License-Identifier: GPL-2.0 */
/* The schedulers (sched_algo.c), listed for the registry in sched.c. */
#ifndef IPVS_FNAT_SCHED_ALGO_H
#define IPVS_FNAT_SCHED_ALGO_H

#include "fnat.h"

/* dest->flags bit, beside fnat.h's: over its upper threshold, until it drops below
 * the lower one. Set and cleared by the schedulers only. */
#define FNAT_DEST_F_OVERLOADED	2

#define FNAT_NUM_SCHEDULERS	6
extern const struct fnat_sched_ops fnat_schedulers[FNAT_NUM_SCHEDULERS];

#endif /* IPVS_FNAT_SCHED_ALGO_H */
