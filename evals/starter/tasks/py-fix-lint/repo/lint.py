"""A small linter: unused imports, comparisons to None with == or !=, bare except.

Usage: python3 lint.py FOLDER [--max N]
"""
import ast
import pathlib
import sys


def problems(path):
    tree = ast.parse(path.read_text(), str(path))
    found = []
    imported = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                imported[(alias.asname or alias.name).split(".")[0]] = node.lineno
        if isinstance(node, ast.Compare):
            for op, right in zip(node.ops, node.comparators):
                if isinstance(op, (ast.Eq, ast.NotEq)) and isinstance(right, ast.Constant) and right.value is None:
                    found.append("%s:%d: compare to None with 'is' / 'is not'" % (path, node.lineno))
        if isinstance(node, ast.ExceptHandler) and node.type is None:
            found.append("%s:%d: bare except" % (path, node.lineno))
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    used |= {n.value.id for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)}
    for name, line in imported.items():
        if name not in used:
            found.append("%s:%d: unused import %s" % (path, line, name))
    return found


def main():
    folder = pathlib.Path(sys.argv[1])
    limit = int(sys.argv[sys.argv.index("--max") + 1]) if "--max" in sys.argv else 0
    found = [p for path in sorted(folder.rglob("*.py")) for p in problems(path)]
    print("\n".join(found) or "clean")
    sys.exit(1 if len(found) > limit else 0)


if __name__ == "__main__":
    main()
