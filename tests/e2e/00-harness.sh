#!/usr/bin/env bash
# The test bed itself: the standard topology routes traffic, both modules load and
# unload cleanly, and the guest is what the harness promises.
#
#   client ---- director (router) ---- lan bridge ---- rs1, rs2
#   198.51.100.2   198.51.100.1 | 203.0.113.1           203.0.113.11, .12
#   2001:db8:c::2  2001:db8:c::1 | 2001:db8:5::1        2001:db8:5::11, ::12
. "$(dirname "$0")/lib.sh"

test_guest() {
	check "guest runs the Debian 6.1 kernel" grep -q '^6\.1\.' <(uname -r)
	check "panic_on_warn is set" grep -qx 1 /proc/sys/kernel/panic_on_warn
	# The debug kernel of make test-debug boots without slub_debug: KASAN checks every
	# slab access there (scripts/debug-kernel --vm-args).
	check "slab checks are on: slub_debug, or KASAN on the debug kernel" \
		sh -c "grep -q 'slub_debug=FZPU' /proc/cmdline || grep -q ' kasan_report\$' /proc/kallsyms"
	check "no network device but loopback" test "$(ls /sys/class/net)" = lo
}

test_modules() {
	check "ipvs_fnat.ko loads" insmod "$BUILD/ipvs_fnat.ko"
	check "toa.ko loads" insmod "$BUILD/toa.ko"
	check "ipvs_fnat.ko unloads" rmmod ipvs_fnat
	check "toa.ko unloads" rmmod toa
}

test_routing() {
	topo_standard
	rs_route_via_director
	check "client pings rs1 over IPv4 through the director" on client ping -c1 -W2 203.0.113.11
	check "client pings rs2 over IPv6 through the director" on client ping -6 -c1 -W2 2001:db8:5::12
	on rs1 socat -t5 -T5 TCP-LISTEN:7000,reuseaddr,fork EXEC:'echo hello-from-rs1' &
	wait_until 5 on rs1 ss -Htln 'sport = :7000'
	check_eq "TCP through the director" hello-from-rs1 \
		"$(on client socat -t5 -T5 - TCP:203.0.113.11:7000 </dev/null 2>&1)"
	on rs1 ip route del 198.51.100.0/24 via 203.0.113.1
	check_fails "rs1 cannot reach the client without the route" on rs1 ping -c1 -W1 198.51.100.2
	cleanup
}

test_guest
test_modules
test_routing
finish
