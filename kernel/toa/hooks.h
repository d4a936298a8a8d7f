/* SPDX-License-Identifier: GPL-2.0 */
/* The kretprobes: TOA in at syn_recv_sock, TOA out at getname. */
#ifndef TOA_HOOKS_H
#define TOA_HOOKS_H

int toa_hooks_init(void);
void toa_hooks_exit(void);

/* Probe hits the kprobes core skipped (nested probe, no free instance). */
unsigned long toa_hooks_missed(void);

#endif /* TOA_HOOKS_H */
