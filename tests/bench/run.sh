#!/usr/bin/env bash
# make bench: benchmarks inside the test guest. They arrive with the datapath.
echo "bench: no benchmarks yet" >&2
exit 1
