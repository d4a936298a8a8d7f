#!/usr/bin/env bash
# One planted fault (tests/kmod/debug_faults, fault=$FAULT) loaded and unloaded in the
# debug-kernel guest, as an e2e file: tests/e2e/run.sh's scanners then judge the kernel
# log and kmemleak. Run once per fault by tests/debug-kernel/selftest.sh; never part of
# the e2e suite.
. "$(dirname "$0")/../e2e/lib.sh"

FAULT=${FAULT:-none}
KO=$BUILD/test/debug_faults.ko

check "insmod debug_faults.ko fault=$FAULT" insmod "$KO" fault="$FAULT"
check "rmmod debug_faults" rmmod debug_faults
finish
