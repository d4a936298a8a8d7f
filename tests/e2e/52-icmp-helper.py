#!/usr/bin/python3
"""ICMP helpers for tests/e2e/52-fullnat-pmtu.sh (run with Debian's /usr/bin/python3).

  udp-echo FAM PORT              UDP echo server on PORT (prints "ready")
  udp-refused FAM ADDR PORT      connected UDP socket to ADDR:PORT with IP(V6)_RECVERR:
                                 send one datagram, print the ICMP error it gets
  udp-serve-refused FAM PORT     bind PORT (print "ready"), take one datagram, connect
                                 back to its sender, answer after 0.5 s and print the
                                 ICMP error the answer gets (the sender is gone by then)
  udp-send-close FAM ADDR PORT   send one datagram from a fresh socket and close it
  udp-hold FAM ADDR PORT SECS    connected UDP socket: send, print "port=N" once the
                                 echo is back, then print every ICMP error it gets for
                                 SECS seconds
  inject FAM ... CASE...         send hand-made ICMP errors, well formed or not, one
                                 per CASE (raw socket)
  pcap-check FAM FILE ...        check the ICMP errors captured in FILE (tcpdump -w)

An error line reads
  err errno=111 origin=2 type=3 code=3 info=0 offender=192.0.2.10 about=192.0.2.10:9999
(offender: the error's source address; about: the destination of the packet it is about).
"""
import argparse
import socket
import struct
import sys
import time

IP_RECVERR = 11
IPV6_RECVERR = 25
MSG_ERRQUEUE = 0x2000


def fam_of(fam):
    return socket.AF_INET6 if fam == "6" else socket.AF_INET


def enable_recverr(s, fam):
    if fam == "6":
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVERR, 1)
    else:
        s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)


