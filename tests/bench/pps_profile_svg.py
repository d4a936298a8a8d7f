#!/usr/bin/env python3
"""Draw tests/bench/pps_profile.bash's tables as an SVG: one panel per case, one bar
per function, its inclusive nanoseconds per forwarded packet (the functions nest, so
the bars of a caller and its callees overlap in time; they are not to be summed).

    pps_profile_svg.py PROFILE.txt OUT.svg"""
import html
import re
import sys


def parse(path):
    cases, cur = [], None
    for line in open(path):
        if line.startswith("== "):
            cur = {"title": line[3:].strip(), "rows": []}
            cases.append(cur)
            continue
        m = re.match(r"\s+(\S+)\s+([\d.]+)\s+(\d+)\s*$", line)
        if cur is not None and m:
            cur["rows"].append((m.group(1), float(m.group(2)), int(m.group(3))))
    return [c for c in cases if c["rows"]]


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    cases = parse(argv[1])
    if not cases:
        sys.exit("pps_profile_svg: no table in " + argv[1])
    bar_h, gap, label_w, plot_w = 16, 4, 260, 520
    out, y = [], 10
    top = max(r[2] for c in cases for r in c["rows"]) or 1
    for c in cases:
        out.append(f'<text x="10" y="{y + 14}" font-weight="bold">{html.escape(c["title"])}</text>')
        y += 24
        for name, calls, ns in c["rows"]:
            w = max(1, int(plot_w * ns / top))
            out.append(f'<text x="10" y="{y + 12}">{html.escape(name)} ({calls:.2f}/pkt)</text>')
            out.append(f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="#c0504d"/>')
            out.append(f'<text x="{label_w + w + 4}" y="{y + 12}">{ns} ns</text>')
            y += bar_h + gap
        y += 12
    width = label_w + plot_w + 90
    with open(argv[2], "w") as f:
        f.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y}" '
                f'font-family="sans-serif" font-size="11">\n')
        f.write(f'<rect width="{width}" height="{y}" fill="white"/>\n')
        f.write("\n".join(out) + "\n</svg>\n")


if __name__ == "__main__":
    main(sys.argv)
