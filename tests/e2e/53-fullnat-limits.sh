#!/usr/bin/env bash
# FULLNAT limits and tunables: the net.ipvs_fnat.* sysctls (per namespace, the same
# settings as netlink's SET/GET_CONFIG), local port exhaustion, conn_max, RST on
# expiry, and many short connections reusing a few local ports while the real
# server still holds them in TIME_WAIT.
#
#   client ------------- director ----------------------- lan bridge --- rs1, rs2
#   198.51.100.2         VIP 192.0.2.10, 2001:db8:10::10 (lo)             203.0.113.11, .12
#   2001:db8:c::2        LIP 203.0.113.100, 2001:db8:5::100 (rs0)         2001:db8:5::11
#
#   services (all through the one LIP of their family):
#     TCP 192.0.2.10:8080        -> rs1:8080  echo server, connections held open (b, c)
#     TCP 192.0.2.10:8081        -> rs1:8081  echo server reporting resets (d)
#     TCP [2001:db8:10::10]:8081 -> [rs1]:8081                            (d, IPv6)
#     TCP 192.0.2.10:80          -> rs2:80    nginx                       (b, e)
#   "other": an empty namespace whose sysctls must stay its own (a).
#
# The real servers have no route to the client network: replies come back to the LIP.
. "$(dirname "$0")/lib.sh"

KO=${FNAT_KO:-$BUILD/ipvs_fnat.ko} # FNAT_KO: test another build of the module
TCP_PY=$TOP/tests/e2e/sockets.py
SHORT_CONNS=${E2E_SHORT_CONNS:-2000}

fnat() { on director "$FNAT_TOOL" "$@"; }
# fsys NS NAME: a sysctl's value; fset NS NAME=VALUE...: set them (fails on error).
# (Processes are what costs under emulation: one per call, however many values.)
fsys() { on "$1" sysctl -n "net.ipvs_fnat.$2"; }
fset() {
	local ns=$1 a args=()
	shift
	for a in "$@"; do args+=("net.ipvs_fnat.$a"); done
	on "$ns" sysctl -q -w "${args[@]}"
}
# counter NAME: a line of the director's /proc/net/ip_vs_fnat_stats.
counter() { on director awk -v k="$1" '$1 == k { print $2 }' /proc/net/ip_vs_fnat_stats; }
# conns_to PORT: the director's connections to a virtual port, in any state.
conns_to() {
	on director awk -v p=":$1" 'NR > 1 && substr($3, length($3) - length(p) + 1) == p' \
		/proc/net/ip_vs_fnat_conn | wc -l
}
no_conns_to() { [ "$(conns_to "$1")" = 0 ]; }
conns_to_is() { [ "$(conns_to "$1")" = "$2" ]; }
conns_are() { [ "$(counter conns)" = "$1" ]; }
pyc() { on client "$PY" "$TCP_PY" "$@"; }

setup() {
	topo_standard
	ns_add other
	addr director rs0 203.0.113.100/24 2001:db8:5::100/64
	insmod "$KO" || return 1
	at_exit "rmmod ipvs_fnat"
	on rs1 "$PY" "$TCP_PY" serve 8080 600 >"$E2E_TMP/serve8080.log" 2>&1 &
	on rs1 "$PY" "$TCP_PY" serve 8081 30 >"$E2E_TMP/serve8081.log" 2>&1 &
	wait_until 10 on rs1 ss -Htln 'sport = :8080' || return 1
	wait_until 10 on rs1 ss -Htln 'sport = :8081' || return 1
	nginx_start rs2 rs2 || return 1

	fnat -A -t 192.0.2.10:8080 -s rr && fnat -a -t 192.0.2.10:8080 -r 203.0.113.11:8080 -b &&
		fnat -P -t 192.0.2.10:8080 -z 203.0.113.100 &&
		fnat -A -t 192.0.2.10:8081 -s rr && fnat -a -t 192.0.2.10:8081 -r 203.0.113.11:8081 -b &&
		fnat -P -t 192.0.2.10:8081 -z 203.0.113.100 &&
		fnat -A -t '[2001:db8:10::10]:8081' -s rr &&
		fnat -a -t '[2001:db8:10::10]:8081' -r '[2001:db8:5::11]:8081' -b &&
		fnat -P -t '[2001:db8:10::10]:8081' -z 2001:db8:5::100 &&
		fnat -A -t 192.0.2.10:80 -s rr && fnat -a -t 192.0.2.10:80 -r 203.0.113.12:80 -b &&
		fnat -P -t 192.0.2.10:80 -z 203.0.113.100
}

