#!/usr/bin/env bash
# Passive health checks (ipvsadm-fnat -A ... --dest-check): a real server whose new
# connections fail in the handshake K times in a row (net.ipvs_fnat.dest_check_fails)
# is inhibited, gets no new connection for a period that doubles on every repeat, then
# one trial connection whose success restores it. With the SYN proxy, a real server's
# refusal is retried once on another, and the client sees nothing.
#
#   client ------------- director ----------------------- lan bridge --- rs1, rs2 (nginx)
#   198.51.100.2         VIP 192.0.2.10 (lo)                              203.0.113.11, .12
#                        LIP 203.0.113.100 (rs0)
#
#   TCP 192.0.2.10:80  rr --dest-check       -> rs1:80, rs2:80
#   TCP 192.0.2.10:81  rr -j --dest-check    -> rs1:80, rs2:80   (the SYN proxy)
#   TCP 192.0.2.10:82  rr                    -> rs1:80, rs2:80   (no check: control)
#   UDP 192.0.2.10:53  rr --dest-check       -> rs1:53, rs2:53   (echo on rs2 only)
#
# rs1 "fails" by an nftables rule on its input, so that connections already open keep
# going: SYNs to port 80 answered by a RST (refused), dropped (silent), or answered by
# an ICMP port unreachable; for the SYN proxy, its nginx is stopped. The inhibit
# periods are 4 s doubling to 16 s here, times E2E_TIME_FACTOR (on the debug kernel a
# request is slower, and a period must outlast the requests that test it).
. "$(dirname "$0")/lib.sh"

KO=${FNAT_KO:-$BUILD/ipvs_fnat.ko}
SOCKETS_PY=$TOP/tests/e2e/sockets.py
K=3
INHIBIT_S=$((4 * ${E2E_TIME_FACTOR:-1}))

fnat() { on director "$FNAT_TOOL" "$@"; }
counter() { on director awk -v k="$1" '$1 == k { print $2 }' /proc/net/ip_vs_fnat_stats; }

# dest_json PORT ADDR EXPR: EXPR (Python) over the "check" object c of real server ADDR
# of TCP (or with PROTO=udp, UDP) service 192.0.2.10:PORT in -L --json.
dest_json() {
	fnat -L -n --json | "$PY" -c "import json, sys
d = json.load(sys.stdin)
s = next(s for s in d['services'] if s['port'] == $1 and s['protocol'] == '${PROTO:-tcp}'.upper())
c = next(r['check'] for r in s['destinations'] if r['address'] == '$2')
print($3)"
}
state_of() { dest_json "$1" "$2" "c['state']"; }
state_is() { [ "$(state_of "$1" "$2")" = "$3" ]; }
# listing_line PORT ADDR: the real server's line of -L -n under TCP VIP:PORT.
listing_line() {
	fnat -L -n | awk -v s="TCP  192.0.2.10:$1 " -v r="  -> $2:" '
		index($0, s) == 1 { on = 1; next } /^(TCP|UDP) / { on = 0 } on && index($0, r) == 1'
}

# rs1_fail HOW: rs1 answers new connections to :80 with HOW (reset, drop, icmp), or
# takes them again with "none". Established connections are not touched.
rs1_fail() {
	on rs1 nft delete table inet dc 2>/dev/null
	local verdict
	case "$1" in
	reset) verdict="reject with tcp reset" ;;
	drop) verdict="drop" ;;
	icmp) verdict="reject with icmpx port-unreachable" ;;
	none) return 0 ;;
	esac
	on rs1 nft -f - <<NFT
table inet dc {
	chain input {
		type filter hook input priority 0;
		tcp dport 80 tcp flags & (syn | ack) == syn $verdict
	}
}
NFT
}

# curls PORT N: N requests one after the other; prints each outcome, "ok:rsN" or "fail".
curls() {
	local i out
	for ((i = 0; i < $2; i++)); do
		out=$(on client curl -s -m "$(scaled 5)" "http://192.0.2.10:$1/") && echo "ok:${out%% *}" ||
			echo fail
	done
}

setup() {
	topo_standard
	addr director rs0 203.0.113.100/24
	insmod "$KO" || return 1
	at_exit "rmmod ipvs_fnat 2>/dev/null"
	nginx_start rs1 rs1 && nginx_start rs2 rs2 || return 1
	on rs2 "$PY" "$SOCKETS_PY" serve_udp 53 >/dev/null 2>&1 &
	on director sysctl -q -w net.ipvs_fnat.dest_check_inhibit_min=$INHIBIT_S \
		net.ipvs_fnat.dest_check_inhibit_max=$((4 * INHIBIT_S)) net.ipvs_fnat.timeout_syn=3 || return 1
	fnat -A -t 192.0.2.10:80 -s rr --dest-check &&
		fnat -A -t 192.0.2.10:81 -s rr -j --dest-check &&
		fnat -A -t 192.0.2.10:82 -s rr &&
		fnat -A -u 192.0.2.10:53 -s rr --dest-check || return 1
	local s p
	for s in 80 81 82; do
		for p in 1 2; do
			fnat -a -t "192.0.2.10:$s" -r "203.0.113.1$p:80" || return 1
		done
	done
	fnat -a -u 192.0.2.10:53 -r 203.0.113.11:53 && fnat -a -u 192.0.2.10:53 -r 203.0.113.12:53 &&
		fnat -P -z 203.0.113.100
}

