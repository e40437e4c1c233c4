"""Checks that the public functions of a Python file have docstrings.

Usage: python3 docstrings.py FILE [--at-least SHARE]
Exit 0 when every public (not underscore) top-level function has a non-empty
docstring, or with --at-least, when at least that share (0 to 1) of them do.
"""
import ast
import sys

path = sys.argv[1]
share = float(sys.argv[sys.argv.index("--at-least") + 1]) if "--at-least" in sys.argv else 1.0
try:
    tree = ast.parse(open(path).read(), path)
except SyntaxError as error:
    print("%s does not parse: %s" % (path, error))
    sys.exit(1)
public = [n for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]
missing = [n.name for n in public if not (ast.get_docstring(n) or "").strip()]
documented = len(public) - len(missing)
print("%d of %d public functions have a docstring; missing: %s" % (documented, len(public), ", ".join(missing) or "none"))
sys.exit(0 if public and documented >= share * len(public) else 1)
