#!/usr/bin/python3
"""fnat_pktfuzz.py — malformed IPv4/IPv6 packets at a FULLNAT director or a real server.

    fnat_pktfuzz.py --ifname IF --dmac MAC --count N [--seed S]
                    --target FAM,SRC,DST,PROTO,PORT [--target ...]
                    [--conn FAM,PROTO,SRC,SPORT,DST,DPORT ...] [--spoof PREFIX ...]
                    [--kinds K,K] [--rate PPS]

Frames are written to IF with an AF_PACKET socket (one send() each; no scapy: the
headers are packed here so that every field can be wrong). Each frame is aimed at one
of the --target (e.g. the client's address towards a VIP and a virtual port, or a real
server's address towards a LIP) and is, at random, one of:

  ip4-hdr     IPv4 header lengths that lie (IHL 0..4 or past the packet, total length
              short or long), bad IP options, bad checksums
  tcp-hdr     TCP data offsets 0..4 or past the segment, flag combinations
  tcp-opt     option overruns: lengths 0 and 1, lengths past the header, MSS/WS/SACK/TS
              with wrong lengths, TOA kinds 254/253 with every length 0..40, EOL/NOP runs
  udp         UDP lengths 0, < 8, past the packet
  frag        fragments: the TCP header split, overlapping fragments with different
              data, duplicates, a last fragment alone, offsets past 64 KiB, tiny ones
  icmp        ICMP / ICMPv6 errors (unreachable, frag needed with any MTU, time
              exceeded, packet too big) whose quoted packet is cut short, has a lying
              IHL or length, another protocol, or quotes a live connection (--conn)
  ip6-ext     IPv6 extension header chains: hop-by-hop, destination options, routing,
              fragment headers with bad lengths, long chains, chains cut short
  flip        a valid SYN or data segment with random bytes flipped or cut
  syn         (only with --kinds syn) a well-formed SYN from a spoofed source: a flood

--conn gives live connections (as seen on this wire: SRC:SPORT -> DST:DPORT) so that
ICMP errors and segments hit existing table entries. --spoof PREFIX (e.g.
198.51.100.128/25, 2001:db8:c:1::/64; one per family) makes some sources of that
family random hosts in it (all of them for syn).

Prints "sent N" and the count per kind; exits 0 unless the socket fails.
"""
import argparse
import ipaddress
import random
import socket
import struct
import sys
import time

ETH_P_IP, ETH_P_IPV6 = 0x0800, 0x86DD
TCP, UDP, ICMP, ICMP6 = 6, 17, 1, 58


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def a2b(fam, a):
    return socket.inet_pton(socket.AF_INET6 if fam == 6 else socket.AF_INET, a)


