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
