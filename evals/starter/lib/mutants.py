"""Checks that tests catch broken versions of the code they test.

Usage: python3 mutants.py TARGET MUTANTS_DIR -- COMMAND [ARG ...]
For each file in MUTANTS_DIR, copies the workspace to a temporary folder, replaces
TARGET with the mutant and runs COMMAND there: every mutant must make it fail.
"""
import os
import shutil
import subprocess
import sys
import tempfile

split = sys.argv.index("--")
target, mutants_dir = sys.argv[1], sys.argv[2]
command = sys.argv[split + 1:]
survivors = []
for name in sorted(os.listdir(mutants_dir)):
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "w")
        shutil.copytree(".", copy, ignore=shutil.ignore_patterns(".git", "__pycache__", "node_modules"))
        shutil.copyfile(os.path.join(mutants_dir, name), os.path.join(copy, target))
        done = subprocess.run(command, cwd=copy, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if done.returncode == 0:
            survivors.append(name)
if survivors:
    print("the tests still pass with these broken versions of %s: %s" % (target, ", ".join(survivors)))
    sys.exit(1)
print("the tests catch every broken version of %s" % target)