# A keep-alive connection to rs1 through :80, opened before rs1 starts refusing: it
# asks again every half second (under nginx's keep-alive timeout) until told to stop,
# then writes how many of those requests rs1 answered, and how many went unanswered.
held_open() {
	on client "$PY" - "$@" <<'PY' &
import socket, sys, time

def ask(s):
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    return "rs1 " in s.recv(4096).decode(errors="replace")

deadline = time.time() + 60
while time.time() < deadline:
    s = socket.create_connection(("192.0.2.10", 80), timeout=5)
    if ask(s):
        break
    s.close()
open(sys.argv[1], "w").write("open\n")
served = lost = 0
while not open(sys.argv[2]).read().strip():
    try:
        if ask(s):
            served += 1
        else:
            lost += 1
    except OSError:
        lost += 1
        break
    time.sleep(0.5)
open(sys.argv[1], "a").write("served %d lost %d\n" % (served, lost))
PY
	HELD_PID=$!
}

# --- (a) a refusing real server: RST to the SYN -------------------------------------------

test_refused() {
	local out fails fail0 inh0 left last
	: >"$E2E_TMP/held.go"
	held_open "$E2E_TMP/held.state" "$E2E_TMP/held.go"
	check "a keep-alive connection to rs1 is open" wait_until 30 grep -q open "$E2E_TMP/held.state"
	fail0=$(counter dest_check_fail) inh0=$(counter dest_check_inhibit)
	rs1_fail reset
	out=$(curls 80 10)
	left=$(dest_json 80 203.0.113.11 "c['inhibit_left_ms']")
	fails=$(grep -c fail <<<"$out")
	info "10 requests while rs1 refuses: $(echo $out)"
	check "rs1's inhibit period (${INHIBIT_S} s) is running: ${left} ms left" \
		test "$left" -gt 0 -a "$left" -le $((INHIBIT_S * 1000))
	check "at most $K client connections fail ($fails)" test "$fails" -ge 1 -a "$fails" -le $K
	last=$(tail -n 4 <<<"$out" | sort -u | tr '\n' ' ')
	check_eq "...then none: the last 4 all go to rs2" "ok:rs2 " "$last"
	check_eq "rs1 is inhibited (--json)" inhibited "$(state_of 80 203.0.113.11)"
	check_eq "rs2 is not" ok "$(state_of 80 203.0.113.12)"
	check "-L marks rs1's line \"inhibited\"" eval 'listing_line 80 203.0.113.11 | grep -q " inhibited$"'
	check_eq "-L -n and /proc/net/ip_vs_fnat agree" "$(on director cat /proc/net/ip_vs_fnat)" \
		"$(fnat -L -n)"
	check_eq "counted: $K failures (dest_check_fail), one inhibit" "$K 1" \
		"$(($(counter dest_check_fail) - fail0)) $(($(counter dest_check_inhibit) - inh0))"
	echo go >"$E2E_TMP/held.go"
	wait "$HELD_PID"
	check "the connection opened before is served by rs1 all along ($(tail -n 1 "$E2E_TMP/held.state"))" \
		eval 'tail -n 1 "$E2E_TMP/held.state" | grep -Eq "^served [1-9][0-9]* lost 0$"'
	check_eq "the service without --dest-check keeps sending to rs1 (one of two fail)" 1 \
		"$(curls 82 2 | grep -c fail)"
}

# --- (b) a failed trial doubles the period; a successful one restores ------------------

test_trial() {
	local out trial0 rest0 left
	trial0=$(counter dest_check_trial) rest0=$(counter dest_check_restore)
	check "rs1's period ends: a trial may go" wait_until 10 eval \
		'[ "$(dest_json 80 203.0.113.11 "c[\"inhibit_left_ms\"]")" = 0 ]'
	out=$(curls 80 2)
	check_eq "the trial to rs1 still refused: one of two fails" 1 "$(grep -c fail <<<"$out")"
	check_eq "inhibited again (2nd time)" "inhibited 2" \
		"$(dest_json 80 203.0.113.11 "c['state'] + ' ' + str(c['inhibits'])")"
	left=$(dest_json 80 203.0.113.11 "c['inhibit_left_ms']")
	check "for twice as long ($((2 * INHIBIT_S)) s): ${left} ms left" \
		test "$left" -gt $((INHIBIT_S * 1000)) -a "$left" -le $((2 * INHIBIT_S * 1000))
	check_eq "one trial counted" 1 $(($(counter dest_check_trial) - trial0))
	rs1_fail none
	check "rs1 takes connections again; after its period the trial restores it" wait_until 20 eval \
		'curls 80 1 >/dev/null; state_is 80 203.0.113.11 ok'
	check_eq "...counted in dest_check_restore" 1 $(($(counter dest_check_restore) - rest0))
	out=$(curls 80 4 | sort | uniq -c | awk '{ print $1 $2 }' | tr '\n' ' ')
	check_eq "rr shares again: 2 and 2" "2ok:rs1 2ok:rs2 " "$out"
	check "-L: no mark on rs1 any more" eval '! listing_line 80 203.0.113.11 | grep -q "inhibited\|trial"'
}

