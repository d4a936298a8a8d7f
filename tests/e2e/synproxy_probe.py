#!/usr/bin/python3
"""Hand-built TCP segments against a SYN-proxied VIP (scapy), for 54-synproxy.sh.

    synproxy_probe.py badack SRC DST PORT   an ACK no SYN-ACK preceded (a made-up
                                            cookie): prints what came back in 2 s
                                            ("silent" if nothing)
    synproxy_probe.py synack SRC DST PORT   a SYN: prints the SYN-ACK's window, MSS
                                            and options as "key=value ..."
    synproxy_probe.py early SRC DST PORT    a handshake whose ACK carries data at
                                            once: prints the data the (echo) server
                                            returns, or "nothing"
    synproxy_probe.py lostack SRC DST PORT  a handshake whose ACK is lost: the client,
                                            offered no window, probes (the sequence
                                            number before its next), then sends data
                                            once a window opens: prints "window=W
                                            echo=DATA" ("window=none" if no window
                                            opened, "echo=nothing" if no echo came)

The client's own kernel has no socket for these: the caller drops its RSTs.
"""
import random
import sys
import threading

from scapy.all import IP, IPv6, TCP, AsyncSniffer, conf, sr1, send  # noqa: E402

conf.verb = 0


def l3(src, dst):
    return IPv6(src=src, dst=dst) if ":" in dst else IP(src=src, dst=dst)


def badack(src, dst, port):
    sport = random.randint(20000, 60000)
    pkt = l3(src, dst) / TCP(sport=sport, dport=int(port), flags="A",
                             seq=random.getrandbits(32), ack=random.getrandbits(32))
    ans = sr1(pkt, timeout=2)
    print("silent" if ans is None else ans[TCP].sprintf("%TCP.flags%"))


def syn(src, dst, port, sport):
    pkt = l3(src, dst) / TCP(sport=sport, dport=int(port), flags="S", seq=1000,
                             options=[("MSS", 1460), ("SAckOK", b""),
                                      ("Timestamp", (12345, 0)), ("WScale", 7)])
    return sr1(pkt, timeout=3)


def synack(src, dst, port):
    ans = syn(src, dst, port, random.randint(20000, 60000))
    if ans is None or TCP not in ans:
        print("none")
        return
    t = ans[TCP]
    opts = {k: v for k, v in t.options if isinstance(k, str)}
    print("flags=%s window=%d mss=%s wscale=%s sack=%s ts=%s" % (
        t.sprintf("%TCP.flags%"), t.window, opts.get("MSS"), opts.get("WScale"),
        "SAckOK" in opts, "Timestamp" in opts))


def handshake(src, dst, port):
    """A SYN and its SYN-ACK: (sport, the SYN-ACK's TCP, the options a segment
    after it carries, the capture filter for what comes back), or None."""
    sport = random.randint(20000, 60000)
    ans = syn(src, dst, port, sport)
    if ans is None or TCP not in ans:
        return None
    t = ans[TCP]
    ts = dict((k, v) for k, v in t.options if isinstance(k, str)).get("Timestamp")
    opts = [("Timestamp", (12346, ts[0]))] if ts else []
    return sport, t, opts, "tcp and src port %s and dst port %d" % (port, sport)


def send_and_catch(pkt, filt, lfilter):
    """Send pkt with a capture already listening (an answer may come at once): the
    first segment lfilter takes, within 8 s, or None."""
    ready = threading.Event()
    sniffer = AsyncSniffer(filter=filt, timeout=8, count=1, started_callback=ready.set,
                           lfilter=lambda p: TCP in p and lfilter(p[TCP]))
    sniffer.start()
    ready.wait(5)
    send(pkt)
    sniffer.join()
    return sniffer.results[0][TCP] if sniffer.results else None


def has_data(t):
    return len(bytes(t.payload)) > 0


def text(t):
    return bytes(t.payload).decode(errors="replace").strip() if t is not None else "nothing"


def early(src, dst, port):
    h = handshake(src, dst, port)
    if h is None:
        print("no SYN-ACK")
        return
    sport, t, opts, filt = h
    ack = l3(src, dst) / TCP(sport=sport, dport=int(port), flags="PA", seq=1001,
                             ack=t.seq + 1, options=opts) / b"early data\n"
    print(text(send_and_catch(ack, filt, has_data)))


def lostack(src, dst, port):
    h = handshake(src, dst, port)
    if h is None:
        print("no SYN-ACK")
        return
    sport, t, opts, filt = h
    # The ACK (seq 1001) never leaves; the zero-window probe has seq 1000, as Linux's.
    probe = l3(src, dst) / TCP(sport=sport, dport=int(port), flags="A", seq=1000,
                               ack=t.seq + 1, options=opts)
    opened = send_and_catch(probe, filt, lambda r: r.window > 0)
    if opened is None:
        print("window=none")
        return
    data = l3(src, dst) / TCP(sport=sport, dport=int(port), flags="PA", seq=1001,
                              ack=t.seq + 1, options=opts) / b"after a lost ACK\n"
    print("window=%d echo=%s" % (opened.window, text(send_and_catch(data, filt, has_data))))


COMMANDS = {f.__name__: f for f in (badack, synack, early, lostack)}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
