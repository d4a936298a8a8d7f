#!/usr/bin/env python3
"""A daemon's man page and its `--help` name the same options (ipvs-fnat-mirror,
ipvs-fnat-rhi: --prog).

- every option --help names is defined in the man page's OPTIONS (a .TP item), and
  the page defines no option --help lacks;
- every ipvs-fnat-mirror command line in the page uses only those options;
- the page renders without groff warnings (when groff is installed).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from manpage import (command_line_problems, defined_options, groff_problems,  # noqa: E402
                     help_options, read_page)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--man", required=True)
    ap.add_argument("--prog", default="ipvs-fnat-mirror")
    ap.add_argument("--min", type=int, default=9, help="fewest options --help can name")
    args = ap.parse_args()
    problems = []

    in_help = help_options(args.tool)
    if len(in_help) < args.min:
        problems.append(f"only {len(in_help)} options in --help: its form changed")

    lines = read_page(args.man)
    defined = defined_options(lines)
    for o in sorted(in_help - defined):
        problems.append(f"the man page defines no {o}, which --help names")
    for o in sorted(defined - in_help):
        problems.append(f"the man page defines {o}, which --help does not name")
    problems += command_line_problems(lines, args.prog, in_help)
    problems += groff_problems(args.man)

    for p in problems:
        print("FAIL", p)
    print(f"--help names {len(in_help)} options, the man page defines {len(defined)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
