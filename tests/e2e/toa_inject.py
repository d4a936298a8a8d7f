#!/usr/bin/python3
"""toa_inject.py — real TCP handshakes from a load balancer's address, with a TOA (or
any option bytes) in the handshake-completing ACK, as a FULLNAT director sends them.

    toa_inject.py [--src ADDR] [--dst ADDR] [--dport PORT] [--http HOST] CONN...
    toa_inject.py [--src ADDR] [--dst ADDR] [--dport PORT] --stdin

Each CONN is one connection, a space-separated list of key=value:

    toa=198.51.100.7:4000        an IPv4 TOA (kind 254, length 8) in the ACK
    toa=[2001:db8:c::7]:4000     an IPv6 TOA (kind 254, length 20) in the ACK
    kind=N                       the TOA's kind instead of 254
    opts=HEX                     these exact option bytes in the ACK instead (a multiple
                                 of 4 long, up to 40)
    none                         no option in the ACK
    src=ADDR                     this connection's source instead of --src
    dst=ADDR                     this connection's destination instead of --dst
    dport=PORT                   this connection's port instead of --dport
    http=HOST                    send an HTTP request after the ACK (like --http)
    tfo=1                        Fast Open: the SYN carries the experimental Fast Open
                                 option (254, magic 0xF989, no cookie), the TOA and the
                                 data (the HTTP request, or "hello"); the ACK carries none

The sequence, per connection: SYN -> SYN-ACK -> ACK (+ options) -> [request] -> wait for
the server's FIN -> RST (so that the server's socket goes away at once). With --http,
a GET for / with "Host: HOST" and "Connection: close" follows the ACK. For each
connection one line is printed:

    conn N sport=P ok reply=<what the server sent, \\n-escaped>

and the exit status is non-zero if a handshake failed. With --stdin, "ready" is printed
once scapy is loaded (slow under emulation: pay it once), then each line read is one
CONN, answered by one line. The TCP state is ours, not the
kernel's: the namespace must drop its own kernel's RSTs (nftables), and this script
sends from an AF_PACKET socket (scapy's L3PacketSocket), which nftables' output hook
does not see.
"""
import argparse
import ipaddress
import logging
import random
import select
import struct
import sys
import time

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)