# --- (a) sysctls: per namespace, the same settings as netlink ----------------------------

SYSCTLS="conn_max dest_check_fails dest_check_inhibit_max dest_check_inhibit_min expire_rst keep_timestamps local_port_range timeout_syn timeout_tcp timeout_tcp_fin timeout_udp toa"

# Every sysctl of NS as "name=value" on one line (the port range's tab as a space).
sysctl_state() {
	# shellcheck disable=SC2016,SC2086
	on "$1" bash -c 'for n; do read -r v <"/proc/sys/net/ipvs_fnat/$n"; printf "%s=%s " "$n" "$v"; done' \
		_ $SYSCTLS | tr '\t' ' '
	echo
}

# The netlink view of NS's configuration (GET_CONFIG through ipvsadm-fnat --json).
netlink_state() {
	on "$1" "$FNAT_TOOL" -L --timeout --json | "$PY" -c '
import json, sys
c = {k: int(v) for k, v in json.load(sys.stdin).items()}  # switches come as booleans
print("conn_max=%(conn_max)s dest_check_fails=%(dest_check_fails)s "
      "dest_check_inhibit_max=%(dest_check_inhibit_max)s dest_check_inhibit_min=%(dest_check_inhibit_min)s "
      "expire_rst=%(expire_rst)s keep_timestamps=%(keep_timestamps)s "
      "local_port_range=%(port_min)s %(port_max)s timeout_syn=%(timeout_syn)s "
      "timeout_tcp=%(timeout_tcp)s timeout_tcp_fin=%(timeout_tcp_fin)s "
      "timeout_udp=%(timeout_udp)s toa=%(toa)s " % c)'
}

DEFAULTS="conn_max=0 dest_check_fails=3 dest_check_inhibit_max=3600 dest_check_inhibit_min=5 expire_rst=1 keep_timestamps=0 local_port_range=1024 65535 timeout_syn=60 timeout_tcp=900 timeout_tcp_fin=120 timeout_udp=300 toa=1 "

test_sysctl_present() {
	check_eq "net.ipvs_fnat has its twelve sysctls" "$SYSCTLS" \
		"$(on director ls /proc/sys/net/ipvs_fnat | sort | paste -sd' ')"
	check_eq "director: the defaults" "$DEFAULTS" "$(sysctl_state director)"
	check_eq "director: netlink GET_CONFIG reports the same" "$DEFAULTS" "$(netlink_state director)"
}

test_sysctl_write() {
	local want
	check "director: every sysctl takes a new value" \
		fset director timeout_tcp=111 timeout_tcp_fin=22 timeout_udp=33 timeout_syn=4 \
		conn_max=5000 "local_port_range=2000 2999" toa=0 keep_timestamps=1 expire_rst=0 \
		dest_check_fails=7 dest_check_inhibit_max=20 dest_check_inhibit_min=10
	want="conn_max=5000 dest_check_fails=7 dest_check_inhibit_max=20 dest_check_inhibit_min=10 expire_rst=0 keep_timestamps=1 local_port_range=2000 2999 timeout_syn=4 timeout_tcp=111 timeout_tcp_fin=22 timeout_udp=33 toa=0 "
	check_eq "director: sysctl reads them back" "$want" "$(sysctl_state director)"
	check_eq "director: netlink GET_CONFIG sees the sysctl writes" "$want" "$(netlink_state director)"
	check_eq "director: ipvsadm-fnat -L --timeout shows them" \
		"Timeout (tcp tcpfin udp): 111 22 33" "$(fnat -L --timeout)"
	check_eq "other namespace: untouched defaults" "$DEFAULTS" "$(sysctl_state other)"

	# And the other way: netlink SET_CONFIG (0 leaves a timeout as it is).
	on other "$FNAT_TOOL" --set 44 0 55
	check_eq "other: sysctl sees ipvsadm-fnat --set 44 0 55" "44 120 55" \
		"$(fsys other timeout_tcp) $(fsys other timeout_tcp_fin) $(fsys other timeout_udp)"
	check_eq "director: untouched by the other namespace's --set" "$want" "$(sysctl_state director)"
	fnat --set 7 0 0
	check_eq "director: ipvsadm-fnat --set 7 0 0 shows in net.ipvs_fnat.timeout_tcp" 7 \
		"$(fsys director timeout_tcp)"
}

