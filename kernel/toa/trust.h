/* SPDX-License-Identifier: GPL-2.0 */
/* The `trusted` parameter: the sources whose TOAs are believed. */
#ifndef TOA_TRUST_H
#define TOA_TRUST_H

#include <linux/in6.h>
#include <linux/types.h>

/* Under rcu_read_lock() or with preemption off. An empty list trusts everyone. */
bool toa_trusted_v4(__be32 saddr);
bool toa_trusted_v6(const struct in6_addr *saddr);

#endif /* TOA_TRUST_H */