from scapy.config import conf  # noqa: E402
from scapy.layers.inet import IP, TCP  # noqa: E402
from scapy.layers.inet6 import IPv6  # noqa: E402
from scapy.packet import Raw  # noqa: E402

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
MSS = bytes([2, 4, 0x05, 0xB4])
TFO_EXP_EMPTY = bytes([254, 4, 0xF9, 0x89])


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def tcp_segment(src, dst, sport, dport, seq, ack, flags, opts=b"", payload=b""):
    """The TCP segment's bytes, checksummed, with exactly these option bytes."""
    if len(opts) % 4 or len(opts) > 40:
        raise ValueError("options must be a multiple of 4 bytes, at most 40")
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      ((20 + len(opts)) // 4) << 4, flags, 65535, 0, 0)
    seg = hdr + opts + payload
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if s.version == 4:
        pseudo = s.packed + d.packed + struct.pack("!BBH", 0, 6, len(seg))
    else:
        pseudo = s.packed + d.packed + struct.pack("!I3xB", len(seg), 6)
    csum = checksum(pseudo + seg)
    return seg[:16] + struct.pack("!H", csum) + seg[18:]


def ip_packet(src, dst, seg):
    if ipaddress.ip_address(src).version == 4:
        return IP(src=src, dst=dst, proto=6) / Raw(seg)
    return IPv6(src=src, dst=dst, nh=6) / Raw(seg)


def toa_option(spec, kind):
    """toa=198.51.100.7:4000 or toa=[2001:db8::7]:4000 -> the option bytes."""
    host, _, port = spec.rpartition(":")
    addr = ipaddress.ip_address(host.strip("[]"))
    ln = 8 if addr.version == 4 else 20
    return bytes([kind, ln]) + struct.pack("!H", int(port)) + addr.packed


def pad(opts):
    while len(opts) % 4:
        opts += b"\x01"
    return opts


class Injector:
    def __init__(self):
        self.sock = conf.L3socket()
        self.sport = random.randint(20000, 50000)

    def send(self, src, dst, seg):
        self.sock.send(ip_packet(src, dst, seg))

    def recv_from_server(self, dst, dport, sport, timeout):
        """The next segment the server sends to sport, or None after timeout."""
        end = time.time() + timeout
        while True:
            left = end - time.time()
            if left <= 0:
                return None
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return None
            pkt = self.sock.recv()
            if pkt is None or TCP not in pkt:
                continue
            ipl = pkt[IP] if IP in pkt else (pkt[IPv6] if IPv6 in pkt else None)
            if ipl is None or ipaddress.ip_address(ipl.src) != ipaddress.ip_address(dst):
                continue
            t = pkt[TCP]
            if t.sport == dport and t.dport == sport:
                return t

    def connection(self, src, dst, dport, ack_opts, syn_extra=b"", syn_data=b"", request=b""):
        self.sport += 1
        sport = self.sport
        isn = random.randint(0, 2**32 - 1)
        syn = tcp_segment(src, dst, sport, dport, isn, 0, SYN,
                          pad(MSS + syn_extra), syn_data)
        synack = None
        for _ in range(3):
            self.send(src, dst, syn)
            deadline = time.time() + 5
            while time.time() < deadline:
                t = self.recv_from_server(dst, dport, sport, deadline - time.time())
                if t is not None and (t.flags & (SYN | ACK)) == (SYN | ACK):
                    synack = t
                    break
            if synack is not None:
                break
        if synack is None:
            raise RuntimeError("no SYN-ACK for port %d" % sport)
        seq = isn + 1
        if syn_data:
            if synack.ack != (isn + 1 + len(syn_data)) & 0xFFFFFFFF:
                raise RuntimeError("the server did not take the Fast Open data")
            seq += len(syn_data)
        elif synack.ack != (isn + 1) & 0xFFFFFFFF:
            raise RuntimeError("SYN-ACK acks %d, not %d" % (synack.ack, isn + 1))
        rcv = synack.seq + 1
        self.send(src, dst, tcp_segment(src, dst, sport, dport, seq, rcv, ACK, ack_opts))
        if request:
            self.send(src, dst, tcp_segment(src, dst, sport, dport, seq, rcv,
                                            PSH | ACK, b"", request))
            seq += len(request)

        # Collect what the server sends until its FIN.
        data = {}
        fin = False
        deadline = time.time() + 30
        while not fin and time.time() < deadline:
            t = self.recv_from_server(dst, dport, sport, deadline - time.time())
            if t is None:
                break
            if t.flags & RST:
                break
            payload = bytes(t.payload)
            if payload:
                data[t.seq] = payload
            if t.flags & FIN:
                fin = True
                rcv = max(rcv, t.seq + len(payload) + 1)
            elif payload:
                rcv = max(rcv, t.seq + len(payload))
        # Done: reset the server's side so that its socket dies now.
        self.send(src, dst, tcp_segment(src, dst, sport, dport, seq, rcv, RST | ACK))
        reply = b"".join(data[k] for k in sorted(data))
        return sport, fin, reply


def parse_conn(spec, default_src, default_dst, default_dport, default_http):
    c = {"src": default_src, "dst": default_dst, "dport": default_dport, "http": default_http,
         "opts": b"", "tfo": False, "toa": None, "kind": 254}
    for item in spec.split():
        key, _, val = item.partition("=")
        if key == "toa":
            c["toa"] = val
        elif key == "kind":
            c["kind"] = int(val, 0)
        elif key == "opts":
            c["opts"] = bytes.fromhex(val)
        elif key == "src":
            c["src"] = val
        elif key == "dst":
            c["dst"] = val
        elif key == "dport":
            c["dport"] = int(val)
        elif key == "http":
            c["http"] = val
        elif key == "tfo":
            c["tfo"] = val not in ("0", "")
        elif key == "none":
            pass
        else:
            raise ValueError("unknown connection key %r" % key)
    if not (c["src"] and c["dst"] and c["dport"]):
        raise ValueError("no source, destination or port")
    if c["toa"]:
        c["opts"] = pad(toa_option(c["toa"], c["kind"]))
    return c


def run(inj, n, spec, args):
    """One connection; prints its line, returns True if the handshake went through."""
    try:
        c = parse_conn(spec, args.src, args.dst, args.dport, args.http)
        request = b""
        if c["http"]:
            request = ("GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
                       % c["http"]).encode()
        if c["tfo"]:
            sport, fin, reply = inj.connection(c["src"], c["dst"], c["dport"], b"",
                                               syn_extra=TFO_EXP_EMPTY + c["opts"],
                                               syn_data=request or b"hello")
        else:
            sport, fin, reply = inj.connection(c["src"], c["dst"], c["dport"], c["opts"],
                                               request=request)
    except (RuntimeError, OSError, ValueError) as e:
        print("conn %d failed: %s" % (n, e), flush=True)
        return False
    text = reply.decode("utf-8", "replace").replace("\r", "\\r").replace("\n", "\\n")
    print("conn %d sport=%d %s reply=%s" % (n, sport, "ok" if fin else "nofin", text), flush=True)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src")
    ap.add_argument("--dst")
    ap.add_argument("--dport", type=int)
    ap.add_argument("--http", metavar="HOST")
    ap.add_argument("--stdin", action="store_true")
    ap.add_argument("conns", nargs="*", metavar="CONN")
    args = ap.parse_args()

    conf.verb = 0
    inj = Injector()
    ok = True
    if args.stdin:
        print("ready", flush=True)
        n = 0
        for line in sys.stdin:
            if line.strip():
                n += 1
                ok &= run(inj, n, line.strip(), args)
    for n, spec in enumerate(args.conns, 1):
        ok &= run(inj, n, spec, args)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
