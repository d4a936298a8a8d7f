#!/usr/bin/env python3
"""Sync datagrams for tests/e2e/58-sync.sh, built from the format in
kernel/include/uapi/ipvs_fnat_sync.h (an independent encoder: it shares no code with
the module).

  sync_fuzz.py valid DEST PORT CADDR CPORT VADDR VPORT LADDR LPORT DADDR DPORT
      One well-formed DATA message (sequence 1 of a new epoch) with one ESTABLISHED TCP
      connection record and an unknown optional field a receiver must skip: a backup
      without a key installs it.
  sync_fuzz.py fuzz DEST PORT COUNT SEED VADDR
      COUNT bad or hostile datagrams: random bytes, truncated and bit-flipped valid
      messages, a wrong magic or version, lying lengths, unknown mandatory fields,
      records of every shape. Records name VADDR (a VIP the backup does not have), so
      that even one that decodes cannot install anything. Prints what it sent, by kind.
  sync_fuzz.py replay PCAP DEST PORT
      Every sync datagram of a capture sent again unchanged, from a new port.
"""
import random
import socket
import struct
import sys
import time

MAGIC = 0x464E5359
VERSION = 1
T_DATA, T_HELLO, T_ACK, T_NACK, T_RESYNC = 1, 2, 3, 4, 5
M = 0x8000
FT_CONN, FT_CONN_DEL, FT_RESYNC_END, FT_MASTER_EPOCH, FT_ACK_SEQ, FT_RANGE, FT_MAC = (
    M | 1, M | 2, 3, M | 4, M | 5, M | 6, M | 15)
FT_RESYNC_ID = 7
CT_TUPLE, CT_TIMER, CT_TCP, CT_SYNPROXY = M | 1, M | 2, M | 3, M | 4


def field(ftype, value):
    pad = b"\0" * ((4 - len(value) % 4) % 4)
    return struct.pack("!HH", ftype, len(value)) + value + pad


def header(mtype, seq, epoch, length, syncid=0, version=VERSION, hdr_len=24):
    return struct.pack("!IBBHBBHIQ", MAGIC, version, mtype, length, hdr_len, syncid, 0, seq, epoch)


def message(mtype, seq, epoch, fields, **kw):
    body = b"".join(fields)
    return header(mtype, seq, epoch, 24 + len(body), **kw) + body


def addr(a):
    return socket.inet_pton(socket.AF_INET6 if ":" in a else socket.AF_INET, a)


def conn(c, v, l, d, ports, state=1, expires_ms=60000, flags=0x3, proto=6):
    af = 6 if ":" in c else 4
    tup = struct.pack("!BBBB", af, proto, state, 0) + addr(c) + addr(v) + addr(l) + addr(d)
    tup += struct.pack("!HHHH", *ports)
    inner = field(CT_TUPLE, tup) + field(CT_TIMER, struct.pack("!II", expires_ms, flags))
    if proto == 6:
        inner += field(CT_TCP, struct.pack("!IIII", 1000, 2000, 3000, 4000))
    return field(FT_CONN, inner)


def valid(dest, port, c, cp, v, vp, l, lp, d, dp):
    rec = conn(c, v, l, d, (int(cp), int(vp), int(lp), int(dp)))
    # An unknown optional top-level field (type 0x0777) that must be skipped. Sync id 9:
    # not the fuzz's 0, whose bit-flipped epochs may have left the backup following a
    # "later" life of that master (unauthenticated, as the fuzz is), which would make
    # this message an old one.
    msg = message(T_DATA, 1, time.time_ns(), [field(0x0777, b"later"), rec], syncid=9)
    send(dest, port, [msg])
    print("valid: 1 DATA message, 1 record")


def send(dest, port, msgs):
    fam = socket.AF_INET6 if ":" in dest else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    for m in msgs:
        s.sendto(m, (dest, int(port)))
        time.sleep(0.001)


