#!/usr/bin/env python3
"""A flow that notices every stall, for tests/bench/scaleout.sh.

  pulse.py HOST PORT SECONDS INTERVAL_MS

One TCP connection to an echo service at HOST:PORT; a short line every INTERVAL_MS,
each waited for before the next. Prints the wall-clock time (seconds since 1970,
the same clock as `date +%s.%N` in the guest) of every echo received, one per line,
then "done" if the connection lasted SECONDS and every echo matched. Exits 1 on a
reset, a mismatch or a stall longer than 60 s.
"""
import socket
import sys
import time


def main():
    host, port, seconds, interval = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]) / 1000
    s = socket.create_connection((host, port), timeout=60)
    f = s.makefile("rwb", buffering=0)
    end = time.time() + seconds
    i = 0
    out = []
    ok = True
    try:
        while time.time() < end:
            line = f"pulse {i}\n".encode()
            f.write(line)
            if f.readline() != line:
                ok = False
                break
            out.append(f"{time.time():.3f}")
            i += 1
            time.sleep(interval)
    except OSError as e:
        out.append(f"error {e}")
        ok = False
    print("\n".join(out))
    print("done" if ok else "failed")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
