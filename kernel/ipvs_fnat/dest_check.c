// SPDX-License-Identifier: GPL-2.0
/*
 * The passive health check of real servers (a service's IPVS_FNAT_SVC_F_DEST_CHECK):
 * what the handshakes of new connections tell about their real server, acted on in
 * milliseconds, between the active checks of keepalived or whatever else runs them.
 *
 * Rules, per destination:
 *   - A connection's first answer from its real server decides once (the
 *     connection's FNAT_CONN_F_DC_DONE bit): a SYN-ACK (TCP) or any datagram (UDP)
 *     is a success; a RST before the SYN-ACK, an ICMP unreachable about it, or the
 *     connection expiring in its handshake (no SYN-ACK within the SYN timeout) is a
 *     failure. A connection that ends otherwise (the client gives up first) tells
 *     nothing.
 *   - dc_fails failures in a row (the namespace's setting, 3 by default) inhibit the
 *     destination: the scheduler passes it over for dc_inhibit_min seconds. Then the
 *     next connection scheduled to it is its trial (TRIAL) and no other is sent
 *     until the trial decides; a trial that fails inhibits it again for twice the
 *     last period, up to dc_inhibit_max; one that succeeds restores it (OK) and the
 *     next inhibit starts again from dc_inhibit_min. A trial that never decides
 *     (the client vanished) lets another go after the SYN timeout.
 *   - Any success restores a destination at once, whatever its state: a handshake
 *     completed is the strongest sign of life. Inhibiting never touches established
 *     connections.
 *   - SET_DEST on the destination, or SET_SERVICE turning DEST_CHECK off, restores
 *     it (fnat_dc_reset()); nothing is kept when the check is off.
 *
 * Locking: struct fnat_dest_check is under its spinlock, taken in softirq (packets,
 * connection timers) and with BHs off from the control plane. The scheduler reads
 * only the FNAT_DEST_F_CHECK bit on its fast path, and state/until with READ_ONCE
 * when the bit is set; a state it reads stale at worst lets one extra connection go
 * to a trial or holds one back for one packet's time.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include "dp.h"

void fnat_dc_init(struct fnat_dest *dest)
{
	spin_lock_init(&dest->check.lock);
	dest->check.state = IPVS_FNAT_DEST_CHECK_OK;
}

static void fnat_dc_reset_locked(struct fnat_dest *dest)
{
	struct fnat_dest_check *dc = &dest->check;

	clear_bit(FNAT_DEST_F_CHECK, &dest->flags);
	WRITE_ONCE(dc->state, IPVS_FNAT_DEST_CHECK_OK);
	dc->fails = 0;
	dc->period = 0;
}

/* Control plane (the mutex): forget what the check learnt about dest. */
void fnat_dc_reset(struct fnat_dest *dest)
{
	spin_lock_bh(&dest->check.lock);
	fnat_dc_reset_locked(dest);
	spin_unlock_bh(&dest->check.lock);
}

void fnat_dc_reset_svc(struct fnat_service *svc)
{
	struct fnat_dest *dest;

	lockdep_assert_held(&svc->fn->lock);
	list_for_each_entry(dest, &svc->dests, list)
		fnat_dc_reset(dest);
}

/*
 * The scheduler's question for a destination the check holds (FNAT_DEST_F_CHECK):
 * may a new connection go to it now? Only when its inhibit period (or its trial's
 * deadline) is over; fnat_dc_conn_new() then makes the connection its trial.
 */
bool fnat_dc_admits(struct fnat_dest *dest)
{
	return time_after_eq(jiffies, READ_ONCE(dest->check.until));
}

/* Inhibit dest for its next period (doubling from the last, within the bounds). */
static void fnat_dc_inhibit_locked(struct net *net, struct fnat_dest *dest)
{
	const struct fnat_config *cfg = &fnat_net(net)->cfg;
	struct fnat_dest_check *dc = &dest->check;
	u32 lo = READ_ONCE(cfg->dc_inhibit_min), hi = READ_ONCE(cfg->dc_inhibit_max);
	u32 period = dc->period ? min_t(u32, dc->period * 2, hi) : lo;

	period = clamp_t(u32, period, lo, hi);
	dc->period = period;
	WRITE_ONCE(dc->until, jiffies + (unsigned long)period * HZ);
	WRITE_ONCE(dc->state, IPVS_FNAT_DEST_CHECK_INHIBITED);
	dc->inhibits++;
	set_bit(FNAT_DEST_F_CHECK, &dest->flags);
	fnat_dp_count(net, FNAT_C_DEST_CHECK_INHIBIT);
}

/*
 * A new connection cp was scheduled to a destination the check holds: if its time
 * has come, cp is the trial, and the next may go only after the trial's deadline.
 * Softirq.
 */
void fnat_dc_conn_new(struct fnat_conn *cp)
{
	struct fnat_dest *dest = cp->dest;
	struct fnat_dest_check *dc = &dest->check;
	struct net *net = fnat_conn_net(cp);

	spin_lock(&dc->lock);
	if (test_bit(FNAT_DEST_F_CHECK, &dest->flags) && time_after_eq(jiffies, dc->until)) {
		u32 syn = READ_ONCE(fnat_net(net)->cfg.timeout_syn);

		WRITE_ONCE(dc->state, IPVS_FNAT_DEST_CHECK_TRIAL);
		WRITE_ONCE(dc->until, jiffies + (unsigned long)syn * HZ + HZ);
		fnat_dp_count(net, FNAT_C_DEST_CHECK_TRIAL);
	}
	spin_unlock(&dc->lock);
}

/* cp's handshake decided (once per connection: the caller checked DC_DONE). */
void __fnat_dc_result(struct fnat_conn *cp, bool ok)
{
	struct fnat_dest *dest = cp->dest;
	struct fnat_dest_check *dc = &dest->check;
	struct net *net = fnat_conn_net(cp);

	/* The usual case, a success on a healthy destination, takes no lock. */
	if (ok && !test_bit(FNAT_DEST_F_CHECK, &dest->flags) && !READ_ONCE(dc->fails))
		return;
	spin_lock(&dc->lock);
	if (ok) {
		if (dc->state != IPVS_FNAT_DEST_CHECK_OK)
			fnat_dp_count(net, FNAT_C_DEST_CHECK_RESTORE);
		fnat_dc_reset_locked(dest);
	} else {
		fnat_dp_count(net, FNAT_C_DEST_CHECK_FAIL);
		if (dc->fails < U32_MAX)
			dc->fails++;
		if (dc->state == IPVS_FNAT_DEST_CHECK_TRIAL ||
		    (dc->state == IPVS_FNAT_DEST_CHECK_OK &&
		     dc->fails >= READ_ONCE(fnat_net(net)->cfg.dc_fails)))
			fnat_dc_inhibit_locked(net, dest);
	}
	spin_unlock(&dc->lock);
}

/* For GET_DEST: a consistent copy. Control plane. */
void fnat_dc_read(struct fnat_dest *dest, struct fnat_dc_snapshot *snap)
{
	struct fnat_dest_check *dc = &dest->check;
	unsigned long now = jiffies;

	spin_lock_bh(&dc->lock);
	snap->state = dc->state;
	snap->fails = dc->fails;
	snap->inhibits = dc->inhibits;
	snap->left_ms = dc->state == IPVS_FNAT_DEST_CHECK_INHIBITED && time_before(now, dc->until) ?
			jiffies_to_msecs(dc->until - now) : 0;
	spin_unlock_bh(&dc->lock);
}
