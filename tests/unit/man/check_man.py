#!/usr/bin/env python3
"""The man page and `ipvsadm-fnat --help` name the options the tool accepts.

The list of options comes from the tool's own option table (kOptionSpecs in
tools/ipvsadm-fnat/parser.cpp, which the parser runs on), not from a copy here:
- every option of the table is defined in the man page (a .TP item), and the man page
  defines no option the table lacks;
- every option the tool accepts is in --help, and --help names no unknown option
  (the refused ones, -m -g -i -f, may be left out of --help);
- every ipvsadm-fnat command line in the man page (synopsis, examples) uses only
  options of the table;
- the page renders without groff warnings (when groff is installed).
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from manpage import (command_line_problems, defined_options, groff_problems,  # noqa: E402
                     help_options, read_page)

SPEC = re.compile(r'\{"([a-z-]*)",\s*(?:\'(.)\'|0),\s*Arg::\w+,\s*Tag::(\w+)\}')
REFUSED_TAGS = {"Masquerading", "Gatewaying", "Ipip", "Fwmark"}


def table(parser_cpp):
    accepted, refused = set(), set()
    with open(parser_cpp) as f:
        text = f.read()
    for long_name, short_name, tag in SPEC.findall(text):
        names = set()
        if long_name:
            names.add("--" + long_name)
        if short_name:
            names.add("-" + short_name)
        (refused if tag in REFUSED_TAGS else accepted).update(names)
    return accepted, refused


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--man", required=True)
    ap.add_argument("--parser", required=True)
    args = ap.parse_args()
    problems = []

    accepted, refused = table(args.parser)
    if len(accepted) < 40:
        problems.append(f"only {len(accepted)} options read from {args.parser}: its table changed form")
    every = accepted | refused

    in_help = help_options(args.tool)
    for o in sorted(accepted - in_help):
        problems.append(f"--help does not name {o}, which the tool accepts")
    for o in sorted(in_help - every):
        problems.append(f"--help names {o}, which the tool does not know")

    lines = read_page(args.man)
    defined = defined_options(lines)
    for o in sorted(every - defined):
        problems.append(f"the man page defines no {o}, which the tool's table has")
    for o in sorted(defined - every):
        problems.append(f"the man page defines {o}, which the tool does not know")
    problems += command_line_problems(lines, "ipvsadm-fnat", every, prefix=r"(ip netns exec \S+ )?")
    problems += groff_problems(args.man)

    for p in problems:
        print("FAIL", p)
    print(f"{len(accepted)} accepted and {len(refused)} refused options; "
          f"--help names {len(in_help)}, the man page defines {len(defined)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
