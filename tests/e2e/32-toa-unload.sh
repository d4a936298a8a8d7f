#!/usr/bin/env bash
# toa.ko loaded and unloaded again and again under load: the load balancer keeps opening
# connections with TOAs, the real server keeps accepting them and asking getpeername().
# Nothing may crash or WARN (the harness watches the kernel log), no entry may leak, and
# every address the server sees must be either the TOA's client or the load balancer.
#
#   toalb: the load balancer                       toars: the real server
#   (toa_flood x2, raw sockets)                    (toa.ko; toa_server --load x2)
#   eth0 203.0.113.100/24 ------------------------ eth0 203.0.113.11/24
#                                                    :8100 AF_INET listener
#                                                    :8101 [::] listener (IPv4 clients
#                                                          through tcp_v6_syn_recv_sock)
#                                                    :8102 a listener that never accepts
#
#   The TOAs name clients in 198.51.100.0/24.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/toa_lib.sh"

CYCLES=${TOA_UNLOAD_CYCLES:-6}

# at_least COUNTER N: the counter has reached N
at_least() { [ "$(toa_stat "$1")" -ge "$2" ]; }

test_unload_under_load() {
	local i bad=0
	toa_load_start
	for ((i = 1; i <= CYCLES; i++)); do
		insmod "$TOA_KO" || bad=1
		# Under load: TOAs bound and returned, then out it goes.
		wait_until 60 at_least getname_toa_ok 20 || bad=1
		rmmod toa || bad=1
		sleep 0.3
	done
	if [ $bad = 0 ]; then pass "$CYCLES load/unload cycles under load"; else
		fail "$CYCLES load/unload cycles under load"
	fi

	# Once more in, then the load stops: every entry must be freed as the last
	# sockets close.
	check "toa.ko loads under load" insmod "$TOA_KO"
	check "TOAs are being bound and returned" wait_until 60 at_least getname_toa_ok 50
	toa_load_stop
	check "entries_alloc == entries_free after the last socket closes" wait_until 60 entries_balanced
	info "$(on toars cat /proc/net/toa_stats | tr '\n' ' ')"
	check_eq "no allocation failed" 0 "$(toa_stat entries_alloc_failed)"
	check_eq "no stale entry was ever found" 0 "$(toa_stat entries_stale)"
	check "toa.ko unloads" rmmod toa

	local port f
	for port in 8100 8101; do
		f=$TOA_TMP/server$port.out
		info "port $port: server $(cat "$f"); injector $(cat "$TOA_TMP/flood$port.out")"
		check "port $port: connections were accepted with TOAs" grep -Eq ' toa=[1-9]' "$f"
		check "port $port: connections were accepted without toa.ko" grep -Eq ' lb=[1-9]' "$f"
		check "port $port: no peer was ever anything but the client or the load balancer" \
			grep -q ' other=0 ' "$f"
		# They may disagree only for a connection accepted just before toa.ko came
		# or went and asked getpeername() just after: at most one per server
		# thread per transition.
		check "port $port: accept() and getpeername() agreed but across a load or unload" \
			test "$(sed -n 's/.* inconsistent=\([0-9]*\) .*/\1/p' "$f")" -le $((2 * 2 * (CYCLES + 1)))
	done
}

# idle_children N PORT: a listener on 8102 that never accepts, and up to N connections
# with TOAs, from source ports PORT.., left in its accept queue (the injector gives up on
# them after 3 s).
idle_children() {
	ip netns exec toars "$TOA_SERVER" --listen 203.0.113.11 --port 8102 --no-accept 2>/dev/null &
	IDLE=$!
	wait_until 30 listening 8102 || fail "the idle listener listens"
	ip netns exec toalb "$TOA_FLOOD" --src 203.0.113.100 --dst 203.0.113.11 --port 8102 \
		--window "$1" --duration 1 --mark $TOA_MARK --sport-base "$2" --sport-count 100 >/dev/null
}

live_entries() { echo $(($(toa_stat entries_alloc) - $(toa_stat entries_free))); }

# Children nobody ever accepted lose their entries when the listener goes; an unload
# frees those of sockets still open.
test_never_accepted() {
	local n
	check "toa.ko loads" insmod "$TOA_KO"
	idle_children 4 5000
	n=$(live_entries)
	info "$n entries for children in the accept queue"
	check "children nobody accepted have entries" test "$n" -ge 1
	kill -TERM $IDLE
	wait $IDLE
	check "closing the listener frees them: entries_alloc == entries_free" wait_until 30 entries_balanced

	idle_children 4 6000
	check "children nobody accepted have entries again" test "$(live_entries)" -ge 1
	n=$(dmesg | grep -c 'toa: freed the TOAs of [0-9]* sockets still open')
	check "toa.ko unloads with entries of open sockets" rmmod toa
	check "the unload freed them" test "$(dmesg | grep -c 'toa: freed the TOAs of [0-9]* sockets still open')" -gt "$n"
	kill -TERM $IDLE
	wait $IDLE
}

toa_topology
test_never_accepted
test_unload_under_load
finish
