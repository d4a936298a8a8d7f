#!/usr/bin/env bash
# make demo: the FULLNAT demo, run inside the test guest. The datapath it shows arrives
# with the datapath work (client → VIP → real server with TOA); until then it says so.
echo "demo: the FULLNAT datapath is not built yet; nothing to show" >&2
exit 1
