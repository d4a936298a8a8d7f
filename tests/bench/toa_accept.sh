#!/usr/bin/env bash
# Accepted connections per second on a real server doing accept() + getpeername(), with
# and without toa.ko, in the same guest run.
#
#   toalb: the load balancer                      toars: the real server
#   (toa_flood: real handshakes, TOA in the ACK)  (toa_server --load, 2 threads)
#   eth0 203.0.113.100/24 ----------------------- eth0 203.0.113.11/24     :8200
#   toacl: a plain client (toa_load, kernel TCP)
#   eth0 192.0.2.2/24 --------------------------- eth1 192.0.2.1/24        :8201
#
# Two workloads, each measured without and with toa.ko in ROUNDS rounds of back-to-back
# pairs (off then on, on then off, alternately): the test machine is emulated and
# shared, its speed drifts, and only runs close in time compare. The ratio reported is
# the median of the rounds' on/off ratios. The workloads:
#   toa    every connection carries a TOA, as behind a FULLNAT director: with toa.ko
#          each is parsed, bound, returned by getpeername() and freed
#   plain  no TOA at all: what toa.ko costs every other connection on the machine
# Prints
#   BENCH toa_accept_rate_off|_rate_on <conn/s>        (toa workload, all rounds)
#   BENCH toa_accept_ratio <on/off>                    (median; target >= 0.95)
#   BENCH toa_accept_plain_rate_off|_rate_on <conn/s>
#   BENCH toa_accept_plain_ratio <on/off>
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/stats.bash"
. "$(dirname "$0")/../e2e/toa_lib.sh"

ROUNDS=${TOA_BENCH_ROUNDS:-6}
SECS=${TOA_BENCH_SECS:-4}

setup() {
	toa_topology
	ns_add toacl
	link toacl eth0 toars eth1
	addr toacl eth0 192.0.2.2/24
	addr toars eth1 192.0.2.1/24
}

# measure WORKLOAD: one run of SECS seconds; prints "accepted elapsed_ms"
measure() {
	local port out srv client acc ms
	if [ "$1" = toa ]; then port=8200; else port=8201; fi
	out=$TOA_TMP/srv.$1
	ip netns exec toars "$TOA_SERVER" --listen :: --port $port --load --threads 2 \
		--client-prefix 198.51.100. --lb "$([ "$1" = toa ] && echo 203.0.113.100 || echo 192.0.2.2)" \
		>"$out" 2>/dev/null &
	srv=$!
	wait_until 30 listening $port || { echo "bench: the server does not listen" >&2; return 1; }
	if [ "$1" = toa ]; then
		client=$(on toalb "$TOA_FLOOD" --src 203.0.113.100 --dst 203.0.113.11 --port $port \
			--window 16 --duration "$SECS" --mark $TOA_MARK)
	else
		client=$(on toacl "$TOOLBIN/toa_load" --dst 192.0.2.1 --port $port --threads 2 \
			--duration "$SECS")
	fi
	kill -TERM $srv
	wait $srv
	acc=$(sed -n 's/.*accepted=\([0-9]*\).*/\1/p' "$out")
	ms=$(sed -n 's/.*elapsed_ms=\([0-9]*\).*/\1/p' <<<"$client")
	echo "${acc:-0} ${ms:-1}"
}

rate() { awk -v a="$1" -v m="$2" 'BEGIN { printf "%.1f", a * 1000 / m }'; }

setup
declare -A acc=() ms=() ratios=()
for ((r = 1; r <= ROUNDS; r++)); do
	order="off on"
	((r % 2)) || order="on off"
	declare -A now=()
	for mode in $order; do
		if [ $mode = on ]; then insmod "$TOA_KO" || exit 1; fi
		for w in toa plain; do
			read -r a m < <(measure $w) || exit 1
			acc[$w.$mode]=$((${acc[$w.$mode]:-0} + a))
			ms[$w.$mode]=$((${ms[$w.$mode]:-0} + m))
			now[$w.$mode]=$(rate "$a" "$m")
			echo "  .. round $r, toa.ko $mode, $w: $a connections in $m ms"
		done
		if [ $mode = on ]; then
			info "$(tr '\n' ' ' </proc/net/toa_stats)"
			rmmod toa || exit 1
		fi
	done
	for w in toa plain; do
		ratios[$w]+=" $(awk -v a="${now[$w.on]}" -v b="${now[$w.off]}" 'BEGIN { printf "%.4f", (b > 0 ? a / b : 0) }')"
	done
done

for w in toa plain; do
	name=toa_accept
	[ $w = plain ] && name=toa_accept_plain
	info "$w: on/off per round:${ratios[$w]}"
	echo "BENCH ${name}_rate_off $(rate "${acc[$w.off]}" "${ms[$w.off]}")"
	echo "BENCH ${name}_rate_on $(rate "${acc[$w.on]}" "${ms[$w.on]}")"
	# shellcheck disable=SC2086
	echo "BENCH ${name}_ratio $(median ${ratios[$w]})"
done
cleanup
