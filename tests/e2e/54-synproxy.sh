#!/usr/bin/env bash
# The SYN proxy (ipvsadm-fnat -A ... -j): the director answers SYNs with cookies and
# opens the real-server connection only on a valid ACK. Handshakes and data both
# ways, IPv4 and IPv6, with and without the client's timestamps, SACK and window
# scaling; a made-up ACK creates nothing; a spoofed SYN flood never reaches the
# table or the real servers while legitimate clients are served; a refusing and an
# absent real server give the client a RST; early data is held and delivered; large
# transfers over a delayed path; unload with half-open proxied connections.
#
#   client ------------- director ----------------------- lan bridge --- rs1 (nginx,
#   198.51.100.2         VIP 192.0.2.10, 2001:db8:10::10 (lo)             toa.ko; echo
#   2001:db8:c::2        LIP 203.0.113.100, 2001:db8:5::100 (rs0)         :7 and :9000)
#   flood sources        198.51.100.128/25 routed to the client (it drops the answers)
#
#   services, all -j:
#     TCP 192.0.2.10:80, [2001:db8:10::10]:80  -> rs1:80   nginx (TOA in its log)
#     TCP 192.0.2.10:7                         -> rs1:7    echo (early data)
#     TCP 192.0.2.10:81                        -> rs1:81   nothing listens: RST
#     TCP 192.0.2.10:82                        -> 203.0.113.99:82: nobody there
. "$(dirname "$0")/lib.sh"

KO=${FNAT_KO:-$BUILD/ipvs_fnat.ko}
TOA_KO=$BUILD/toa.ko
SOCKETS_PY=$TOP/tests/e2e/sockets.py
PROBE=$TOP/tests/e2e/synproxy_probe.py
SYNFLOOD=$TOOLBIN/fnat-synflood
FLOOD_SYNS=${SYNPROXY_FLOOD_SYNS:-40000}

fnat() { on director "$FNAT_TOOL" "$@"; }
counter() { on director awk -v k="$1" '$1 == k { print $2 }' /proc/net/ip_vs_fnat_stats; }
conns() { counter conns; }
conns_are() { [ "$(conns)" = "$1" ]; }
# conns_to PORT: the director's connections to VIP:PORT (v4).
conns_to() { on director grep -c " 192\.0\.2\.10:$1 " /proc/net/ip_vs_fnat_conn; }
no_conns_to() { [ "$(conns_to "$1")" = 0 ]; }
no_conns_to_failing() { no_conns_to 81 && no_conns_to 82; }
# capture_start NS NAME / capture_syns NAME: the connections NS's eth0 received a SYN
# (not a SYN-ACK) for, by addresses and ports: a retransmitted SYN counts once.
capture_start() {
	# ip netns exec execs tcpdump: $! is tcpdump's own pid.
	ip netns exec "$1" tcpdump -Z root -i eth0 -n -U -s 96 -w "$E2E_TMP/$2.pcap" \
		'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn' 2>/dev/null &
	CAPTURE_PID=$!
	wait_until 10 test -s "$E2E_TMP/$2.pcap"
}
capture_syns() {
	sleep 0.5
	kill "$CAPTURE_PID"
	wait "$CAPTURE_PID" 2>/dev/null
	tcpdump -r "$E2E_TMP/$1.pcap" -n 2>/dev/null | awk '{ print $3, $5 }' | sort -u | wc -l
}
mac() { on "$1" cat "/sys/class/net/$2/address"; }
# proxied_are N: N connections wait in SYN_PROXY for their real server.
proxied_are() { [ "$(fnat -L -n -c | grep -c SYN_PROXY)" = "$1" ]; }

# sp_json EXPR: EXPR (Python) over the -L --json document d, with svc(ADDR, PORT) that
# service's synproxy_stats and total(KEY) the sum of KEY over the services.
sp_json() {
	fnat -L -n --json | "$PY" -c "import json, sys
d = json.load(sys.stdin)
def svc(a, p): return next(s['synproxy_stats'] for s in d['services'] if s['address'] == a and s['port'] == p)
def total(k): return sum(s['synproxy_stats'][k] for s in d['services'])
def row(a, p): return ' '.join(str(svc(a, p)[k]) for k in ('syn', 'ack_ok', 'ack_bad', 'rs_fail'))
print($1)"
}

