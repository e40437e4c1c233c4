"""Checks a section of a Markdown file against rules.

Usage: python3 readme_rules.py FILE --heading "## Usage" [--code-block] [--table]
       [--mentions a,b,c] [--mentions-share SHARE] [--keeps TEXT] [--max-words N]
Exit 0 when the section under the heading (up to the next heading of the same or a
higher level) exists and meets every rule given; prints each rule's result.
"""
import argparse
import re
import sys

parser = argparse.ArgumentParser()
parser.add_argument("file")
parser.add_argument("--heading", required=True)
parser.add_argument("--code-block", action="store_true")
parser.add_argument("--table", action="store_true")
parser.add_argument("--mentions", default="")
parser.add_argument("--mentions-share", type=float, default=1.0)
parser.add_argument("--keeps", default=None)
parser.add_argument("--max-words", type=int, default=None)
args = parser.parse_args()

try:
    text = open(args.file).read()
except OSError as error:
    print("cannot read %s: %s" % (args.file, error))
    sys.exit(1)
level = len(args.heading) - len(args.heading.lstrip("#"))
lines = text.splitlines()
start = next((i for i, line in enumerate(lines) if line.strip().lower() == args.heading.lower()), None)
failures = []
if start is None:
    failures.append("no heading %r" % args.heading)
    section = ""
else:
    end = len(lines)
    for i in range(start + 1, len(lines)):
        match = re.match(r"^(#+)\s", lines[i])
        if match and len(match.group(1)) <= level:
            end = i
            break
    section = "\n".join(lines[start + 1:end])
if args.code_block and not re.search(r"^```", section, re.M):
    failures.append("no fenced code block in the section")
if args.table and not re.search(r"^\s*\|?\s*:?-{3,}", section, re.M):
    failures.append("no Markdown table in the section")
names = [name for name in args.mentions.split(",") if name]
missing = [name for name in names if name not in section]
if names and len(names) - len(missing) < args.mentions_share * len(names):
    failures.append("the section does not mention %s" % ", ".join(missing))
if args.keeps is not None and args.keeps not in text:
    failures.append("the text %r was removed" % args.keeps)
words = len(re.findall(r"\w+", section))
if args.max_words is not None and words > args.max_words:
    failures.append("the section has %d words, more than %d" % (words, args.max_words))
print("\n".join(failures) if failures else "every rule holds")
sys.exit(1 if failures else 0)
