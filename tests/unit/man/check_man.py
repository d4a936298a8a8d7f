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
import re
import shutil
import subprocess
import sys

SPEC = re.compile(r'\{"([a-z-]*)",\s*(?:\'(.)\'|0),\s*Arg::\w+,\s*Tag::(\w+)\}')
REFUSED_TAGS = {"Masquerading", "Gatewaying", "Ipip", "Fwmark"}
LONG = re.compile(r"(?<![\w-])--([a-z][a-z-]*[a-z])")
SHORT = re.compile(r"(?<![\w-])-([A-Za-z])(?![\w-])")


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


def options_in(text, shorts=True):
    found = {"--" + m for m in LONG.findall(text)}
    if shorts:
        found |= {"-" + m for m in SHORT.findall(text)}
    return found


def plain(roff_line):
    """A roff line as text: escapes \\- and fonts resolved, macros dropped."""
    s = re.sub(r"\\f[BIRP]", "", roff_line)
    s = s.replace("\\-", "-").replace("\\(->", "->")
    s = re.sub(r'^\.(B|I|BR|BI|RB|IR|RI)\s+', "", s)
    return s.replace('"', " ")


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

    helptext = subprocess.run([args.tool, "--help"], capture_output=True, text=True, check=True).stdout
    in_help = options_in(helptext)
    # "-L|-l" and "-A|E" style alternatives in the usage lines.
    in_help |= {"-" + c for c in re.findall(r"(?<=\|)([A-Za-z])\b", helptext)}
    for o in sorted(accepted - in_help):
        problems.append(f"--help does not name {o}, which the tool accepts")
    for o in sorted(in_help - every):
        problems.append(f"--help names {o}, which the tool does not know")

    with open(args.man) as f:
        lines = f.read().splitlines()
    defined = set()
    for i, line in enumerate(lines):
        if line.startswith(".TP") and i + 1 < len(lines):
            item = plain(lines[i + 1])
            if item.lstrip().startswith("-"):
                defined |= options_in(item)
    for o in sorted(every - defined):
        problems.append(f"the man page defines no {o}, which the tool's table has")
    for o in sorted(defined - every):
        problems.append(f"the man page defines {o}, which the tool does not know")
    for line in lines:
        text = plain(line).strip()
        if re.match(r"^(ip netns exec \S+ )?ipvsadm-fnat\s", text):
            for o in sorted(options_in(text) - every):
                problems.append(f"man page command line uses unknown option {o}: {text}")

    groff = shutil.which("groff")
    if groff:
        r = subprocess.run([groff, "-man", "-ww", "-z", "-Tutf8", args.man], capture_output=True, text=True)
        if r.returncode != 0 or r.stderr.strip():
            problems.append("groff warnings: " + r.stderr.strip())

    for p in problems:
        print("FAIL", p)
    print(f"{len(accepted)} accepted and {len(refused)} refused options; "
          f"--help names {len(in_help)}, the man page defines {len(defined)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
