// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: plants one fault on load, chosen by the fault= parameter, so that
 * make test-debug-selftest (tests/debug-kernel/selftest.sh) can prove that the debug
 * kernel's detectors fire and that the harness fails the run naming the right one.
 * Never installed, never shipped. Each fault is the smallest code that has the bug:
 *
 *   none          allocate, lock, free properly: a clean load must pass
 *   uaf           read a kmalloc'd object after kfree()            -> KASAN
 *   lock_order    take mutex a then b, later b then a (one thread, so it never
 *                 deadlocks; lockdep reports the inversion)       -> lockdep
 *   sleep_atomic  msleep() with a spinlock held                   -> atomic-sleep
 *   leak          an object allocated on load, forgotten on unload -> kmemleak
 *   ubsan_shift   1 << 40 on an int                               -> UBSAN
 *
 * The values the faults use go through OPTIMIZER_HIDE_VAR so that the compiler
 * cannot prove the bug at build time and drop or fold the code.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/delay.h>

static char *fault = "none";
module_param(fault, charp, 0444);
MODULE_PARM_DESC(fault, "none, uaf, lock_order, sleep_atomic, leak or ubsan_shift");

static DEFINE_MUTEX(lock_a);
static DEFINE_MUTEX(lock_b);
static DEFINE_SPINLOCK(spin);
static void *leaked;	/* leak: forgotten at unload, so that nothing references it */
static int shift_by = 40;

static int plant_none(void)
{
	char *p = kmalloc(64, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	mutex_lock(&lock_a);
	mutex_lock(&lock_b);
	p[0] = 1;
	mutex_unlock(&lock_b);
	mutex_unlock(&lock_a);
	spin_lock(&spin);
	p[1] = p[0];
	spin_unlock(&spin);
	kfree(p);
	return 0;
}

static int plant_uaf(void)
{
	char *p = kmalloc(64, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	kfree(p);
	OPTIMIZER_HIDE_VAR(p);
	pr_info("read after free: %d\n", READ_ONCE(p[8]));
	return 0;
}

static int plant_lock_order(void)
{
	mutex_lock(&lock_a);
	mutex_lock(&lock_b);
	mutex_unlock(&lock_b);
	mutex_unlock(&lock_a);

	mutex_lock(&lock_b);
	mutex_lock(&lock_a);
	mutex_unlock(&lock_a);
	mutex_unlock(&lock_b);
	return 0;
}

static int plant_sleep_atomic(void)
{
	spin_lock(&spin);
	msleep(1);
	spin_unlock(&spin);
	return 0;
}

static int plant_leak(void)
{
	leaked = kmalloc(128, GFP_KERNEL);
	return leaked ? 0 : -ENOMEM;
}

static int plant_ubsan_shift(void)
{
	int by = shift_by;

	OPTIMIZER_HIDE_VAR(by);
	pr_info("shifted: %d\n", 1 << by);
	return 0;
}

static const struct {
	const char *name;
	int (*plant)(void);
} faults[] = {
	{ "none", plant_none },
	{ "uaf", plant_uaf },
	{ "lock_order", plant_lock_order },
	{ "sleep_atomic", plant_sleep_atomic },
	{ "leak", plant_leak },
	{ "ubsan_shift", plant_ubsan_shift },
};

static int __init debug_faults_init(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(faults); i++) {
		if (!strcmp(fault, faults[i].name)) {
			pr_info("planting fault '%s'\n", fault);
			return faults[i].plant();
		}
	}
	pr_err("unknown fault '%s'\n", fault);
	return -EINVAL;
}

static void __exit debug_faults_exit(void)
{
	/* leak: 'leaked' is deliberately not freed. */
}

module_init(debug_faults_init);
module_exit(debug_faults_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test-only: planted faults for the debug-kernel detectors");
