#!/usr/bin/env python3
"""One real TCP connection for the forwarding benchmark (tests/bench/pps.sh), whose
packets trafgen then replays with valid sequence numbers.

    pps_tcp.py server ADDR PORT OUT     accept one connection on ADDR:PORT, send one
                                        byte (so that the director's TOA is done and
                                        the connection is in its common state)
    pps_tcp.py client SRC DST PORT OUT  connect from SRC to DST:PORT, read that byte

Each side then puts its socket in repair mode (TCP_REPAIR: the kernel sends nothing
more for it, not even on close) and writes to OUT one line

    <local addr> <local port> <peer addr> <peer port> <snd_nxt> <rcv_nxt>

(the numbers its next segment would carry as seq and ack), then holds the socket
until it is killed. Needs CAP_NET_ADMIN (TCP_REPAIR)."""
import os
import signal
import socket
import sys

TCP_REPAIR = 19
TCP_REPAIR_QUEUE = 20
TCP_QUEUE_SEQ = 21
TCP_RECV_QUEUE = 1
TCP_SEND_QUEUE = 2


def freeze(sock, out):
    sock.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE)
    snd = sock.getsockopt(socket.IPPROTO_TCP, TCP_QUEUE_SEQ)
    sock.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE)
    rcv = sock.getsockopt(socket.IPPROTO_TCP, TCP_QUEUE_SEQ)
    la, lp = sock.getsockname()[:2]
    pa, pp = sock.getpeername()[:2]
    with open(out + ".tmp", "w") as f:
        f.write(f"{la} {lp} {pa} {pp} {snd & 0xffffffff} {rcv & 0xffffffff}\n")
    os.rename(out + ".tmp", out)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})


def main(argv):
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    if len(argv) == 5 and argv[1] == "server":
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((argv[2], int(argv[3])))
        ls.listen(1)
        s, _ = ls.accept()
        ls.close()
        s.sendall(b"x")
        freeze(s, argv[4])
    elif len(argv) == 6 and argv[1] == "client":
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((argv[2], 0))
        s.settimeout(10)
        s.connect((argv[3], int(argv[4])))
        if s.recv(1) != b"x":
            sys.exit("pps_tcp: the server's byte did not arrive")
        freeze(s, argv[5])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
