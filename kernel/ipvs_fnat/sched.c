// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler registry and the lifecycle of a service's scheduler state.
 *
 * Every scheduler a service can name is in fnat_schedulers (sched_algo.c, which
 * also holds the algorithms). What this file guarantees is the life of the
 * per-service state: allocated
 * and initialised before the service (or the scheduler change) becomes visible, told
 * about every change of the destinations, and freed only after an RCU grace period,
 * when no packet can be using it any more.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/string.h>
#include "fnat.h"
#include "sched_algo.h"

const struct fnat_sched_ops *fnat_sched_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fnat_schedulers); i++)
		if (!strcmp(fnat_schedulers[i].name, name))
			return &fnat_schedulers[i];
	return NULL;
}

/* A fresh, initialised state of ops for svc; not published. */
struct fnat_sched_state *fnat_sched_state_new(struct fnat_service *svc,
					      const struct fnat_sched_ops *ops)
{
	struct fnat_sched_state *st;
	int err;

	if (WARN_ON_ONCE(ops->state_size < sizeof(*st)))
		return ERR_PTR(-EINVAL);
	st = kzalloc(ops->state_size, GFP_KERNEL_ACCOUNT);
	if (!st)
		return ERR_PTR(-ENOMEM);
	st->ops = ops;
	if (ops->init) {
		err = ops->init(svc, st);
		if (err) {
			kfree(st);
			return ERR_PTR(err);
		}
	}
	atomic_inc(&fnat_live_objects);
	return st;
}

/* Free a state no reader can see (never published, or past a grace period). */
void fnat_sched_state_free(struct fnat_sched_state *st)
{
	if (!st)
		return;
	if (st->ops->release)
		st->ops->release(st);
	kfree(st);
	atomic_dec(&fnat_live_objects);
}

static void fnat_sched_state_rcu(struct rcu_head *head)
{
	fnat_sched_state_free(container_of(head, struct fnat_sched_state, rcu));
}

/* Free an unpublished state once the readers that may still hold it are gone. */
void fnat_sched_state_free_rcu(struct fnat_sched_state *st)
{
	call_rcu(&st->rcu, fnat_sched_state_rcu);
}

/* The destinations of svc or their weights changed (control mutex held). */
void fnat_sched_update(struct fnat_service *svc)
{
	struct fnat_sched_state *st;

	lockdep_assert_held(&svc->fn->lock);
	st = rcu_dereference_protected(svc->sched, lockdep_is_held(&svc->fn->lock));
	if (st->ops->update)
		st->ops->update(svc, st);
}

/* The name of svc's scheduler; RCU read side or control mutex. */
const char *fnat_sched_name(struct fnat_service *svc)
{
	struct fnat_sched_state *st;

	st = rcu_dereference_check(svc->sched, lockdep_is_held(&svc->fn->lock));
	return st->ops->name;
}
