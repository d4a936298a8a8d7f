#!/usr/bin/env python3
"""man/ipvs-fnat-mirror.8 and `ipvs-fnat-mirror --help` name the same options.

- every option --help names is defined in the man page's OPTIONS (a .TP item), and
  the page defines no option --help lacks;
- every ipvs-fnat-mirror command line in the page uses only those options;
- the page renders without groff warnings (when groff is installed).
"""
import argparse
import re
import shutil
import subprocess
import sys

LONG = re.compile(r"(?<![\w-])--([a-z][a-z-]*[a-z])")
SHORT = re.compile(r"(?<![\w-])-([A-Za-z])(?![\w-])")


def options_in(text):
    return {"--" + m for m in LONG.findall(text)} | {"-" + m for m in SHORT.findall(text)}


def plain(roff_line):
    s = re.sub(r"\\f[BIRP]", "", roff_line)
    s = s.replace("\\-", "-")
    s = re.sub(r'^\.(B|I|BR|BI|RB|IR|RI)\s+', "", s)
    return s.replace('"', " ")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--man", required=True)
    args = ap.parse_args()
    problems = []

    helptext = subprocess.run([args.tool, "--help"], capture_output=True, text=True, check=True).stdout
    in_help = options_in(helptext)
    in_help |= {"-" + c for c in re.findall(r"(?<=\|)-?([A-Za-z])\b", helptext)}
    if len(in_help) < 9:
        problems.append(f"only {len(in_help)} options in --help: its form changed")

    with open(args.man) as f:
        lines = f.read().splitlines()
    defined = set()
    for i, line in enumerate(lines):
        if line.startswith(".TP") and i + 1 < len(lines):
            item = plain(lines[i + 1])
            if item.lstrip().startswith("-"):
                defined |= options_in(item)
    for o in sorted(in_help - defined):
        problems.append(f"the man page defines no {o}, which --help names")
    for o in sorted(defined - in_help):
        problems.append(f"the man page defines {o}, which --help does not name")
    for line in lines:
        text = plain(line).strip()
        if re.match(r"^ipvs-fnat-mirror\s", text):
            for o in sorted(options_in(text) - in_help):
                problems.append(f"man page command line uses unknown option {o}: {text}")

    groff = shutil.which("groff")
    if groff:
        r = subprocess.run([groff, "-man", "-ww", "-z", "-Tutf8", args.man], capture_output=True, text=True)
        if r.returncode != 0 or r.stderr.strip():
            problems.append("groff warnings: " + r.stderr.strip())

    for p in problems:
        print("FAIL", p)
    print(f"--help names {len(in_help)} options, the man page defines {len(defined)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