setup() {
	topo_standard
	addr director rs0 203.0.113.100/24 2001:db8:5::100/64
	on client ip route add 198.51.100.128/25 dev eth0
	insmod "$KO" || return 1
	at_exit "rmmod ipvs_fnat 2>/dev/null"
	insmod "$TOA_KO" || return 1
	at_exit "rmmod toa 2>/dev/null"
	nginx_start rs1 rs1 || return 1
	head -c $((8 << 20)) /dev/urandom >"$E2E_TMP/rs1/big"
	on rs1 "$PY" "$SOCKETS_PY" serve 7 600 >"$E2E_TMP/echo.log" 2>&1 &
	wait_until 10 on rs1 ss -Htln 'sport = :7' || return 1
	local s
	for s in 192.0.2.10:80 '[2001:db8:10::10]:80' 192.0.2.10:7 192.0.2.10:81 192.0.2.10:82; do
		fnat -A -t "$s" -s rr -j || return 1
	done
	fnat -a -t 192.0.2.10:80 -r 203.0.113.11:80 -b &&
		fnat -a -t '[2001:db8:10::10]:80' -r '[2001:db8:5::11]:80' -b &&
		fnat -a -t 192.0.2.10:7 -r 203.0.113.11:7 -b &&
		fnat -a -t 192.0.2.10:81 -r 203.0.113.11:81 -b &&
		fnat -a -t 192.0.2.10:82 -r 203.0.113.99:82 -b || return 1
	for s in 192.0.2.10:80 192.0.2.10:7 192.0.2.10:81 192.0.2.10:82; do
		fnat -P -t "$s" -z 203.0.113.100 || return 1
	done
	fnat -P -t '[2001:db8:10::10]:80' -z 2001:db8:5::100 &&
		on director sysctl -q -w net.ipvs_fnat.timeout_tcp_fin=2
}

# client_tcp NAME=VALUE...: the client's TCP options (net.ipv4.tcp_*, both families).
client_tcp() { on client sysctl -q -w "${@/#/net.ipv4.tcp_}"; }

# --- (a) handshakes and data ------------------------------------------------------------

get() { on client curl -sS -m "$(scaled 10)" "$1"; }

