#!/usr/bin/env bash
# Memory pressure: a SYN flood from spoofed sources against a director in a guest with
# little memory (run by tests/run-tests.sh and make fuzz in a `vm-run -m 256` boot; not
# a numbered test, so the main boot does not run it). The connection table must stop
# at the module's global cap — by default 1/16 of RAM's worth of connections — with
# the refusals counted, and the kernel must not OOM-kill anything: userspace can still
# allocate, and everything the flood took is given back.
#
#   client (flooder) ------ director ------ rs1 (a listener: SYNs get SYN-ACKs, so the
#   198.51.100.2            VIP 192.0.2.10   203.0.113.11   connections stay in SYN_RECV
#   sources 198.51.100.128/25 and           LIP 203.0.113.100  until timeout_syn, 600 s)
#   2001:db8:c:1::/64, spoofed
#
# LOWMEM_SYNS: SYNs to send at most (default: 4 x the cap, in rounds of 40000 until the
# cap is reached). The flood: tests/tools/fnat-synflood.
. "$(dirname "$0")/lib.sh"

KO=${FNAT_KO:-$BUILD/ipvs_fnat.ko}
SYNFLOOD=$TOOLBIN/fnat-synflood
SUMMARY=${FUZZ_SUMMARY:-/dev/null}

counter() { on director awk -v k="$1" '$1 == k { print $2 }' /proc/net/ip_vs_fnat_stats; }
meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
oom_events() { dmesg | grep -cE 'invoked oom-killer|Out of memory|oom-kill:'; }

setup() {
	ns_add client
	ns_add director
	ns_add rs1
	link client eth0 director cli0
	link director rs0 rs1 eth0
	addr client eth0 198.51.100.2/24 2001:db8:c::2/64
	addr director cli0 198.51.100.1/24 2001:db8:c::1/64
	addr director rs0 203.0.113.1/24 203.0.113.100/24 2001:db8:5::1/64 2001:db8:5::100/64
	addr rs1 eth0 203.0.113.11/24 2001:db8:5::11/64
	addr director lo 192.0.2.10/32 2001:db8:10::10/128
	router director
	on client ip route add default via 198.51.100.1
	on client ip -6 route add default via 2001:db8:c::1
	on director ip route add 198.51.100.128/25 via 198.51.100.2
	on director ip -6 route add 2001:db8:c:1::/64 via 2001:db8:c::2
	# The real server answers every SYN (syncookies once its backlog is full).
	on rs1 sysctl -q -w net.ipv4.tcp_syncookies=2
	on rs1 "$PY" -c 'import socket, time
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 80)); s.listen(16); time.sleep(3600)' &
	insmod "$KO" || return 1
	at_exit "rmmod ipvs_fnat"
	local f="$FNAT_TOOL"
	on director "$f" -A -t 192.0.2.10:80 -s rr && on director "$f" -a -t 192.0.2.10:80 -r 203.0.113.11 -b &&
		on director "$f" -P -t 192.0.2.10:80 -z 203.0.113.100 &&
		on director "$f" -A -t '[2001:db8:10::10]:80' -s rr &&
		on director "$f" -a -t '[2001:db8:10::10]:80' -r '[2001:db8:5::11]' -b &&
		on director "$f" -P -t '[2001:db8:10::10]:80' -z 2001:db8:5::100 &&
		on director sysctl -q -w net.ipvs_fnat.timeout_syn=600
}

conns_at_least() { [ "$(counter conns)" -ge "$1" ]; }