def read_error(s, fam, timeout):
    """The next queued ICMP error of s as a line, or None after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _, anc, _, addr = s.recvmsg(2048, 512, MSG_ERRQUEUE | socket.MSG_DONTWAIT)
        except (BlockingIOError, socket.timeout):
            time.sleep(0.05)
            continue
        for level, typ, data in anc:
            if (fam == "6" and (level, typ) != (socket.IPPROTO_IPV6, IPV6_RECVERR)) or \
               (fam != "6" and (level, typ) != (socket.IPPROTO_IP, IP_RECVERR)):
                continue
            errno_, origin, etype, ecode, _, info, _ = struct.unpack_from("=IBBBBII", data)
            off = data[16:]
            if fam == "6":
                offender = socket.inet_ntop(socket.AF_INET6, off[8:24])
            else:
                offender = socket.inet_ntop(socket.AF_INET, off[4:8])
            return ("err errno=%d origin=%d type=%d code=%d info=%d offender=%s about=%s:%d" %
                    (errno_, origin, etype, ecode, info, offender, addr[0], addr[1]))
    return None


def cmd_udp_echo(a):
    s = socket.socket(fam_of(a.fam), socket.SOCK_DGRAM)
    if a.fam == "6":
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind(("::" if a.fam == "6" else "0.0.0.0", a.port))
    print("ready", flush=True)
    while True:
        data, peer = s.recvfrom(4096)
        s.sendto(data, peer)


def cmd_udp_refused(a):
    s = socket.socket(fam_of(a.fam), socket.SOCK_DGRAM)
    enable_recverr(s, a.fam)
    s.connect((a.addr, a.port))
    s.send(b"anyone there?")
    line = read_error(s, a.fam, 10)
    print(line or "no error")
    return 0 if line else 1


def cmd_udp_serve_refused(a):
    s = socket.socket(fam_of(a.fam), socket.SOCK_DGRAM)
    enable_recverr(s, a.fam)
    s.bind(("::" if a.fam == "6" else "0.0.0.0", a.port))
    print("ready", flush=True)
    s.settimeout(60)
    data, peer = s.recvfrom(2048)
    s.connect(peer[:2])
    time.sleep(0.5)
    s.send(b"late answer to " + data)
    line = read_error(s, a.fam, 10)
    print(line or "no error")
    return 0 if line else 1


def cmd_udp_send_close(a):
    s = socket.socket(fam_of(a.fam), socket.SOCK_DGRAM)
    s.sendto(b"bye", (a.addr, a.port))
    s.close()
    return 0


def cmd_udp_hold(a):
    s = socket.socket(fam_of(a.fam), socket.SOCK_DGRAM)
    enable_recverr(s, a.fam)
    s.connect((a.addr, a.port))
    s.settimeout(2)
    for _ in range(10):          # the echo server may be slow to answer the first one
        s.send(b"hello")
        try:
            s.recv(2048)
            break
        except socket.timeout:
            continue
    else:
        print("no echo")
        return 1
    s.settimeout(None)           # blocking again: read_error() polls with MSG_DONTWAIT
    print("port=%d" % s.getsockname()[1], flush=True)
    deadline = time.monotonic() + a.secs
    while time.monotonic() < deadline:
        line = read_error(s, a.fam, deadline - time.monotonic())
        if line:
            print(line, flush=True)
    return 0


# --- packets by hand (no scapy: its import alone takes half a minute in the guest) ------

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def a2b(fam, addr):
    return socket.inet_pton(socket.AF_INET6 if fam == "6" else socket.AF_INET, addr)


def pseudo(fam, src, dst, proto, length):
    if fam == "6":
        return a2b(fam, src) + a2b(fam, dst) + struct.pack("!IxxxB", length, proto)
    return a2b(fam, src) + a2b(fam, dst) + struct.pack("!xBH", proto, length)


def ip4(src, dst, proto, payload, ident=0, frag=0, ttl=64):
    h = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, ttl,
                              proto, 0, a2b("4", src), a2b("4", dst)))
    h[10:12] = struct.pack("!H", csum(bytes(h)))
    return bytes(h) + payload


def ip6(src, dst, nh, payload, hlim=64):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, hlim, a2b("6", src),
                       a2b("6", dst)) + payload


def l4seg(fam, proto, src, dst, sport, dport, seq, data):
    """A TCP (ACK) or UDP header and data with a correct checksum."""
    if proto == "udp":
        seg = bytearray(struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data)
        c = csum(pseudo(fam, src, dst, 17, len(seg)) + bytes(seg)) or 0xffff
        seg[6:8] = struct.pack("!H", c)
    else:
        seg = bytearray(struct.pack("!HHIIBBHHH", sport, dport, seq, 1, 5 << 4, 0x10, 65535, 0, 0)
                        + data)
        seg[16:18] = struct.pack("!H", csum(pseudo(fam, src, dst, 6, len(seg)) + bytes(seg)))
    return bytes(seg)


def build_inner(a, case):
    """The embedded packet of a case, or None for an ICMP message cut after 4 bytes."""
    pnum = 17 if a.proto == "udp" else 6
    seg = l4seg(a.fam, a.proto, a.isrc, a.idst, a.isport, a.idport, a.seq, b"x" * 16)
    if case == "icmp-short":
        return None
    if a.fam == "6":
        whole = ip6(a.isrc, a.idst, pnum, seg)
        if case in ("time-exceeded", "frag-needed", "bad-csum"):
            return whole
        if case == "l4-4bytes":
            return whole[:40 + 4]
        if case == "ip-trunc":
            return whole[:20]
        if case == "hbh-overrun":
            # A hop-by-hop header claiming 168 bytes, with nothing after it.
            return ip6(a.isrc, a.idst, 0, b"")[:40] + bytes([pnum, 20, 1, 4, 0, 0, 0, 0])
        if case == "frag-later":
            fh = struct.pack("!BBHI", pnum, 0, 1 << 3, 1234)   # offset 8: no L4 header
            return ip6(a.isrc, a.idst, 44, fh + seg[:8])
        if case == "destopt-len-lie":
            # A destination options header before the UDP/TCP header, and a payload
            # length claiming 64 KiB: translated all the same.
            b = bytearray(ip6(a.isrc, a.idst, 60, bytes([pnum, 0, 1, 4, 0, 0, 0, 0]) + seg))
            b[4:6] = b"\xff\xff"
            return bytes(b)
        raise SystemExit("unknown case " + case)
    whole = ip4(a.isrc, a.idst, pnum, seg, ident=4242, ttl=1)
    if case in ("time-exceeded", "frag-needed", "bad-csum"):
        return whole
    if case == "l4-4bytes":
        return whole[:20 + 4]
    if case == "ip-trunc":
        return whole[:12]
    if case in ("ihl-long", "ihl-short", "ver6"):
        b = bytearray(whole[:28])
        b[0] = {"ihl-long": 0x4f, "ihl-short": 0x43, "ver6": 0x65}[case]
        return bytes(b)
    if case == "frag-later":
        return ip4(a.isrc, a.idst, pnum, seg[:8], frag=1)        # offset 8: no L4 header
    if case == "len-lie":
        # A total length of 64 KiB in the embedded header, 8 bytes of L4 quoted.
        b = bytearray(whole[:28])
        b[2:4] = b"\xff\xff"
        b[10:12] = b"\0\0"
        b[10:12] = struct.pack("!H", csum(bytes(b[:20])))
        return bytes(b)
    raise SystemExit("unknown case " + case)


def cmd_inject(a):
    """One hand-made error per case, from --src to --dst, about --inner-*, through a raw
    socket that sends the whole IP packet (the kernel fixes only the outer IPv4
    header's length and checksum). Case frag-needed is a "fragmentation needed" /
    "packet too big" reporting --mtu; every other case a time exceeded in transit."""
    s = socket.socket(fam_of(a.fam), socket.SOCK_RAW, socket.IPPROTO_RAW)
    for case in a.cases:
        inner = build_inner(a, case)
        if case == "frag-needed":
            head = (bytes([2, 0, 0, 0]) + struct.pack("!I", a.mtu) if a.fam == "6" else
                    bytes([3, 4, 0, 0]) + struct.pack("!HH", 0, a.mtu))
        else:
            head = bytes([3 if a.fam == "6" else 11, 0, 0, 0, 0, 0, 0, 0])
        msg = head[:4] if inner is None else head + inner
        if a.fam == "6":
            c = csum(pseudo("6", a.src, a.dst, 58, len(msg)) + msg)
        else:
            c = csum(msg)
        if case == "bad-csum":
            c ^= 0x5a5a
        msg = msg[:2] + struct.pack("!H", c) + msg[4:]
        pkt = ip6(a.src, a.dst, 58, msg) if a.fam == "6" else ip4(a.src, a.dst, 1, msg)
        s.sendto(pkt, (a.dst, 0))
        print("sent %s (%d bytes)" % (case, len(pkt)))
        time.sleep(0.05)
    return 0


# --- checking captured errors ------------------------------------------------------------

def read_pcap(path):
    """(ethertype, L3 bytes) of each frame of an Ethernet capture."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    e = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    if struct.unpack(e + "I", data[20:24])[0] != 1:
        raise SystemExit("not an Ethernet capture")
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(frame) >= 14:
            yield struct.unpack("!H", frame[12:14])[0], frame[14:]


def parse_ip(fam, pkt):
    """(src, dst, protocol, L4 bytes) of an IP packet without extension headers, or None."""
    if fam == "6":
        if len(pkt) < 40:
            return None
        plen = struct.unpack("!H", pkt[4:6])[0]
        return (socket.inet_ntop(socket.AF_INET6, pkt[8:24]),
                socket.inet_ntop(socket.AF_INET6, pkt[24:40]), pkt[6], pkt[40:40 + plen])
    if len(pkt) < 20:
        return None
    ihl = (pkt[0] & 15) * 4
    tot = struct.unpack("!H", pkt[2:4])[0]
    return (socket.inet_ntop(socket.AF_INET, pkt[12:16]),
            socket.inet_ntop(socket.AF_INET, pkt[16:20]), pkt[9], pkt[ihl:tot or len(pkt)])


def cmd_pcap_check(a):
    """Every ICMP error in the capture must come from --src to --dst with a valid ICMP
    checksum, embed a packet from --inner-src to --inner-dst (IPv4: with a valid header
    checksum), with --mtu report that MTU, and, about TCP, carry a sequence number
    inside a segment that the capture shows --inner-src sending on that connection,
    and that segment's ack (the errors quote segments in the sender's own numbering).
    Prints a summary; fails if there is no error or any is wrong."""
    want = 0x86dd if a.fam == "6" else 0x0800
    icmp_proto = 58 if a.fam == "6" else 1
    sent = {}            # (sport, dport) -> [(seq, end, ack)] of TCP sent by --inner-src
    errors = []
    for etype, pkt in read_pcap(a.file):
        if etype != want:
            continue
        ip = parse_ip(a.fam, pkt)
        if not ip:
            continue
        src, dst, proto, l4 = ip
        if proto == 6 and src == a.inner_src and len(l4) >= 20:
            sport, dport, seq, ack = struct.unpack("!HHII", l4[:12])
            plen = len(l4) - (l4[12] >> 4) * 4
            if plen > 0:
                sent.setdefault((sport, dport), []).append((seq, (seq + plen) & 0xffffffff,
                                                            ack))
        elif proto == icmp_proto and len(l4) >= 8 and l4[0] in ((1, 2, 3, 4) if a.fam == "6"
                                                                 else (3, 11, 12)):
            errors.append((src, dst, l4))
    n = bad = 0
    notes = []
    for src, dst, msg in errors:
        n += 1
        why = []
        if a.fam == "6":
            if csum(pseudo("6", src, dst, 58, len(msg)) + msg) != 0:
                why.append("ICMPv6 checksum")
        elif csum(msg) != 0:
            why.append("ICMP checksum")
        if (src, dst) != (a.src, a.dst):
            why.append("outer %s -> %s" % (src, dst))
        inner = msg[8:]
        ip = parse_ip(a.fam, inner)
        if not ip:
            why.append("no embedded header")
        else:
            isrc, idst, iproto, il4 = ip
            if a.fam != "6" and csum(inner[:(inner[0] & 15) * 4]) != 0:
                why.append("embedded IP checksum")
            if (isrc, idst) != (a.inner_src, a.inner_dst):
                why.append("embedded %s -> %s" % (isrc, idst))
            if iproto == 6 and len(il4) >= 8:
                sport, dport, seq = struct.unpack("!HHI", il4[:8])
                segs = [(s, e, k) for s, e, k in sent.get((sport, dport), [])
                        if (seq - s) & 0xffffffff < (e - s) & 0xffffffff]
                if not segs:
                    why.append("embedded seq not sent")
                elif len(il4) >= 12:
                    ack = struct.unpack("!I", il4[8:12])[0]
                    if not any(k == ack for _, _, k in segs):
                        why.append("embedded ack not the one sent")
        if a.mtu is not None:
            if a.fam == "6" and msg[0] == 2:
                mtu = struct.unpack("!I", msg[4:8])[0]
            elif a.fam != "6" and msg[:2] == b"\x03\x04":
                mtu = struct.unpack("!H", msg[6:8])[0]
            else:
                mtu = a.mtu
            if mtu != a.mtu:
                why.append("mtu %d" % mtu)
        if why:
            bad += 1
            notes.append(", ".join(why))
    print("errors=%d bad=%d segments=%d" % (n, bad, sum(len(v) for v in sent.values())))
    for w in sorted(set(notes)):
        print("  " + w)
    return 0 if n and not bad else 1


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("udp-echo")
    p.add_argument("fam")
    p.add_argument("port", type=int)
    p = sub.add_parser("udp-refused")
    p.add_argument("fam")
    p.add_argument("addr")
    p.add_argument("port", type=int)
    p = sub.add_parser("udp-serve-refused")
    p.add_argument("fam")
    p.add_argument("port", type=int)
    p = sub.add_parser("udp-send-close")
    p.add_argument("fam")
    p.add_argument("addr")
    p.add_argument("port", type=int)
    p = sub.add_parser("udp-hold")
    p.add_argument("fam")
    p.add_argument("addr")
    p.add_argument("port", type=int)
    p.add_argument("secs", type=float)
    p = sub.add_parser("inject")
    p.add_argument("fam")
    p.add_argument("--src", required=True, help="the error's source")
    p.add_argument("--dst", required=True, help="the error's destination")
    p.add_argument("--inner-src", dest="isrc", required=True)
    p.add_argument("--inner-sport", dest="isport", type=int, required=True)
    p.add_argument("--inner-dst", dest="idst", required=True)
    p.add_argument("--inner-dport", dest="idport", type=int, required=True)
    p.add_argument("--proto", default="udp", choices=["udp", "tcp"])
    p.add_argument("--seq", type=int, default=1)
    p.add_argument("--mtu", type=int, default=1400)
    p.add_argument("cases", nargs="+")
    p = sub.add_parser("pcap-check")
    p.add_argument("fam")
    p.add_argument("file")
    p.add_argument("--src", required=True)
    p.add_argument("--dst", required=True)
    p.add_argument("--inner-src", dest="inner_src", required=True)
    p.add_argument("--inner-dst", dest="inner_dst", required=True)
    p.add_argument("--mtu", type=int)
    a = ap.parse_args()
    return globals()["cmd_" + a.cmd.replace("-", "_")](a)


if __name__ == "__main__":
    sys.exit(main())