test_sysctl_invalid() {
	local before errs
	before=$(sysctl_state director)
	errs=$(on director "$PY" "$TCP_PY" write /proc/sys/net/ipvs_fnat \
		timeout_tcp=0 timeout_tcp=31536001 timeout_tcp=-1 timeout_tcp=abc \
		timeout_tcp_fin=0 timeout_udp=0 timeout_syn=99999999999 conn_max=-1 \
		conn_max=4294967296 toa=2 keep_timestamps=-1 expire_rst=7 \
		"local_port_range=3000 2000" "local_port_range=0 100" "local_port_range=1 65536" \
		"local_port_range=-5 10" dest_check_fails=0 dest_check_fails=1001 \
		dest_check_inhibit_min=0 dest_check_inhibit_max=86401 dest_check_inhibit_min=30 | paste -sd' ')
	check_eq "21 invalid writes are refused with EINVAL (an inhibit min above the max among them)" \
		"$(printf 'EINVAL %.0s' {1..21})" "$errs "
	check_eq "...and change nothing" "$before" "$(sysctl_state director)"
	check_eq "...and netlink still agrees" "$before" "$(netlink_state director)"
	check_eq "a one-port range is valid" "ok" \
		"$(on director "$PY" "$TCP_PY" write /proc/sys/net/ipvs_fnat "local_port_range=3000 3000")"
}

# Permissions follow the netlink family's: CAP_NET_ADMIN over the user namespace that
# owns the network namespace. An unprivileged user (nobody) who unshares a user and a
# network namespace owns that namespace's sysctls; from a user namespace of its own
# in the director's namespace it may read them, not write them (nor --set). (Root
# mapped to root would not show it: /proc/sys writes are judged by the global uid.)
UNPRIV=(setpriv --reuid=65534 --regid=65534 --clear-groups)
test_sysctl_userns() {
	check_eq "nobody's own user+network namespace: its root sets net.ipvs_fnat.timeout_tcp" 77 \
		"$("${UNPRIV[@]}" unshare -U -r -n sh -c \
			'sysctl -q -w net.ipvs_fnat.timeout_tcp=77 && sysctl -n net.ipvs_fnat.timeout_tcp')"
	check "nobody in a user namespace, in the director's namespace: sysctls readable" \
		on director "${UNPRIV[@]}" unshare -U -r sysctl -n net.ipvs_fnat.timeout_tcp
	check_fails "...but not writable" \
		on director "${UNPRIV[@]}" unshare -U -r sysctl -q -w net.ipvs_fnat.timeout_tcp=5
	check_fails "...as netlink --set is refused" \
		on director "${UNPRIV[@]}" unshare -U -r "$FNAT_TOOL" --set 5 0 0
	check_eq "...the director's value is unchanged" 7 "$(fsys director timeout_tcp)"
}

# A namespace that goes away takes its sysctls with it (pernet exit).
test_sysctl_netns_exit() {
	ns_add gone
	fset gone conn_max=3
	ip netns del gone
	check_eq "a namespace with sysctls set is deleted cleanly; the others keep theirs" 0 \
		"$(fsys other conn_max)"
}

# Settings for the traffic scenarios: timeouts short enough that closed connections
# leave the table within seconds (held connections echo every second, so they never
# go idle). A connection's timer, once re-armed for ESTABLISHED, is not pulled in when
# the connection closes, so a closed connection may stay up to timeout_tcp: the
# recovery waits allow for it.
traffic_defaults() {
	fset director timeout_tcp=10 timeout_tcp_fin=2 timeout_syn=1 conn_max=0 \
		"local_port_range=1024 65535" toa=1 keep_timestamps=0 expire_rst=1 "$@"
}

# --- (b) local port exhaustion -------------------------------------------------------------

# hold_start N NAME: N connections to VIP:8080 held by a client until hold_release NAME.
hold_start() {
	rm -f "$E2E_TMP/$2.go"
	pyc hold "$E2E_TMP/$2.go" "$1" 192.0.2.10:8080 >"$E2E_TMP/$2.out" 2>&1 &
	wait_until 30 grep -q '^held ' "$E2E_TMP/$2.out"
}
hold_release() {
	touch "$E2E_TMP/$1.go"
	wait_until 30 grep -q '^still ' "$E2E_TMP/$1.out"
}