main() {
	local total cap syns sent=0 round=0 conns lim nomem oom0 avail0 avail1 t0=$SECONDS
	total=$(meminfo MemTotal)
	if [ "$total" -gt 600000 ]; then
		fail "this test needs a small guest (MemTotal ${total} kB): scripts/vm-run -m 256"
		return
	fi
	setup || { fail "setup"; return; }
	cap=$(cat /sys/module/ipvs_fnat/parameters/conn_max_global)
	info "MemTotal $((total / 1024)) MB; the default global cap: $cap connections"
	# 1/16 of RAM in objects of a few hundred bytes: between 1/16/1024 and 1/16/128 per byte.
	check "the default cap follows the memory: MemTotal/16 in connections of 128..1024 bytes ($cap)" \
		test "$cap" -ge $((total * 1024 / 16 / 1024)) -a "$cap" -le $((total * 1024 / 16 / 128))
	oom0=$(oom_events)
	avail0=$(meminfo MemAvailable)
	syns=${LOWMEM_SYNS:-$((4 * cap))}
	# Rounds of SYNs (two senders, one per family) until the cap is reached or every
	# SYN is sent: the guest drops some when the senders outrun the director.
	local dmac pids backlog
	# Bursts the emulated director cannot take at once wait in the backlog.
	backlog=$(sysctl -n net.core.netdev_max_backlog)
	sysctl -q -w net.core.netdev_max_backlog=10000
	at_exit "sysctl -q -w net.core.netdev_max_backlog=$backlog"
	dmac=$(on director cat /sys/class/net/cli0/address)
	while [ "$sent" -lt "$syns" ] && ! conns_at_least "$cap"; do
		round=$((round + 1))
		pids=()
		on client "$SYNFLOOD" --ifname eth0 --dmac "$dmac" --dst 192.0.2.10 --port 80 \
			--spoof 198.51.100.128/25 --count 20000 --rate 2500 --seed "$round" >"$E2E_TMP/f4.out" 2>&1 &
		pids+=($!)
		on client "$SYNFLOOD" --ifname eth0 --dmac "$dmac" --dst 2001:db8:10::10 --port 80 \
			--spoof 2001:db8:c:1::/64 --count 20000 --rate 2500 --seed "$((round + 1000))" >"$E2E_TMP/f6.out" 2>&1 &
		pids+=($!)
		wait "${pids[@]}"
		sent=$((sent + 40000))
		# Let the director catch up with what is queued before counting.
		sleep 2
		info "round $round: $sent SYNs sent ($(cat "$E2E_TMP/f4.out"); $(cat "$E2E_TMP/f6.out")), $(counter conns) connections, $(meminfo MemAvailable) kB available"
	done
	conns=$(counter conns)
	lim=$(counter conn_limit_global)
	nomem=$(counter nomem_drop)
	avail1=$(meminfo MemAvailable)
	info "after $sent SYNs in $((SECONDS - t0)) s: $conns connections (fnat_conn slab: $(slab_active fnat_conn) objects), conn_limit_global $lim, nomem_drop $nomem, MemAvailable $((avail0 / 1024)) -> $((avail1 / 1024)) MB"
	check_eq "the table stops exactly at the global cap" "$cap" "$conns"
	check "the SYNs beyond it were refused and counted in conn_limit_global ($lim)" test "$lim" -gt 0
	check_eq "the kernel OOM-killed nothing" "$oom0" "$(oom_events)"
	check "userspace can still allocate and touch 32 MB" "$PY" -c 'b = bytearray(32 << 20); b[::4096] = b"x" * (len(b) // 4096)'
	check "and memory is left (MemAvailable $((avail1 / 1024)) MB > 32 MB)" test "$avail1" -gt 32768
	echo "low memory ($((total / 1024)) MB guest): cap $cap, $sent SYNs, table at $conns, conn_limit_global $lim, nomem_drop $nomem, MemAvailable $((avail0 / 1024)) -> $((avail1 / 1024)) MB, OOM kills $(($(oom_events) - oom0)), $((SECONDS - t0)) s" >>"$SUMMARY"
	check "ipvs_fnat unloads with the table full" rmmod ipvs_fnat
	check "memory comes back (MemAvailable >= what it was before the flood, less 16 MB)" \
		wait_until 30 sh -c "[ \$(awk '\$1 == \"MemAvailable:\" { print \$2 }' /proc/meminfo) -ge $((avail0 - 16384)) ]"
}

main
finish
