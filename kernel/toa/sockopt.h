/* SPDX-License-Identifier: GPL-2.0 */
/* getsockopt(IPPROTO_IP, TOA_SO_GET_LOOKUP): the TOA of a socket, NAT64 included. */
#ifndef TOA_SOCKOPT_H
#define TOA_SOCKOPT_H

int toa_sockopt_init(void);
void toa_sockopt_exit(void);

#endif /* TOA_SOCKOPT_H */
