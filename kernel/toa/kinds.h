/* SPDX-License-Identifier: GPL-2.0 */
/* The `kinds` parameter: the TCP option kinds read as TOA. */
#ifndef TOA_KINDS_H
#define TOA_KINDS_H

#include "toa.h"

/* Under rcu_read_lock() or with preemption off. */
const struct toa_kinds *toa_kinds_current(void);

#endif /* TOA_KINDS_H */