def fuzz(dest, port, count, seed, vaddr):
    r = random.Random(int(seed))
    epoch = time.time_ns()
    kinds = {}

    def some_record():
        c = "198.51.100.%d" % r.randrange(2, 60) if ":" not in vaddr else "2001:db8:c::%x" % r.randrange(2, 99)
        l = "192.0.2.100" if ":" not in vaddr else "2001:db8:11::100"
        d = "203.0.113.11" if ":" not in vaddr else "2001:db8:5::11"
        return conn(c, vaddr, l, d, (r.randrange(1, 65536), 80, r.randrange(1, 65536), 80),
                    state=r.choice([0, 1, 2, 3, 4, 5, 6, 255]), flags=r.getrandbits(32),
                    proto=r.choice([6, 17, 6, 1]))

    def good():
        return message(T_DATA, r.randrange(1, 1 << 32), epoch, [some_record() for _ in range(r.randrange(1, 6))])

    msgs = []
    for _ in range(int(count)):
        k = r.randrange(13)
        if k == 0:
            m, kind = bytes(r.getrandbits(8) for _ in range(r.randrange(0, 1500))), "random"
        elif k == 1:
            g = good()
            m, kind = g[:r.randrange(0, len(g))], "truncated"
        elif k == 2:
            g = bytearray(good())
            for _ in range(r.randrange(1, 8)):
                g[r.randrange(len(g))] ^= 1 << r.randrange(8)
            m, kind = bytes(g), "bitflip"
        elif k == 3:
            g = bytearray(good())
            g[0] ^= 0xFF
            m, kind = bytes(g), "magic"
        elif k == 4:
            g = bytearray(good())
            g[4] = r.choice([0, 2, 3, 255])
            m, kind = bytes(g), "version"
        elif k == 5:
            g = bytearray(good())
            struct.pack_into("!H", g, 6, r.randrange(0, 65536))
            m, kind = bytes(g), "length"
        elif k == 6:
            m = message(T_DATA, 1, epoch, [some_record(), field(M | r.randrange(7, 15), b"x" * r.randrange(0, 40))])
            kind = "unknown-mandatory"
        elif k == 7:
            inner = field(CT_TUPLE, b"\x04\x06\x01\x00" + b"\0" * r.randrange(0, 80))
            m, kind = message(T_DATA, 1, epoch, [field(FT_CONN, inner)]), "bad-tuple"
        elif k == 8:
            g = bytearray(good())
            g[8] = r.choice([0, 4, 23, 25, 200, 255])
            m, kind = bytes(g), "hdr_len"
        elif k == 9:
            # A field whose length runs past the end.
            m = message(T_DATA, 1, epoch, [struct.pack("!HH", FT_CONN, 1000) + b"\0" * 8])
            kind = "overrun"
        elif k == 10:
            m = message(r.choice([T_HELLO, T_ACK, T_NACK, T_RESYNC, 0, 9, 255]), r.getrandbits(32), epoch,
                        [field(r.choice([FT_ACK_SEQ, FT_RANGE, FT_MASTER_EPOCH, FT_MAC]), bytes(r.randrange(0, 40)))])
            kind = "control"
        elif k == 11:
            # A known optional field of the wrong length: the whole message is malformed.
            bad = field(r.choice([FT_RESYNC_END, FT_RESYNC_ID]), bytes(r.choice([0, 1, 2, 3, 5, 8])))
            m, kind = message(T_DATA, 1, epoch, [some_record(), bad]), "bad-length"
        else:
            m = message(T_DATA, 1, epoch, [field(FT_MAC, bytes(32))] + [some_record()])
            kind = "mac-not-last"
        kinds[kind] = kinds.get(kind, 0) + 1
        msgs.append(m[:1400] if len(m) > 1400 else m)
    send(dest, port, msgs)
    print("fuzz: " + " ".join(f"{k}={v}" for k, v in sorted(kinds.items())))


def replay(pcap, dest, port):
    # Every sync datagram of a capture, sent again as it was, from this host and a
    # new port: a backup must know them as seen (their epoch and sequence numbers).
    from scapy.all import UDP, rdpcap
    msgs = [bytes(p[UDP].payload) for p in rdpcap(pcap) if UDP in p]
    msgs = [m for m in msgs if m[:4] == struct.pack("!I", MAGIC)]
    send(dest, port, msgs)
    print(f"replay: {len(msgs)} datagrams")


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "valid":
        valid(*args)
    elif mode == "replay":
        replay(*args)
    else:
        fuzz(*args)


if __name__ == "__main__":
    main()
