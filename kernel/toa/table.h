/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-socket TOA table: entries keyed by the socket's address, bound when the
 * child socket is created, removed when it is destroyed.
 */
#ifndef TOA_TABLE_H
#define TOA_TABLE_H

#include <net/sock.h>
#include "toa.h"

enum toa_lookup {
	TOA_LOOKUP_NONE,	/* no entry for this socket */
	TOA_LOOKUP_OK,		/* entry found, *out filled in */
	TOA_LOOKUP_STALE,	/* entry found, but recorded for another connection */
};

int toa_table_bind(struct sock *sk, const struct toa_data *toa);
enum toa_lookup toa_table_lookup(const struct sock *sk, struct toa_data *out);

int toa_table_init(void);
void toa_table_exit(void);

#endif /* TOA_TABLE_H */
