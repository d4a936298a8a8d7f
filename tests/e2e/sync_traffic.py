#!/usr/bin/env python3
"""Long-lived client connections for tests/e2e/58-sync.sh, each checking its own end.

  sync_traffic.py upload HOST PORT FILE SECONDS
      Send FILE paced over about SECONDS, half-close, and print what the server answers
      (58-sync's sink answers the sha256 of what it received). Exit 0 when the answer is
      FILE's sha256.
  sync_traffic.py session HOST PORT LINES
      An interactive session: one line a second, each echoed back before the next goes;
      exit 0 when every line came back, in order, unchanged.

Any error (a reset, a timeout of 10 s, a short answer) is printed and exits 1.
"""
import hashlib
import socket
import sys
import time


def connect(host, port):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect((host, int(port)))
    return s


def upload(host, port, path, seconds):
    data = open(path, "rb").read()
    want = hashlib.sha256(data).hexdigest()
    s = connect(host, port)
    chunks = 50
    step = (len(data) + chunks - 1) // chunks
    pause = float(seconds) / chunks
    for off in range(0, len(data), step):
        s.sendall(data[off:off + step])
        time.sleep(pause)
    s.shutdown(socket.SHUT_WR)
    got = b""
    while True:
        b = s.recv(4096)
        if not b:
            break
        got += b
    got = got.decode(errors="replace").split()
    got = got[0] if got else ""
    print(f"upload {len(data)} bytes: sent {want}, server saw {got}")
    return got == want


def session(host, port, lines):
    s = connect(host, port)
    f = s.makefile("rwb", buffering=0)
    for i in range(int(lines)):
        line = f"line {i} {time.time():.3f}\n".encode()
        f.write(line)
        back = f.readline()
        if back != line:
            print(f"session: line {i}: sent {line!r}, got {back!r}")
            return False
        time.sleep(1)
    print(f"session: {lines} lines echoed")
    return True


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    try:
        ok = upload(*args) if mode == "upload" else session(*args)
    except OSError as e:
        print(f"{mode}: {e}")
        ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
