#!/usr/bin/env bash
# The test bed under runtime text patching: the kernel's own kprobes and kretprobes
# (tracefs kprobe_events, no module of ours loaded) on the four functions toa.ko hooks,
# switched on and off again and again while a server accepts connections and asks
# getpeername(). Each switch rewrites the functions' ftrace call sites while the other
# CPU runs them — what loading or unloading toa.ko under load does.
#
# This guards the harness, not toa.ko: under QEMU 7.2's multi-threaded TCG the guest
# jumped to address 0 or spun in inet6_getname within 3 to ~80 switches (scripts/vm-run
# explains VM_TCG_THREAD); a kernel or emulator that does that cannot judge toa.ko's
# unload tests. The kernel log scan fails the run on the oops or lockup.
#
#   toalb: connections with TOAs               toars: toa_server --load (accept +
#   (toa_flood)                                getpeername, AF_INET and [::] listeners)
#   eth0 203.0.113.100/24 -------------------- eth0 203.0.113.11/24
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/toa_lib.sh"

CYCLES=${TEXT_PATCH_CYCLES:-24}
TRACEFS=/sys/kernel/tracing
HOOKED="inet_getname inet6_getname tcp_v4_syn_recv_sock tcp_v6_syn_recv_sock"

# all_fired: every probe defined has fired (kprobe_profile: name, hits, misses)
all_fired() { awk '$2 == 0 { z = 1 } END { exit (NR == 0 || z) }' "$TRACEFS/kprobe_profile"; }

# switch_probes TYPE: TYPE is p (kprobe) or r (kretprobe); on, until they fire, off
switch_probes() {
	local f ok=0
	for f in $HOOKED; do
		echo "$1:text_patch_$f $f" >>"$TRACEFS/kprobe_events" || return 1
	done
	echo 1 >"$TRACEFS/events/kprobes/enable" || return 1
	wait_until 10 all_fired && ok=1
	echo 0 >"$TRACEFS/events/kprobes/enable" &&
		echo >"$TRACEFS/kprobe_events" && echo >"$TRACEFS/trace" && [ $ok = 1 ]
}

# opens: connections the real server's TCP has completed (PassiveOpens in its netns)
opens() { on toars awk '$1 == "Tcp:" && !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next }
	$1 == "Tcp:" { print $c["PassiveOpens"] }' /proc/net/snmp; }
opens_above() { [ "$(opens)" -gt "$1" ]; }

test_probe_churn() {
	local i bad=0
	mountpoint -q $TRACEFS || mount -t tracefs nodev $TRACEFS
	at_exit "echo 0 > $TRACEFS/events/kprobes/enable; echo > $TRACEFS/kprobe_events"
	toa_load_start
	check "connections complete before any probe" wait_until 30 opens_above 20
	for ((i = 1; i <= CYCLES; i++)); do
		if ((i % 2)); then switch_probes p || bad=1; else switch_probes r || bad=1; fi
	done
	if [ $bad = 0 ]; then pass "$CYCLES probe switches on the hooked functions under load, each probe fired"; else
		fail "$CYCLES probe switches on the hooked functions under load, each probe fired"
	fi
	local before port
	before=$(opens)
	check "connections still complete after them" wait_until 30 opens_above "$before"
	toa_load_stop
	for port in 8100 8101; do
		info "port $port: $(cat "$TOA_TMP/server$port.out")"
		check "port $port: the server accepted connections throughout" \
			grep -Eq '^accepted=[1-9]' "$TOA_TMP/server$port.out"
	done
}

toa_topology
test_probe_churn
finish