test_port_exhaustion() {
	local np0 np1
	traffic_defaults "local_port_range=20000 20002"
	np0=$(counter no_port)
	hold_start 3 ex1
	check_eq "3 ports, 1 LIP, 1 RS: 3 connections open and held" "held 3" "$(head -n 1 "$E2E_TMP/ex1.out")"
	check_fails "the 4th connection is refused (connect times out)" pyc echo 192.0.2.10 8080 3
	np1=$(counter no_port)
	check "...and counted as no_port ($np0 -> $np1)" test "$np1" -gt "$np0"
	check_eq "the director still holds exactly 3 connections to :8080" 3 "$(conns_to 8080)"
	check "another real server through the same LIP and ports still works" \
		grep -q '^rs2 ' <(on client curl -s -m 5 http://192.0.2.10/)
	hold_release ex1
	check_eq "the 3 held connections still carried data after the refusals" "still 3" \
		"$(tail -n 1 "$E2E_TMP/ex1.out")"
	check "after they close, the director forgets them" wait_until 40 no_conns_to 8080
	hold_start 3 ex2
	check_eq "recovery: 3 new connections open again" "held 3" "$(head -n 1 "$E2E_TMP/ex2.out")"
	hold_release ex2
	info "no_port counted $((np1 - np0)) refused SYNs"
	wait_until 40 no_conns_to 8080
}

# --- (c) conn_max ----------------------------------------------------------------------------

test_conn_max() {
	local cl0 cl1
	traffic_defaults
	wait_until 40 conns_are 0
	fset director conn_max=2
	cl0=$(counter conn_limit)
	hold_start 2 cm1
	check_eq "conn_max 2: 2 connections open and held" "held 2" "$(head -n 1 "$E2E_TMP/cm1.out")"
	check_fails "a 3rd connection is refused" pyc echo 192.0.2.10 8080 3
	check_fails "...to any service of the namespace" on client curl -s -m 3 -o /dev/null http://192.0.2.10/
	cl1=$(counter conn_limit)
	check "...counted as conn_limit ($cl0 -> $cl1)" test "$cl1" -gt "$cl0"
	check_eq "conns in /proc/net/ip_vs_fnat_stats is 2" 2 "$(counter conns)"
	hold_release cm1
	check_eq "the held connections still carried data" "still 2" "$(tail -n 1 "$E2E_TMP/cm1.out")"
	check "after they close and expire, the count drops to 0" wait_until 40 conns_are 0
	hold_start 2 cm2
	check_eq "recovery: 2 new connections open again" "held 2" "$(head -n 1 "$E2E_TMP/cm2.out")"
	hold_release cm2
	info "conn_limit counted $((cl1 - cl0)) refused SYNs"
	fset director conn_max=0
	wait_until 40 conns_are 0
}

# --- (d) RST on expiry -----------------------------------------------------------------------

resets_seen_by_rs() { grep -cx reset "$E2E_TMP/serve8081.log"; }
resets_seen_by_rs_are() { [ "$(resets_seen_by_rs)" = "$1" ]; }

test_rst_on_expiry() {
	local fam=$1 vip=$2 r0 r1 out rs0 lport rs_socks
	traffic_defaults timeout_tcp=3
	r0=$(counter expire_rst)
	rs0=$(resets_seen_by_rs)
	# An echoed connection left idle past timeout_tcp: what the client sees in 8 s.
	out=$(pyc idle "$vip" 8081 8)
	r1=$(counter expire_rst)
	check "$fam, expire_rst=1: the idle client gets a reset after timeout_tcp ($out)" \
		grep -qE '^reset after [2-7]\.' <<<"$out"
	check "$fam: the real server's socket is reset too" \
		wait_until 5 resets_seen_by_rs_are $((rs0 + 1))
	check_eq "$fam: two RSTs counted in expire_rst" 2 "$((r1 - r0))"
	check_eq "$fam: none failed" 0 "$(counter expire_rst_fail)"
	check "$fam: the connection left the table" wait_until 5 no_conns_to 8081

	# The client idles twice timeout_tcp: the connection must expire from the director
	# while the client still holds it (on a slow kernel the client's start, the polls
	# and the timer take longer, hence both stretched).
	fset director expire_rst=0 timeout_tcp="$(scaled 3)"
	pyc idle "$vip" 8081 "$(scaled 6)" >"$E2E_TMP/idle0.out" 2>&1 &
	wait_until 15 conns_to_is 8081 1
	# The real server sees the connection from LIP:lport.
	lport=$(on director awk 'NR > 1 && $3 ~ /:8081$/ { n = split($4, a, ":"); print a[n] }' \
		/proc/net/ip_vs_fnat_conn)
	check "$fam, expire_rst=0: the idle connection is in the director's table (from :$lport)" \
		test -n "$lport"
	check "$fam, expire_rst=0: the idle connection expires from the director" \
		wait_until 10 no_conns_to 8081
	rs_socks=$(on rs1 ss -Htna 'sport = :8081')
	info "$fam, expire_rst=0: rs1's sockets on :8081 after expiry:"
	printf '%s\n' "$rs_socks" | sed 's/^/     : /'
	check_eq "$fam, expire_rst=0: after expiry the real server still has its connection (from :$lport)" 1 \
		"$(awk -v p=":${lport:-0}" '$1 == "ESTAB" && substr($5, length($5) - length(p) + 1) == p' <<<"$rs_socks" | wc -l)"
	wait_until 15 grep -q . "$E2E_TMP/idle0.out"
	check_eq "$fam, expire_rst=0: the client saw no reset (its read timed out)" timeout \
		"$(cat "$E2E_TMP/idle0.out")"
	check_eq "$fam, expire_rst=0: no RST counted" "$r1" "$(counter expire_rst)"
	check_eq "$fam, expire_rst=0: the real server saw no reset" "$((rs0 + 1))" "$(resets_seen_by_rs)"
	fset director expire_rst=1 timeout_tcp=3
}

# --- (e) many short connections, few local ports, TIME_WAIT on the real server -------------

test_short_conns() {
	local range=200 n0 np0 out tw served
	traffic_defaults timeout_tcp_fin=1 "local_port_range=30000 $((30000 + range - 1))"
	n0=$(counter conn_new)
	np0=$(counter no_port)
	served=$(wc -l <"$E2E_TMP/rs2/access.log")
	out=$(pyc many 192.0.2.10 80 "$SHORT_CONNS")
	info "$out"
	check_eq "$SHORT_CONNS sequential HTTP/1.0 connections through $range local ports: zero failures" \
		"ok $SHORT_CONNS fail 0" "${out% in *}"
	# A client port reused while the director still had its entry in TIME_WAIT
	# reopens that entry instead of making a new one.
	info "connections made by the director: $(($(counter conn_new) - n0)), the rest reopened"
	check_eq "nginx on rs2 answered all of them" "$SHORT_CONNS" \
		"$(($(wc -l <"$E2E_TMP/rs2/access.log") - served))"
	tw=$(on rs2 ss -Htn state time-wait 'dst 203.0.113.100' | wc -l)
	check "rs2 holds TIME_WAIT for at most $range LIP ports ($tw): ports were reused under it" \
		test "$tw" -ge 1 -a "$tw" -le "$range"
	info "no_port during the run: $(($(counter no_port) - np0))"
}

test_unload() {
	check "ipvs_fnat.ko unloads (sysctls registered in 3 namespaces)" rmmod ipvs_fnat
	check_fails "net.ipvs_fnat is gone" test -e /proc/sys/net/ipvs_fnat
}

# timed FUNCTION ARGS...: run a scenario and say how long it took. E2E_ONLY="f g"
# runs only the scenarios (functions) named (the sysctl ones always run).
timed() {
	local t0=$SECONDS
	case "$1" in test_sysctl_*) ;; *) [ -n "${E2E_ONLY:-}" ] && [[ " $E2E_ONLY " != *" $1 "* ]] && return ;; esac
	"$@"
	info "$*: $((SECONDS - t0)) s"
}

if setup; then
	timed test_sysctl_present
	timed test_sysctl_write
	timed test_sysctl_invalid
	timed test_sysctl_userns
	timed test_sysctl_netns_exit
	timed test_port_exhaustion
	timed test_conn_max
	timed test_rst_on_expiry IPv4 192.0.2.10
	timed test_rst_on_expiry IPv6 2001:db8:10::10
	timed test_short_conns
	timed test_unload
else
	fail "setup: topology, module, servers and services"
fi
finish
