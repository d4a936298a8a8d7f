// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: it WARNs as soon as it is loaded. The harness self-test loads it
 * to prove that a guest kernel WARN fails the run (panic_on_warn=1 turns it into a
 * panic, and the console log scan reports it). Not installed, not shipped.
 */
#include <linux/module.h>
#include <linux/bug.h>

static int __init warn_on_load_init(void)
{
	WARN(1, "warn_on_load: deliberate warning for the harness self-test\n");
	return 0;
}

static void __exit warn_on_load_exit(void)
{
}

module_init(warn_on_load_init);
module_exit(warn_on_load_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test-only: WARN on load");