test_handshake() {
	local what=$1 syn0 ok0 out
	syn0=$(counter synproxy_syn)
	ok0=$(counter synproxy_ack_ok)
	out=$(get http://192.0.2.10/)
	check_eq "$what, IPv4: the real server answers and sees the client (TOA)" \
		"rs1 198.51.100.2" "$out"
	out=$(get 'http://[2001:db8:10::10]/')
	check_eq "$what, IPv6: the real server answers and sees the client (TOA)" \
		"rs1 2001:db8:c::2" "$out"
	check_eq "$what: two SYN-ACKs with a cookie (synproxy_syn)" 2 \
		$(($(counter synproxy_syn) - syn0))
	check_eq "$what: two cookies checked (synproxy_ack_ok)" 2 \
		$(($(counter synproxy_ack_ok) - ok0))
	out=$(on client curl -sS -m "$(scaled 30)" http://192.0.2.10/big | sha256sum | cut -d' ' -f1)
	check_eq "$what: 8 MB download, sha256 equal" "$(sha256sum <"$E2E_TMP/rs1/big" | cut -d' ' -f1)" "$out"
	out=$(on client "$PY" "$SOCKETS_PY" roundtrip 192.0.2.10 7 262144 "$(scaled 20)" 2>&1)
	check_eq "$what: 256 KB up to an echo server come back equal" "ok 262144" "$out"
}

test_handshakes() {
	test_handshake "timestamps, SACK, window scaling"
	client_tcp timestamps=0
	test_handshake "no timestamps"
	client_tcp timestamps=1 sack=0 window_scaling=0
	test_handshake "timestamps, no SACK, no window scaling"
	client_tcp sack=1 window_scaling=1
	local out
	out=$(on client "$PY" "$PROBE" synack 198.51.100.2 192.0.2.10 80)
	info "the director's SYN-ACK: $out"
	check "the SYN-ACK offers a zero window, window scale 7, SACK and timestamps" \
		grep -q '^flags=SA window=0 mss=[0-9]* wscale=7 sack=True ts=True$' <<<"$out"
}

# --- (a2) one LIP:lport, reused while the real server holds its TIME_WAIT -------------

rs_paws() { on rs1 awk '/^TcpExt:/ { if (!h) { for (i = 2; i <= NF; i++) k[i] = $i; h = 1 }
	else for (i = 2; i <= NF; i++) if (k[i] ~ /^PAWS/) n += $i } END { print n + 0 }' /proc/net/netstat; }
rs_time_wait_on_lport() { on rs1 ss -Htan state time-wait '( dport = :40000 )' | grep -q 203.0.113.100; }

test_port_reuse() {
	local ts i ok paws0 out
	on director sysctl -q -w net.ipvs_fnat.local_port_range="40000 40000"
	for ts in 1 0; do
		client_tcp timestamps=$ts
		paws0=$(rs_paws)
		ok=0
		for i in 1 2 3; do
			wait_until 20 no_conns_to 80
			# nginx closes first (Connection: close): rs1 keeps the TIME_WAIT.
			out=$(on client curl -s -m "$(scaled 10)" -H 'Connection: close' http://192.0.2.10/)
			[ "$out" = "rs1 198.51.100.2" ] && ok=$((ok + 1))
		done
		check "client timestamps $ts: three connections over the one LIP:lport are served ($ok)" \
			test "$ok" = 3
		check "...rs1 holds that LIP:lport in TIME_WAIT, so each reused it" rs_time_wait_on_lport
		check_eq "...and rs1's PAWS check never rejected a segment (TcpExt PAWS*)" "$paws0" "$(rs_paws)"
	done
	client_tcp timestamps=1
	on director sysctl -q -w net.ipvs_fnat.local_port_range="1024 65535"
}

# --- (b) what the client gets wrong -----------------------------------------------------

test_bad_ack() {
	local bad0 new0 out svc_bad0
	bad0=$(counter synproxy_ack_bad)
	svc_bad0=$(sp_json "svc('192.0.2.10', 80)['ack_bad']")
	new0=$(counter conn_new)
	# The probes' connections are scapy's: the client's kernel, which knows nothing of
	# them, must not reset them.
	on client nft -f - <<-EOF
		table inet probe {
			chain out { type filter hook output priority 0; tcp flags rst drop; }
		}
	EOF
	capture_start rs1 badack
	out=$(on client "$PY" "$PROBE" badack 198.51.100.2 192.0.2.10 80)
	check_eq "an ACK with a made-up cookie gets no answer" silent "$out"
	check_eq "...is counted in synproxy_ack_bad" 1 $(($(counter synproxy_ack_bad) - bad0))
	check_eq "...and in its service's ack_bad (-L --json synproxy_stats)" 1 \
		$(($(sp_json "svc('192.0.2.10', 80)['ack_bad']") - svc_bad0))
	check_eq "...creates no connection (conn_new)" "$new0" "$(counter conn_new)"
	check_eq "...and sends nothing to the real server (SYNs seen by rs1)" 0 "$(capture_syns badack)"
	local ok0 dd0 nc0
	ok0=$(counter synproxy_ack_ok) dd0=$(counter synproxy_data_dropped) nc0=$(counter no_conn_drop)
	ip netns exec director tcpdump -Z root -i any -n -U -s 200 -w "$E2E_TMP/early.pcap" 'tcp port 7' 2>/dev/null &
	local tpid=$!
	wait_until 10 test -s "$E2E_TMP/early.pcap"
	out=$(on client "$PY" "$PROBE" early 198.51.100.2 192.0.2.10 7)
	sleep 0.5
	kill "$tpid"
	wait "$tpid" 2>/dev/null
	check_eq "data on the handshake's ACK is held and delivered: the echo comes back" \
		"early data" "$out"
	[ "$out" = "early data" ] ||
		tcpdump -r "$E2E_TMP/early.pcap" -n -v 2>/dev/null | sed 's/^/     | /' | tail -n 40
	info "early data: synproxy_ack_ok +$(($(counter synproxy_ack_ok) - ok0)), synproxy_data_dropped +$(($(counter synproxy_data_dropped) - dd0)), no_conn_drop +$(($(counter no_conn_drop) - nc0)); $(grep -c . "$E2E_TMP/echo.log") echo sessions ended"
	ok0=$(counter synproxy_ack_ok) bad0=$(counter synproxy_ack_bad)
	out=$(on client "$PY" "$PROBE" lostack 198.51.100.2 192.0.2.10 7)
	check "a lost handshake ACK: the client's zero-window probe opens the connection, data is echoed ($out)" \
		grep -q '^window=[1-9][0-9]* echo=after a lost ACK$' <<<"$out"
	check_eq "...the probe counted in synproxy_ack_ok, not _ack_bad" "1 0" \
		"$(($(counter synproxy_ack_ok) - ok0)) $(($(counter synproxy_ack_bad) - bad0))"
	on client nft delete table inet probe
}

# --- (c) real servers that refuse or are absent -----------------------------------------

test_rs_fail() {
	local f0 out t0
	f0=$(counter synproxy_rs_fail)
	out=$(on client curl -sS -m "$(scaled 10)" http://192.0.2.10:81/ 2>&1)
	# Reset at once: curl says so, or finds the connection refused when it looks.
	check "a refusing real server: the client's connection is reset ($out)" \
		grep -qiE 'reset|refused|connect to server' <<<"$out"
	check_eq "...counted in synproxy_rs_fail" 1 $(($(counter synproxy_rs_fail) - f0))
	on director sysctl -q -w net.ipvs_fnat.timeout_syn=3
	t0=$SECONDS
	out=$(on client curl -sS -m "$(scaled 30)" http://192.0.2.10:82/ 2>&1)
	check "an absent real server: after the SYN's retransmissions (timeout_syn 3) the client is reset ($out, $((SECONDS - t0)) s)" \
		grep -qi 'reset' <<<"$out"
	check_eq "...counted in synproxy_rs_fail" 2 $(($(counter synproxy_rs_fail) - f0))
	on director sysctl -q -w net.ipvs_fnat.timeout_syn=60
	check "the failed connections leave the table" \
		wait_until 30 no_conns_to_failing
}

# --- (c1) each service's own share of the counters --------------------------------------

test_service_counters() {
	local k rs0
	check_eq "the refusing real server's service: syn ack_ok ack_bad rs_fail" "1 1 0 1" \
		"$(sp_json "row('192.0.2.10', 81)")"
	check_eq "the absent real server's service: syn ack_ok ack_bad rs_fail" "1 1 0 1" \
		"$(sp_json "row('192.0.2.10', 82)")"
	for k in syn ack_ok ack_bad rs_fail data_dropped; do
		check_eq "the services' $k add up to the namespace's synproxy_$k" \
			"$(counter "synproxy_$k")" "$(sp_json "total('$k')")"
	done
	check_eq "-L --stats: the counters under the refusing server's service" \
		"  synproxy: syn 1 ack_ok 1 ack_bad 0 rs_fail 1 data_dropped 0" \
		"$(fnat -L -n --stats | grep -A1 '^TCP  192\.0\.2\.10:81 ' | tail -n 1)"
	rs0=$(counter synproxy_rs_fail)
	check "-Z -t zeroes one service" fnat -Z -t 192.0.2.10:81
	check_eq "...its SYN proxy counters with the others" "0 0 0 0" "$(sp_json "row('192.0.2.10', 81)")"
	check_eq "...not another service's" "1 1 0 1" "$(sp_json "row('192.0.2.10', 82)")"
	check_eq "...nor the namespace's" "$rs0" "$(counter synproxy_rs_fail)"
}

# --- (c2) conn_max applies when the entry is made --------------------------------------

test_conn_max() {
	local cl0 out
	check "the table empties" wait_until 60 conns_are 0
	on director sysctl -q -w net.ipvs_fnat.conn_max=1
	cl0=$(counter conn_limit)
	rm -f "$E2E_TMP/hold.go"
	on client "$PY" "$SOCKETS_PY" hold "$E2E_TMP/hold.go" 1 192.0.2.10:7 >"$E2E_TMP/hold.out" 2>&1 &
	local hpid=$!
	check "conn_max 1: one proxied connection is held" wait_until 30 grep -q '^held 1' "$E2E_TMP/hold.out"
	out=$(on client curl -sS -m "$(scaled 10)" http://192.0.2.10/ 2>&1)
	check "...a second client's valid ACK is refused with a RST ($out)" \
		grep -qiE 'reset|refused|connect to server' <<<"$out"
	check_eq "...counted in conn_limit" 1 $(($(counter conn_limit) - cl0))
	touch "$E2E_TMP/hold.go"
	wait "$hpid"
	check_eq "...and the held connection still echoes" "still 1" "$(tail -n 1 "$E2E_TMP/hold.out")"
	on director sysctl -q -w net.ipvs_fnat.conn_max=0
}

# --- (d) a spoofed SYN flood ----------------------------------------------------------

test_flood() {
	local pid legit n ok max=0 c c0 new0 new1 syns sent
	new0=$(counter conn_new)
	c0=$(conns)
	capture_start rs1 flood
	# ip netns exec execs the tool: $! is the flood itself.
	ip netns exec client "$SYNFLOOD" --ifname eth0 --dmac "$(mac director cli0)" \
		--count "$FLOOD_SYNS" --seed 7 --rate 2000 --spoof 198.51.100.128/25 \
		--dst 192.0.2.10 --port 80 >"$E2E_TMP/flood.out" 2>&1 &
	pid=$!
	# The legitimate clients: two, each one request after another for as long as the
	# flood lasts (two, so that a slow kernel still makes enough requests to count).
	on client bash -c "loop() { while kill -0 $pid 2>/dev/null; do
		curl -s -m $(scaled 5) -o /dev/null -w '%{http_code} %{time_total}\n' http://192.0.2.10/; done; }
		loop & loop & wait" >"$E2E_TMP/legit.out" 2>&1 &
	legit=$!
	while kill -0 "$pid" 2>/dev/null; do
		c=$(conns)
		[ "${c:-0}" -gt "$max" ] && max=$c
		sleep 0.2
	done
	wait "$pid" "$legit"
	new1=$(counter conn_new)
	syns=$(capture_syns flood)
	n=$(grep -c . "$E2E_TMP/legit.out")
	ok=$(grep -c '^200 ' "$E2E_TMP/legit.out")
	info "flood: $(cat "$E2E_TMP/flood.out"); $ok of $n requests served; largest table $max (from $c0); request times $(awk '{ printf "%s ", $2 }' "$E2E_TMP/legit.out"); conn_new +$((new1 - new0)); rs1 saw $syns SYNs"
	# AF_PACKET: a frame the veth's queue refuses is dropped, not retried (a few
	# hundred under the debug kernel); the flood is what was sent.
	sent=$(sed -n 's/^sent=\([0-9]*\) .*/\1/p' "$E2E_TMP/flood.out")
	check "the flood was sent: at least 99 % of $FLOOD_SYNS SYNs (${sent:-none})" \
		test "${sent:-0}" -ge $((FLOOD_SYNS * 99 / 100))
	check "at least 99 % of the legitimate requests during the flood succeed ($ok of $n)" \
		test "$n" -ge 10 -a $((ok * 100)) -ge $((n * 99))
	check "the flood made no connection: one per legitimate request (conn_new +$((new1 - new0)), $n requests)" \
		test $((new1 - new0)) -le "$n"
	check "...and the table never grew by more than the requests made ($c0 -> $max)" \
		test $((max - c0)) -le "$n"
	check "the real server saw a SYN for the legitimate requests only ($syns connections, $n requests)" \
		test "$syns" -le "$n"
}

# --- (e) a delayed path -----------------------------------------------------------------

test_delayed() {
	local sum want
	on client tc qdisc add dev eth0 root netem delay 25ms
	on director tc qdisc add dev cli0 root netem delay 25ms
	want=$(sha256sum <"$E2E_TMP/rs1/big" | cut -d' ' -f1)
	sum=$(on client curl -sS -m "$(scaled 120)" http://192.0.2.10/big | sha256sum | cut -d' ' -f1)
	check_eq "50 ms RTT: 8 MB download, sha256 equal" "$want" "$sum"
	sum=$(on client "$PY" "$SOCKETS_PY" roundtrip 192.0.2.10 7 $((4 << 20)) "$(scaled 120)" 2>&1)
	check_eq "50 ms RTT: 4 MB up to an echo server come back equal" "ok $((4 << 20))" "$sum"
	on client tc qdisc del dev eth0 root
	on director tc qdisc del dev cli0 root
}

# --- (f) unload with half-open proxied connections ---------------------------------------

test_unload_half_open() {
	local i
	on director sysctl -q -w net.ipvs_fnat.timeout_syn=60
	local pids=()
	for i in 1 2 3; do
		on client curl -s -m 30 -o /dev/null http://192.0.2.10:82/ &
		pids+=($!)
	done
	check "three connections wait in SYN_PROXY for an absent server" wait_until 20 proxied_are 3
	check "ipvs_fnat unloads with them" rmmod ipvs_fnat
	wait "${pids[@]}"
}

if setup; then
	test_handshakes
	test_port_reuse
	test_bad_ack
	test_rs_fail
	test_service_counters
	test_conn_max
	test_flood
	test_delayed
	test_unload_half_open
else
	fail "setup"
fi
finish
