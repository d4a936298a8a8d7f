# Sourced by tests/bench/pps.sh for PROFILE=1 (make bench-pps PROFILE=1): where the
# director's time per forwarded packet goes, by kprobe/kretprobe pairs (bpftrace) on
# the functions of its path, while trafgen drives one case. perf's cpu-clock sampling
# sees only the idle loop under emulation; entry/return probes count every call and
# time it with the guest's clock instead. The probes cost time themselves (a few
# microseconds a pair under emulation), so the figures are for comparing functions
# and modes with each other, not absolute costs: the packet rate under probes is
# printed beside them.
#
# For each of FULLNAT and IPVS NAT, cases tcp_in, tcp_out and udp at 64 B: a table of
#   function  calls per forwarded packet  inclusive ns per forwarded packet
# in $BENCH_DIR/pps-profile.txt (the functions nest: a caller's time includes its
# callees'), and pps-profile.svg: one bar chart per case of the same inclusive times.
# Must run on single-threaded TCG (vm-run's VM_TCG_THREAD=single, which make bench-pps
# PROFILE=1 sets): QEMU's multi-threaded TCG mis-executes text patched under load.

PROFILE_SECS=${BENCH_PPS_PROFILE_SECS:-3}

# The path, outermost first. A function the running kernel does not have (inlined,
# renamed) is left out.
PROFILE_COMMON="__netif_receive_skb_one_core ip_rcv nf_hook_slow ip_route_input_noref ip_forward ip_local_out ip_output ip_route_output_key_hash fib_table_lookup neigh_resolve_output __dev_queue_xmit veth_xmit"
PROFILE_FNAT="fnat_hook fnat_conn_lookup tcp_fnat_in_handler tcp_fnat_out_handler fnat_udp_in fnat_udp_out fnat_conn_route fnat_xmit_routed"
PROFILE_IPVS="ip_vs_in_hook ip_vs_out_hook ip_vs_conn_in_get ip_vs_conn_out_get ip_vs_nat_xmit"

profile_funcs() {
	local f
	for f in "$@"; do
		grep -qE " [tT] $f([[:space:]]|\$)" /proc/kallsyms && echo "$f"
	done
}

# profile_script FUNC...: a bpftrace program timing every call of each FUNC.
profile_script() {
	local f i=0
	for f in "$@"; do
		i=$((i + 1))
		printf 'kprobe:%s { @s%d[tid] = nsecs; }\n' "$f" $i
		printf 'kretprobe:%s /@s%d[tid]/ { @n["%s"] = count(); @t["%s"] = sum(nsecs - @s%d[tid]); delete(@s%d[tid]); }\n' \
			"$f" $i "$f" "$f" $i $i
	done
	printf 'interval:s:%d { exit(); }\n' "$PROFILE_SECS"
	printf 'END {'
	for ((i = 1; i <= $#; i++)); do printf ' clear(@s%d);' $i; done
	printf ' }\n'
}

# profile_case MODE CASE: one case under the probes; appends its table.
profile_case() {
	local m=$1 c=$2 gns gdev sns sdev f funcs prog pid r0 r1 out=$E2E_TMP/bpftrace.out
	read -r gns gdev sns sdev f < <(conf "$c" "$m" 64)
	if [ "$m" = fnat ]; then
		mapfile -t funcs < <(profile_funcs $PROFILE_COMMON $PROFILE_FNAT)
	else
		mapfile -t funcs < <(profile_funcs $PROFILE_COMMON $PROFILE_IPVS)
	fi
	prog=$E2E_TMP/profile.bt
	profile_script "${funcs[@]}" >"$prog"
	on "$gns" trafgen --cpus 1 -o "$gdev" -n 0 --conf "$f" >"$E2E_TMP/trafgen.out" 2>&1 &
	pid=$!
	sleep 0.5
	r0=$(rx_of "$sns" "$sdev")
	# bpftrace attaches, runs PROFILE_SECS and prints its maps; the packets the sink
	# counted from before it started to after it ended bound the probed ones.
	bpftrace "$prog" >"$out" 2>&1 || { stop_trafgen $pid; info "bpftrace failed: $(tail -5 "$out")"; return 1; }
	r1=$(rx_of "$sns" "$sdev")
	stop_trafgen $pid
	# The probed window's packets: the calls of the outermost function on the
	# director's side of the path, one per forwarded packet.
	local hook=fnat_hook
	[ "$m" = ipvs ] && hook=ip_forward
	[ "$m" = ipvs ] && [ "$c" = tcp_in -o "$c" = udp ] && hook=ip_vs_nat_xmit
	{
		echo "== $m $c (64 B): $((r1 - r0)) packets at the sink while probed; per packet counted by $hook"
		awk -v hook="$hook" -v funcs="${funcs[*]}" '
			/^@n\[/ { k = $1; sub(/^@n\[/, "", k); sub(/\]:$/, "", k); n[k] = $2 }
			/^@t\[/ { k = $1; sub(/^@t\[/, "", k); sub(/\]:$/, "", k); t[k] = $2 }
			END {
				p = n[hook]
				if (!p) { print "  (no call of " hook " seen)"; exit }
				printf "  %-32s %12s %14s\n", "function", "calls/pkt", "incl. ns/pkt"
				o = split(funcs, order, " ")
				for (i = 1; i <= o; i++) {
					k = order[i]
					if (n[k])
						printf "  %-32s %12.2f %14.0f\n", k, n[k] / p, t[k] / p
				}
			}' "$out"
	} >>"$BENCH_DIR/pps-profile.txt"
}

profile_all() {
	local m c
	command -v bpftrace >/dev/null || { info "bpftrace is missing: scripts/deps.sh installs it"; return 1; }
	: >"$BENCH_DIR/pps-profile.txt"
	for m in fnat ipvs; do
		for c in tcp_in tcp_out udp; do
			profile_case "$m" "$c" || return 1
		done
	done
	cat "$BENCH_DIR/pps-profile.txt"
	/usr/bin/python3 "$HERE/pps_profile_svg.py" "$BENCH_DIR/pps-profile.txt" "$BENCH_DIR/pps-profile.svg" &&
		info "profile: $BENCH_DIR/pps-profile.txt, $BENCH_DIR/pps-profile.svg"
}
