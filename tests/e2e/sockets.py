#!/usr/bin/python3
"""Plain-socket servers and clients the end-to-end tests run inside namespaces.

One process serves thousands of connections (a process per connection is slow under
emulation), and a reset, a timeout and a clean close can be told apart.

    sockets.py serve PORT [IDLE]        TCP echo server, dual stack; prints eof, reset
                                        or timeout (IDLE seconds without data) for each
                                        connection as it ends
    sockets.py serve_udp PORT           UDP echo server, dual stack
    sockets.py echo HOST PORT TIMEOUT   one connection, one echo: status 0 if it worked
    sockets.py udp_echo HOST PORT       one datagram echoed (three tries): status 0 if so
    sockets.py hold GOFILE N TARGET...  N echoing connections to each HOST:PORT (IPv6 as
                                        [ADDR]:PORT), held until GOFILE exists; prints
                                        "held K" once all are open, "still K" at the end
                                        (how many still echoed)
    sockets.py roundtrip HOST PORT BYTES T  send BYTES to an echo server, read them
                                        back: "ok BYTES" when all came back equal
    sockets.py idle HOST PORT WAIT      connect, echo, then report what the idle
                                        connection gets: eof, data, reset after S s,
                                        timeout
    sockets.py many HOST PORT N         N HTTP/1.0 requests one after another, each on a
                                        new connection: prints "ok N fail M in S s"
    sockets.py load STOPFILE HOST...    HTTP/1.0 requests to HOST:80 in turn until
                                        STOPFILE exists: prints "ok N fail M" (failures
                                        are expected while a test breaks the director)
    sockets.py write DIR NAME=VALUE...  write each sysctl file of DIR in one write(), as a
                                        user would; prints ok or the errno's name for each
"""
import errno
import os
import socket
import sys
import threading
import time


def say(*a):
    print(*a, flush=True)


def listener(kind, port):
    s = socket.socket(socket.AF_INET6, kind)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    if kind == socket.SOCK_STREAM:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", port))
    return s


def serve(port, idle=None):
    ls = listener(socket.SOCK_STREAM, int(port))
    ls.listen(128)
    idle = float(idle) if idle is not None else None

    def handle(c):
        c.settimeout(idle)
        what = "eof"
        try:
            while True:
                d = c.recv(4096)
                if not d:
                    break
                c.sendall(d)
        except ConnectionResetError:
            what = "reset"
        except socket.timeout:
            what = "timeout"
        except OSError:
            what = "error"
        finally:
            c.close()
        say(what)

    while True:
        c, _ = ls.accept()
        threading.Thread(target=handle, args=(c,), daemon=True).start()


def serve_udp(port):
    s = listener(socket.SOCK_DGRAM, int(port))
    while True:
        d, a = s.recvfrom(2048)
        s.sendto(d, a)


def connect(host, port, timeout):
    """A connection whose first echo worked."""
    s = socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)
    s.sendall(b"ping\n")
    if s.recv(16) != b"ping\n":
        raise RuntimeError("no echo")
    return s


def echo(host, port, timeout):
    try:
        connect(host, port, float(timeout)).close()
    except Exception as e:
        say("echo failed:", e)
        sys.exit(1)
    say("echo ok")


def roundtrip(host, port, nbytes, timeout):
    """Send NBYTES of random data to an echo server while reading the echo back:
    "ok N" if all came back equal, else "short N" / "differs"."""
    n = int(nbytes)
    data = os.urandom(n)
    s = connect(host, port, float(timeout))
    got = bytearray()

    def reader():
        while len(got) < n:
            d = s.recv(65536)
            if not d:
                break
            got.extend(d)

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    s.sendall(data)
    t.join(float(timeout))
    s.close()
    if len(got) < n:
        say("short", len(got))
    elif bytes(got) != data:
        say("differs")
    else:
        say("ok", n)


def udp_echo(host, port):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    for _ in range(3):
        s.sendto(b"ping", (host, int(port)))
        try:
            if s.recv(16) == b"ping":
                say("udp ok")
                return
        except socket.timeout:
            pass
    say("udp failed")
    sys.exit(1)


def hold(gofile, n, *targets):
    conns = []
    for t in targets:
        host, port = t.rsplit(":", 1)
        conns += [connect(host, port, 10) for _ in range(int(n))]
    say("held", len(conns))
    alive = set(conns)
    # Every connection echoes once a second, so that none goes idle on the director.
    deadline = time.time() + 900
    while not os.path.exists(gofile) and time.time() < deadline:
        for s in list(alive):
            try:
                s.sendall(b"tick\n")
                if s.recv(16) != b"tick\n":
                    raise OSError("bad echo")
            except OSError:
                alive.discard(s)
        time.sleep(1)
    ok = 0
    for s in conns:
        try:
            s.sendall(b"again\n")
            ok += s in alive and s.recv(16) == b"again\n"
        except OSError:
            pass
        s.close()
    say("still", ok)


def idle(host, port, wait):
    s = connect(host, port, 5)
    s.settimeout(float(wait))
    t0 = time.time()
    try:
        d = s.recv(16)
        say("eof" if not d else "data")
    except ConnectionResetError:
        say("reset after %.1f s" % (time.time() - t0))
    except socket.timeout:
        say("timeout")


def http_get(host, port, timeout):
    """One HTTP/1.0 request on a new connection, read to EOF: True on a 200."""
    s = socket.create_connection((host, port), timeout=timeout)
    try:
        s.settimeout(timeout)
        s.sendall(b"GET / HTTP/1.0\r\nHost: vip\r\n\r\n")
        r = b""
        while True:
            d = s.recv(4096)
            if not d:
                break
            r += d
    finally:
        s.close()
    return r.startswith(b"HTTP/1.1 200")


def many(host, port, n):
    ok = fail = 0
    t0 = time.time()
    for i in range(int(n)):
        try:
            if http_get(host, int(port), 10):
                ok += 1
            else:
                fail += 1
        except OSError as e:
            fail += 1
            if fail <= 5:
                say("request", i, "failed:", e)
    say("ok %d fail %d in %.0f s" % (ok, fail, time.time() - t0))


def load(stop, *hosts):
    ok = fail = i = 0
    while not os.path.exists(stop):
        host = hosts[i % len(hosts)]
        i += 1
        try:
            if http_get(host, 80, 2):
                ok += 1
            else:
                fail += 1
        except OSError:
            fail += 1
            time.sleep(0.05)
    say("ok %d fail %d" % (ok, fail))


def write(directory, *assignments):
    for a in assignments:
        name, value = a.split("=", 1)
        try:
            fd = os.open(os.path.join(directory, name), os.O_WRONLY)
            try:
                os.write(fd, value.encode() + b"\n")
            finally:
                os.close(fd)
            say("ok")
        except OSError as e:
            say(errno.errorcode.get(e.errno, str(e.errno)))


COMMANDS = {f.__name__: f for f in (serve, serve_udp, echo, roundtrip, udp_echo, hold, idle, many, load, write)}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