class Fuzz:
    def __init__(self, args):
        self.r = random.Random(args.seed)
        self.targets = []
        for t in args.target:
            fam, src, dst, proto, port = t.split(",")
            self.targets.append((int(fam), src, dst, int(proto), int(port)))
        self.conns = []
        for c in args.conn or []:
            fam, proto, src, sport, dst, dport = c.split(",")
            self.conns.append((int(fam), int(proto), src, int(sport), dst, int(dport)))
        self.spoof = {}
        for p in args.spoof or []:
            n = ipaddress.ip_network(p)
            self.spoof[n.version] = n
        self.kinds = args.kinds.split(",") if args.kinds else self.KINDS
        self.counts = {}

    # --- headers --------------------------------------------------------------------

    def ip4(self, src, dst, proto, payload, ihl=None, tot=None, frag=0, ident=None,
            opts=b"", ttl=64, good_csum=True):
        hl = 20 + len(opts)
        if ihl is None:
            ihl = hl // 4
        if tot is None:
            tot = hl + len(payload)
        ident = self.r.getrandbits(16) if ident is None else ident
        h = struct.pack("!BBHHHBBH4s4s", 0x40 | (ihl & 0xF), 0, tot & 0xFFFF, ident,
                        frag & 0xFFFF, ttl, proto, 0, src, dst) + opts
        c = csum(h) if good_csum else self.r.getrandbits(16)
        h = h[:10] + struct.pack("!H", c) + h[12:]
        return h + payload

    def ip6(self, src, dst, nh, payload, plen=None):
        if plen is None:
            plen = len(payload)
        return struct.pack("!IHBB16s16s", 0x60000000, plen & 0xFFFF, nh, 64, src, dst) + payload

    def pseudo(self, fam, src, dst, proto, l4):
        if fam == 4:
            return struct.pack("!4s4sBBH", src, dst, 0, proto, len(l4))
        return struct.pack("!16s16sIxxxB", src, dst, len(l4), proto)

    def tcp(self, fam, src, dst, sport, dport, flags, opts=b"", data=b"", doff=None,
            seq=None, ack=0, good_csum=True):
        if doff is None:
            doff = (20 + len(opts)) // 4
        seq = self.r.getrandbits(32) if seq is None else seq
        h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, (doff & 0xF) << 4, flags & 0xFF,
                        65535, 0, 0) + opts + data
        c = csum(self.pseudo(fam, src, dst, TCP, h) + h) if good_csum else self.r.getrandbits(16)
        return h[:16] + struct.pack("!H", c) + h[18:]

    def udp(self, fam, src, dst, sport, dport, data, ulen=None, good_csum=True):
        ulen = 8 + len(data) if ulen is None else ulen
        h = struct.pack("!HHHH", sport, dport, ulen & 0xFFFF, 0) + data
        c = csum(self.pseudo(fam, src, dst, UDP, h) + h) if good_csum else 0
        return h[:6] + struct.pack("!H", c or 0xFFFF) + h[8:]

    def wrap(self, fam, src, dst, proto, l4, **kw):
        if fam == 4:
            return ETH_P_IP, self.ip4(src, dst, proto, l4, **kw)
        return ETH_P_IPV6, self.ip6(src, dst, proto, l4)

    # --- pieces ---------------------------------------------------------------------

    def spoofed(self, fam):
        n = self.spoof[fam]
        return (n.network_address + self.r.randrange(1, min(n.num_addresses - 1, 1 << 30))).packed

    def target(self, spoof=0.3):
        fam, src, dst, proto, port = self.r.choice(self.targets)
        s = a2b(fam, src)
        if fam in self.spoof and self.r.random() < spoof:
            s = self.spoofed(fam)
        return fam, s, a2b(fam, dst), proto, port

    def sport(self):
        return self.r.randint(1024, 65535)

    def junk(self, n):
        return bytes(self.r.getrandbits(8) for _ in range(n))

    def bad_opts(self):
        r = self.r
        k = r.randrange(14)
        if k == 0:
            o = bytes([r.choice([2, 3, 4, 5, 8, 30, 34, 253, 254]), r.choice([0, 1])])
        elif k == 1:  # a length past the header
            o = bytes([r.choice([2, 5, 8, 254]), r.randint(12, 255)]) + self.junk(6)
        elif k == 2:
            o = bytes([2, r.choice([2, 3, 5, 6]), 5, 0xB4])  # MSS, wrong length
        elif k == 3:
            o = bytes([3, r.choice([2, 4]), 14])  # window scale, wrong length
        elif k == 4:
            o = bytes([5, r.choice([2, 3, 9, 11, 17, 34, 40])]) + self.junk(r.randint(0, 36))
        elif k == 5:
            o = bytes([8, r.choice([2, 9, 11, 18])]) + self.junk(8)  # timestamps
        elif k in (6, 7, 8):  # TOA kinds with every length
            kind = r.choice([254, 253])
            ln = r.randint(0, 40)
            o = bytes([kind, ln]) + self.junk(r.randint(0, 38))
        elif k == 9:
            o = bytes([1] * r.randint(1, 40))
        elif k == 10:
            o = bytes([0]) + self.junk(r.randint(0, 39))
        elif k == 11:
            o = bytes([2, 4, 5, 0xB4, 254, 8]) + self.junk(r.randint(0, 10))
        elif k == 12:
            o = bytes([r.choice([254, 253, 2, 5])])  # a kind without a length byte
        else:
            o = self.junk(r.randint(1, 40))
        o = o[:40]
        while len(o) % 4:
            o += b"\0" if r.random() < 0.5 else b"\1"
        return o

    # --- kinds of packets ------------------------------------------------------------

    def k_ip4_hdr(self):
        fam, s, d, proto, port = self.target()
        if fam != 4:
            return self.k_tcp_hdr()
        r = self.r
        l4 = self.tcp(4, s, d, self.sport(), port, 0x02, bytes([2, 4, 5, 0xB4]))
        which = r.randrange(5)
        if which == 0:
            return ETH_P_IP, self.ip4(s, d, TCP, l4, ihl=r.randint(0, 4))
        if which == 1:
            return ETH_P_IP, self.ip4(s, d, TCP, l4, ihl=r.randint(6, 15))
        if which == 2:
            return ETH_P_IP, self.ip4(s, d, TCP, l4, tot=r.choice(
                [0, 1, 19, 20, 21, 39, 40 + len(l4) - 20, 20 + len(l4) + r.randint(1, 2000), 65535]))
        if which == 3:
            opts = r.choice([bytes([0x44, r.randint(0, 40)]) + self.junk(6),   # timestamp option
                             bytes([0x83, r.choice([0, 1, 2, 3, 39, 255])]) + self.junk(2),  # LSRR
                             bytes([0x94, 4, 0, 0]),  # router alert
                             self.junk(4 * r.randint(1, 10))])
            opts = opts[:40]
            while len(opts) % 4:
                opts += b"\0"
            return ETH_P_IP, self.ip4(s, d, TCP, l4, opts=opts)
        return ETH_P_IP, self.ip4(s, d, TCP, l4, good_csum=False)

    def k_tcp_hdr(self):
        fam, s, d, proto, port = self.target()
        r = self.r
        flags = r.choice([0x02, 0x03, 0x06, 0x12, 0x00, 0xFF, 0x3F, 0x01, 0x04, 0x10, 0x18, 0x42, 0xC2])
        doff = r.choice([0, 1, 4, 6, 15, None])
        data = self.junk(r.choice([0, 1, 3, 20]))
        l4 = self.tcp(fam, s, d, self.sport(), port, flags, data=data, doff=doff,
                      good_csum=r.random() < 0.9)
        if r.random() < 0.3:
            l4 = l4[:r.randint(0, 19)]  # a TCP header cut short
        return self.wrap(fam, s, d, TCP, l4)

    def k_tcp_opt(self):
        fam, s, d, proto, port = self.target()
        r = self.r
        flags = r.choice([0x02, 0x02, 0x10, 0x18, 0x12])
        l4 = self.tcp(fam, s, d, self.sport(), port, flags, opts=self.bad_opts(),
                      data=self.junk(r.choice([0, 0, 10])))
        return self.wrap(fam, s, d, TCP, l4)

    def k_udp(self):
        fam, s, d, proto, port = self.target()
        r = self.r
        data = self.junk(r.choice([0, 1, 8, 100]))
        ulen = r.choice([0, 1, 7, 8, 9 + len(data), 8 + len(data) + r.randint(1, 1000), 65535, None])
        l4 = self.udp(fam, s, d, self.sport(), port, data, ulen=ulen, good_csum=r.random() < 0.8)
        if r.random() < 0.2:
            l4 = l4[:r.randint(0, 7)]
        return self.wrap(fam, s, d, UDP, l4)

    def k_frag(self):
        fam, s, d, proto, port = self.target()
        r = self.r
        l4 = self.tcp(fam, s, d, self.sport(), port, 0x02, bytes([2, 4, 5, 0xB4]), data=self.junk(40))
        ident = r.getrandbits(16 if fam == 4 else 32)
        frames = []
        which = r.randrange(6)
        if which == 0:    # the TCP header split: 8 bytes, then the rest
            pieces = [(0, l4[:8], True), (8, l4[8:], False)]
        elif which == 1:  # overlapping, different data
            pieces = [(0, l4[:24], True), (8, self.junk(32), True), (16, l4[16:], False)]
        elif which == 2:  # a duplicate first fragment
            pieces = [(0, l4[:16], True), (0, l4[:16], True), (16, l4[16:], False)]
        elif which == 3:  # only the last fragment
            pieces = [(r.choice([8, 16, 1480]), l4, False)]
        elif which == 4:  # offsets past 64 KiB
            pieces = [(0, l4[:16], True), (65528, l4[16:], False)]
        else:             # a tiny first fragment, more following with no end
            pieces = [(0, l4[:8], True), (8, l4[8:16], True)]
        r.shuffle(pieces) if r.random() < 0.3 else None
        for off, chunk, mf in pieces:
            if fam == 4:
                frag = ((off // 8) & 0x1FFF) | (0x2000 if mf else 0)
                frames.append((ETH_P_IP, self.ip4(s, d, TCP, chunk, frag=frag, ident=ident)))
            else:
                fh = struct.pack("!BBHI", TCP, 0, ((off // 8) << 3) | (1 if mf else 0), ident)
                frames.append((ETH_P_IPV6, self.ip6(s, d, 44, fh + chunk)))
        return frames

    def quoted(self, fam):
        """The packet an ICMP error quotes: a live connection's (if any), else junk."""
        r = self.r
        conns = [c for c in self.conns if c[0] == fam]
        if conns and r.random() < 0.6:
            _, proto, src, sport, dst, dport = r.choice(conns)
            # the quoted packet went the other way: from this error's destination
            qs, qd, qsp, qdp = a2b(fam, dst), a2b(fam, src), dport, sport
        else:
            fam2, s, d, proto, port = self.target()
            if fam2 != fam:
                return None
            qs, qd, qsp, qdp = d, s, port, self.sport()
        if proto == TCP:
            l4 = self.tcp(fam, qs, qd, qsp, qdp, 0x10)
        else:
            l4 = self.udp(fam, qs, qd, qsp, qdp, b"x" * 8)
        if fam == 4:
            inner = self.ip4(qs, qd, proto, l4)
            which = r.randrange(7)
            if which == 0:
                inner = inner[:r.randint(0, 27)]  # cut inside the IP or L4 header
            elif which == 1:
                inner = bytes([0x40 | r.choice([0, 3, 6, 15])]) + inner[1:]  # lying IHL
            elif which == 2:
                inner = inner[:2] + struct.pack("!H", r.choice([0, 1, 20, 28, 65535])) + inner[4:]
            elif which == 3:
                inner = inner[:9] + bytes([r.choice([0, 1, 47, 132, 255])]) + inner[10:]
            elif which == 4:
                inner = inner[:28]  # the RFC 792 minimum
            return inner
        inner = self.ip6(qs, qd, proto, l4)
        which = r.randrange(6)
        if which == 0:
            inner = inner[:r.randint(0, 47)]
        elif which == 1:
            inner = inner[:4] + struct.pack("!H", r.choice([0, 1, 65535])) + inner[6:]
        elif which == 2:  # quoted extension headers, maybe cut
            ext = struct.pack("!BB", proto, r.choice([0, 1, 255])) + b"\1\4\0\0\0\0"
            inner = self.ip6(qs, qd, 0, ext + l4)[:r.randint(40, 48 + len(l4) + 8)]
        elif which == 3:
            inner = inner[:6] + bytes([r.choice([0, 43, 44, 59, 60, 255])]) + inner[7:]
        return inner

    def k_icmp(self):
        r = self.r
        fam, s, d, proto, port = self.target()
        # errors come from anywhere: the target's source, or a router
        inner = self.quoted(fam)
        if inner is None:
            return self.k_tcp_hdr()
        conns = [c for c in self.conns if c[0] == fam]
        if conns and r.random() < 0.6:
            c = r.choice(conns)
            s, d = a2b(fam, c[2]), a2b(fam, c[4])
        if fam == 4:
            typ, code = r.choice([(3, 0), (3, 1), (3, 3), (3, 4), (11, 0), (12, 0), (4, 0), (5, 1),
                                  (8, 0), (3, 99)])
            rest = struct.pack("!HH", 0, r.choice([0, 68, 576, 1280, 1500, 65535])) if code == 4 \
                else self.junk(4)
            body = struct.pack("!BBH", typ, code, 0) + rest + inner
            body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
            return ETH_P_IP, self.ip4(s, d, ICMP, body)
        typ, code = r.choice([(1, 0), (1, 4), (2, 0), (3, 0), (4, 0), (4, 1), (128, 0), (1, 99)])
        rest = struct.pack("!I", r.choice([0, 68, 1279, 1280, 1500, 0xFFFFFFFF])) if typ == 2 \
            else self.junk(4)
        body = struct.pack("!BBH", typ, code, 0) + rest + inner
        c = csum(self.pseudo(6, s, d, ICMP6, body) + body)
        if r.random() < 0.1:
            c ^= 0x1234
        body = body[:2] + struct.pack("!H", c) + body[4:]
        return ETH_P_IPV6, self.ip6(s, d, ICMP6, body)

    def k_ip6_ext(self):
        fam, s, d, proto, port = self.target()
        if fam != 6:
            return self.k_tcp_opt()
        r = self.r
        l4 = self.tcp(6, s, d, self.sport(), port, 0x02, bytes([2, 4, 5, 0xA0]))
        nxt = TCP
        chain = b""
        for _ in range(r.choice([1, 2, 3, 8, 20])):
            kind = r.choice([0, 60, 43, 44, 60])
            if kind == 44:
                h = struct.pack("!BBHI", nxt, 0, r.choice([0, 1, 8, 0xFFF8]), r.getrandbits(32))
            elif kind == 43:
                segs = r.randint(0, 3)
                h = struct.pack("!BBBB", nxt, 2 * segs, r.choice([0, 2, 4, 253]), r.choice([0, segs, 255]))
                h += b"\0" * 4 + b"".join(s for _ in range(segs))
            else:
                ln = r.choice([0, 0, 1, 2])
                h = struct.pack("!BB", nxt, ln) + bytes([1, 4 + 8 * ln]) + b"\0" * (4 + 8 * ln)
                if r.random() < 0.2:
                    h = struct.pack("!BB", nxt, ln) + self.junk(6 + 8 * ln)  # bad TLVs
            chain = h + chain
            nxt = kind
        payload = chain + l4
        which = r.randrange(4)
        if which == 0:
            payload = payload[:r.randint(0, len(chain))]  # the chain cut short
        elif which == 1:  # a length past the packet in the first header
            payload = payload[:1] + bytes([255]) + payload[2:]
        plen = None if r.random() < 0.85 else r.choice([0, 8, 65535])
        return ETH_P_IPV6, self.ip6(s, d, nxt, payload, plen=plen)

    def k_flip(self):
        fam, s, d, proto, port = self.target()
        r = self.r
        if proto == UDP:
            l4 = self.udp(fam, s, d, self.sport(), port, b"hello")
        else:
            l4 = self.tcp(fam, s, d, self.sport(), port, r.choice([0x02, 0x10, 0x18]),
                          bytes([2, 4, 5, 0xB4, 1, 3, 3, 7]), data=self.junk(r.choice([0, 16])))
        eth, pkt = self.wrap(fam, s, d, proto, l4)
        pkt = bytearray(pkt)
        for _ in range(r.randint(1, 6)):
            pkt[r.randrange(len(pkt))] ^= r.randint(1, 255)
        if r.random() < 0.3:
            pkt = pkt[:r.randint(1, len(pkt))]
        return eth, bytes(pkt)

    def k_syn(self):
        """Not malformed: a SYN flood, every source spoofed when --spoof covers it."""
        fam, s, d, proto, port = self.target(spoof=1.0)
        l4 = self.tcp(fam, s, d, self.sport(), port, 0x02, bytes([2, 4, 5, 0xB4]))
        return self.wrap(fam, s, d, TCP, l4)

    KINDS = ["ip4_hdr", "tcp_hdr", "tcp_opt", "udp", "frag", "icmp", "ip6_ext", "flip"]

    def next(self):
        k = self.r.choice(self.kinds)
        self.counts[k] = self.counts.get(k, 0) + 1
        f = getattr(self, "k_" + k)()
        return f if isinstance(f, list) else [f]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ifname", required=True)
    ap.add_argument("--dmac", required=True)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--target", action="append", required=True)
    ap.add_argument("--conn", action="append")
    ap.add_argument("--spoof", action="append")
    ap.add_argument("--kinds", help="comma-separated kinds (default: every malformed kind; "
                    "syn: a SYN flood)")
    ap.add_argument("--rate", type=float, default=0, help="frames per second (0: as fast as possible)")
    args = ap.parse_args()
    fz = Fuzz(args)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((args.ifname, 0))
    smac = s.getsockname()[4]
    dmac = bytes.fromhex(args.dmac.replace(":", ""))
    sent = 0
    full = 0
    start = time.time()
    while sent < args.count:
        if args.rate and sent > args.rate * (time.time() - start):
            time.sleep(0.01)
            continue
        # (a fragmented packet is several frames: the last one may be cut off here)
        for eth, pkt in fz.next()[:args.count - sent]:
            frame = dmac + smac + struct.pack("!H", eth) + pkt
            try:
                s.send(frame)
            except OSError:
                full += 1  # the device's queue is full: this frame is lost
            sent += 1
    print("sent %d (queue full %d): %s" % (sent, full, " ".join(
        "%s=%d" % kv for kv in sorted(fz.counts.items()))))


if __name__ == "__main__":
    sys.exit(main())