# --- (c) silence and ICMP, an operator's word, the check turned off ----------------------

test_silent_and_icmp() {
	local fail0 res
	fail0=$(counter dest_check_fail)
	rs1_fail icmp
	res=$(curls 80 8)
	check "ICMP port unreachable: at most $K fail, rs1 inhibited" eval \
		'[ "$(grep -c fail <<<"$res")" -le $K ] && state_is 80 203.0.113.11 inhibited'
	check "-e (SET_DEST) restores rs1 at once" fnat -e -t 192.0.2.10:80 -r 203.0.113.11:80 -w 1
	check_eq "...its state is ok, its failures forgotten" "ok 0" \
		"$(dest_json 80 203.0.113.11 "c['state'] + ' ' + str(c['fails'])")"
	rs1_fail drop
	fail0=$(counter dest_check_fail)
	# Silence: the connection expires in its handshake (timeout_syn 3 s after the
	# client's last SYN) after curl gave up.
	res=$(curls 80 2)
	check "no SYN-ACK within the SYN timeout counts as a failure" wait_until 30 eval \
		'[ $(($(counter dest_check_fail) - fail0)) -ge 1 ]'
	info "2 requests while rs1 drops SYNs: $(echo $res)"
	check "-E without --dest-check turns it off and restores rs1" eval \
		'fnat -E -t 192.0.2.10:80 -s rr && state_is 80 203.0.113.11 ok'
	check_eq "-L: no \" dest-check\" on the service line" "TCP  192.0.2.10:80 rr" \
		"$(fnat -L -n | grep '^TCP  192.0.2.10:80 ')"
	fnat -E -t 192.0.2.10:80 -s rr --dest-check
	rs1_fail none
}

# --- (d) UDP: ICMP port unreachable from a real server without a listener -------------

test_udp() {
	local ok
	# Eight datagrams, each from a socket of its own (a new connection each), one
	# second apart (rs1's kernel rate-limits its unreachables).
	ok=$(on client "$PY" - <<'PY'
import socket
ok = 0
for _ in range(8):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1)
    s.sendto(b"ping", ("192.0.2.10", 53))
    try:
        ok += s.recv(16) == b"ping"
    except OSError:
        pass
    s.close()
print(ok)
PY
)
	check "UDP: rs1 has no listener and is inhibited by its ICMP answers" eval \
		'PROTO=udp state_is 53 203.0.113.11 inhibited'
	check "UDP: rs2 answers, and stays ok ($ok of 8 answered)" eval \
		'[ $ok -ge 4 ] && PROTO=udp state_is 53 203.0.113.12 ok'
}

# --- (e) the SYN proxy: a refusal is retried on another real server ----------------------

test_synproxy_retry() {
	local out retry0 rsfail0
	retry0=$(counter synproxy_rs_retry) rsfail0=$(counter synproxy_rs_fail)
	# This time nginx itself stops: rs1's kernel refuses with a RST.
	kill "$(cat "$E2E_TMP/rs1/nginx.pid")"
	wait_until 10 eval '! on rs1 ss -Htln "sport = :80" | grep -q .'
	out=$(curls 81 10)
	info "10 requests through the SYN proxy while rs1's nginx is stopped: $(echo $out)"
	check_eq "no client connection fails" 0 "$(grep -c fail <<<"$out")"
	check_eq "every one served by rs2" "ok:rs2 " "$(sort -u <<<"$out" | tr '\n' ' ')"
	check "the refusals were retried (synproxy_rs_retry), none reset the client" eval \
		'[ $(($(counter synproxy_rs_retry) - retry0)) -ge 1 ] && [ "$(counter synproxy_rs_fail)" = "$rsfail0" ]'
	check_eq "rs1 is inhibited on the proxied service too" inhibited "$(state_of 81 203.0.113.11)"
	nginx_start rs1 rs1
	check "nginx on rs1 back: restored after its inhibit period" wait_until 30 eval \
		'curls 81 1 >/dev/null; state_is 81 203.0.113.11 ok'
	check "the module unloads with the check's state" rmmod ipvs_fnat
}

if setup; then
	test_refused
	test_trial
	test_silent_and_icmp
	test_udp
	test_synproxy_retry
else
	fail "setup"
fi
finish
