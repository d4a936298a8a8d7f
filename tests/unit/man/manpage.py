"""What the man page checks of both programs share: reading options out of --help
text and roff, the options a page defines (its .TP items), the options its command
lines use, and groff's warnings. Imported by check_man.py and check_mirror_man.py."""
import re
import shutil
import subprocess

LONG = re.compile(r"(?<![\w-])--([a-z][a-z-]*[a-z])")
SHORT = re.compile(r"(?<![\w-])-([A-Za-z])(?![\w-])")


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


def help_options(tool):
    """The options `tool --help` names, "-A|E" style alternatives included."""
    text = subprocess.run([tool, "--help"], capture_output=True, text=True, check=True).stdout
    return options_in(text) | {"-" + c for c in re.findall(r"(?<=\|)-?([A-Za-z])\b", text)}


def read_page(path):
    with open(path) as f:
        return f.read().splitlines()


def defined_options(lines):
    """The options the page defines: those of each .TP item that starts with one."""
    defined = set()
    for i, line in enumerate(lines):
        if line.startswith(".TP") and i + 1 < len(lines):
            item = plain(lines[i + 1])
            if item.lstrip().startswith("-"):
                defined |= options_in(item)
    return defined


def command_line_problems(lines, program, known, prefix=""):
    """Each option a command line of the page (one starting with PREFIX PROGRAM) uses
    that KNOWN lacks."""
    problems = []
    pattern = re.compile(r"^" + prefix + re.escape(program) + r"\s")
    for line in lines:
        text = plain(line).strip()
        if pattern.match(text):
            for o in sorted(options_in(text) - known):
                problems.append(f"man page command line uses unknown option {o}: {text}")
    return problems


def groff_problems(path):
    groff = shutil.which("groff")
    if not groff:
        return []
    r = subprocess.run([groff, "-man", "-ww", "-z", "-Tutf8", path], capture_output=True, text=True)
    if r.returncode != 0 or r.stderr.strip():
        return ["groff warnings: " + r.stderr.strip()]
    return []
