// SPDX-License-Identifier: GPL-2.0
/*
 * trusted: a comma-separated list of IPv4 and IPv6 CIDRs (a bare address is a host).
 * A TOA is used only when the segment carrying it comes from one of them; empty, the
 * default, trusts every source. Writable at run time through
 * /sys/module/toa/parameters/trusted: a new list is parsed in full and swapped in with
 * RCU, and anything invalid (bad address, prefix out of range, host bits set, more than
 * TOA_TRUST_MAX entries, empty items) is refused with -EINVAL, keeping the old list.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/inet.h>
#include <linux/inetdevice.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/ipv6.h>

#include "compat.h"
#include "trust.h"

#define TOA_TRUST_MAX 64

struct toa_cidr {
	unsigned short family;
	unsigned char plen;
	union {
		__be32 v4;
		struct in6_addr v6;
	};
};

struct toa_trust {
	struct rcu_head rcu;
	unsigned int n;
	struct toa_cidr cidr[];
};

static struct toa_trust __rcu *toa_trust;
static DEFINE_MUTEX(toa_trust_lock);

bool toa_trusted_v4(__be32 saddr)
{
	const struct toa_trust *t;
	bool ok = true;
	unsigned int i;

	rcu_read_lock();
	t = rcu_dereference(toa_trust);
	if (t) {
		ok = false;
		for (i = 0; i < t->n; i++) {
			const struct toa_cidr *c = &t->cidr[i];

			if (c->family == AF_INET &&
			    !((saddr ^ c->v4) & inet_make_mask(c->plen))) {
				ok = true;
				break;
			}
		}
	}
	rcu_read_unlock();
	return ok;
}

bool toa_trusted_v6(const struct in6_addr *saddr)
{
	const struct toa_trust *t;
	bool ok = true;
	unsigned int i;

	rcu_read_lock();
	t = rcu_dereference(toa_trust);
	if (t) {
		ok = false;
		for (i = 0; i < t->n; i++) {
			const struct toa_cidr *c = &t->cidr[i];

			if (c->family == AF_INET6 &&
			    ipv6_prefix_equal(saddr, &c->v6, c->plen)) {
				ok = true;
				break;
			}
		}
	}
	rcu_read_unlock();
	return ok;
}

/* One item: ADDR or ADDR/PLEN, no spaces inside. */
static int toa_cidr_parse(const char *s, struct toa_cidr *c)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? slash - s : strlen(s);
	const char *end;
	unsigned int plen;
	struct in6_addr masked;

	memset(c, 0, sizeof(*c));
	if (!alen)
		return -EINVAL;
	if (in4_pton(s, alen, (u8 *)&c->v4, -1, &end) && end == s + alen) {
		c->family = AF_INET;
		plen = 32;
	} else if (in6_pton(s, alen, c->v6.s6_addr, -1, &end) && end == s + alen) {
		c->family = AF_INET6;
		plen = 128;
	} else {
		return -EINVAL;
	}
	if (slash) {
		unsigned int max = plen;

		if (kstrtouint(slash + 1, 10, &plen) || plen > max)
			return -EINVAL;
	}
	c->plen = plen;

	/* Host bits set is most likely a typo (203.0.113.7/24 for .7/32): refuse it. */
	if (c->family == AF_INET)
		return (c->v4 & ~inet_make_mask(plen)) ? -EINVAL : 0;
	ipv6_addr_prefix(&masked, &c->v6, plen);
	return ipv6_addr_equal(&masked, &c->v6) ? 0 : -EINVAL;
}

/* A whole list; *out is NULL for an empty one. */
static int toa_trust_parse(const char *val, struct toa_trust **out)
{
	struct toa_trust *t = NULL;
	char *buf, *s, *item;
	unsigned int n = 0;
	int err = 0;

	*out = NULL;
	buf = kstrdup(val, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	s = strim(buf);
	if (!*s)
		goto out;

	t = kzalloc(struct_size(t, cidr, TOA_TRUST_MAX), GFP_KERNEL);
	if (!t) {
		err = -ENOMEM;
		goto out;
	}
	while ((item = strsep(&s, ",")) != NULL) {
		item = strim(item);
		if (n == TOA_TRUST_MAX) {
			err = -EINVAL;
			break;
		}
		err = toa_cidr_parse(item, &t->cidr[n]);
		if (err)
			break;
		n++;
	}
	if (err) {
		kfree(t);
		goto out;
	}
	t->n = n;
	*out = t;
out:
	kfree(buf);
	return err;
}

static int toa_trusted_set(const char *val, const struct kernel_param *kp)
{
	struct toa_trust *t, *old;
	int err;

	err = toa_trust_parse(val, &t);
	if (err) {
		pr_warn("trusted: invalid list refused, the old one stays\n");
		return err;
	}
	mutex_lock(&toa_trust_lock);
	old = rcu_replace_pointer(toa_trust, t, lockdep_is_held(&toa_trust_lock));
	mutex_unlock(&toa_trust_lock);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

static int toa_trusted_get(char *buffer, const struct kernel_param *kp)
{
	const struct toa_trust *t;
	int len = 0;
	unsigned int i;

	mutex_lock(&toa_trust_lock);
	t = rcu_dereference_protected(toa_trust, lockdep_is_held(&toa_trust_lock));
	for (i = 0; t && i < t->n; i++) {
		const struct toa_cidr *c = &t->cidr[i];

		if (c->family == AF_INET)
			len += scnprintf(buffer + len, PAGE_SIZE - len, "%s%pI4/%u",
					 i ? "," : "", &c->v4, c->plen);
		else
			len += scnprintf(buffer + len, PAGE_SIZE - len, "%s%pI6c/%u",
					 i ? "," : "", &c->v6, c->plen);
	}
	mutex_unlock(&toa_trust_lock);
	len += scnprintf(buffer + len, PAGE_SIZE - len, "\n");
	return len;
}

/* At module teardown, after the sysfs file is gone: no reader or writer is left. */
static void toa_trusted_free(void *arg)
{
	kfree(rcu_dereference_protected(toa_trust, 1));
	RCU_INIT_POINTER(toa_trust, NULL);
}

static const struct kernel_param_ops toa_trusted_ops = {
	.set = toa_trusted_set,
	.get = toa_trusted_get,
	.free = toa_trusted_free,
};

module_param_cb(trusted, &toa_trusted_ops, NULL, 0644);
MODULE_PARM_DESC(trusted,
		 "comma-separated IPv4/IPv6 CIDRs whose TOAs are used (empty: trust all); "
		 "set it to the load balancers' local addresses");
