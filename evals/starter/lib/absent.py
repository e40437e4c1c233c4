"""Fails when a word is still used in the files given by glob patterns.

Usage: python3 absent.py WORD PATTERN [PATTERN ...]
Exit 0 when WORD (as a whole identifier) appears in none of the files, else 1 with
where it was found.
"""
import pathlib
import re
import sys

word, patterns = sys.argv[1], sys.argv[2:]
found = []
for pattern in patterns:
    for path in sorted(pathlib.Path(".").glob(pattern)):
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if re.search(r"\b%s\b" % re.escape(word), line):
                found.append("%s:%d: %s" % (path, number, line.strip()))
if found:
    print("%s is still used:\n%s" % (word, "\n".join(found)))
    sys.exit(1)
print("%s is gone" % word)
