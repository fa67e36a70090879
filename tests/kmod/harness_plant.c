// SPDX-License-Identifier: GPL-2.0
/*
 * harness_plant.c - plants a kernel warning on load, so that the VM
 * harness's self-test can prove that a kernel WARN fails a run even when
 * the test itself reports success.  Loaded only inside test guests.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init harness_plant_init(void)
{
	pr_info("harness_plant: planting a WARN_ON\n");
	WARN_ON(1);
	return 0;
}

static void __exit harness_plant_exit(void)
{
}

module_init(harness_plant_init);
module_exit(harness_plant_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zpoolx VM harness self-test: plants a kernel warning");
