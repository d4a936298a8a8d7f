// SPDX-License-Identifier: GPL-2.0
/*
 * kinds: the comma-separated TCP option kinds read as TOA, 2 to 255, default 254,253.
 * Writable at run time (swapped in with RCU); an empty or invalid list is refused
 * with -EINVAL and the old one stays. See toa.h for what each kind and length means.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "kinds.h"

struct toa_kinds_rcu {
	struct toa_kinds kinds;
	struct rcu_head rcu;
};

static const struct toa_kinds toa_kinds_builtin = {
	.bits = { [TOA_KIND >> 6] = (1ULL << (TOA_KIND & 63)) |
				    (1ULL << (TOA_KIND_V6_ALT & 63)) },
};

/* NULL: the built-in default. */
static struct toa_kinds_rcu __rcu *toa_kinds_set_by_user;
static DEFINE_MUTEX(toa_kinds_lock);

const struct toa_kinds *toa_kinds_current(void)
{
	const struct toa_kinds_rcu *k = rcu_dereference(toa_kinds_set_by_user);

	BUILD_BUG_ON((TOA_KIND >> 6) != (TOA_KIND_V6_ALT >> 6));

	return k ? &k->kinds : &toa_kinds_builtin;
}

static int toa_kinds_parse(const char *val, struct toa_kinds *kinds)
{
	char *buf, *s, *item;
	unsigned int kind;
	int err = 0;

	toa_kinds_clear(kinds);
	buf = kstrdup(val, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	s = strim(buf);
	if (!*s)
		err = -EINVAL;
	while (!err && (item = strsep(&s, ",")) != NULL) {
		if (kstrtouint(strim(item), 0, &kind) || kind < 2 || kind > 255)
			err = -EINVAL;
		else
			toa_kinds_add(kinds, kind);
	}
	kfree(buf);
	return err;
}

static int toa_kinds_param_set(const char *val, const struct kernel_param *kp)
{
	struct toa_kinds_rcu *k, *old;
	int err;

	k = kzalloc(sizeof(*k), GFP_KERNEL);
	if (!k)
		return -ENOMEM;
	err = toa_kinds_parse(val, &k->kinds);
	if (err) {
		pr_warn("kinds: invalid list refused (kinds 2-255, at least one), the old one stays\n");
		kfree(k);
		return err;
	}
	mutex_lock(&toa_kinds_lock);
	old = rcu_replace_pointer(toa_kinds_set_by_user, k, lockdep_is_held(&toa_kinds_lock));
	mutex_unlock(&toa_kinds_lock);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

static int toa_kinds_param_get(char *buffer, const struct kernel_param *kp)
{
	const struct toa_kinds_rcu *k;
	const struct toa_kinds *kinds;
	int len = 0, kind;

	mutex_lock(&toa_kinds_lock);
	k = rcu_dereference_protected(toa_kinds_set_by_user, lockdep_is_held(&toa_kinds_lock));
	kinds = k ? &k->kinds : &toa_kinds_builtin;
	for (kind = 255; kind >= 2; kind--)
		if (toa_kinds_has(kinds, kind))
			len += scnprintf(buffer + len, PAGE_SIZE - len, "%s%d",
					 len ? "," : "", kind);
	mutex_unlock(&toa_kinds_lock);
	len += scnprintf(buffer + len, PAGE_SIZE - len, "\n");
	return len;
}

static void toa_kinds_param_free(void *arg)
{
	kfree(rcu_dereference_protected(toa_kinds_set_by_user, 1));
	RCU_INIT_POINTER(toa_kinds_set_by_user, NULL);
}

static const struct kernel_param_ops toa_kinds_ops = {
	.set = toa_kinds_param_set,
	.get = toa_kinds_param_get,
	.free = toa_kinds_param_free,
};

module_param_cb(kinds, &toa_kinds_ops, NULL, 0644);
MODULE_PARM_DESC(kinds, "TCP option kinds read as TOA, comma-separated (default 254,253)");
