# Sourced by the benchmarks (not one itself: run.sh runs only *.sh): the figures taken
# over rounds. A ratio is taken within a round; the median and the spread (min..max)
# of the rounds' values are what a benchmark prints.

# ratio A B: A / B, 0 when B is not positive.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", (b > 0 ? a / b : 0) }'; }
# median V...: the middle value (the mean of the two middle ones for an even count).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
	END { printf "%.3f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
# spread V...: "min..max".
spread() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.3f..%.3f", lo, hi }'; }

# two_wrk_cps URL SECS CONNS: new connections per second from two wrk in the client
# namespace (-t1 -cCONNS each, `Connection: close`: every request a new connection),
# run together for SECS; their sum. Fails unless both report.
two_wrk_cps() {
	local o1 o2 p1 p2 rc
	o1=$(mktemp) o2=$(mktemp)
	on client wrk -t1 -c"$3" -d"$2s" --timeout 10s -H 'Connection: close' "$1" >"$o1" 2>&1 &
	p1=$!
	on client wrk -t1 -c"$3" -d"$2s" --timeout 10s -H 'Connection: close' "$1" >"$o2" 2>&1 &
	p2=$!
	wait $p1 $p2
	awk '/^Requests\/sec:/ { r += $2; n++ } END { if (n == 2) printf "%.1f\n", r; else exit 1 }' "$o1" "$o2"
	rc=$?
	rm -f "$o1" "$o2"
	return $rc
}
