"""Runs a test command and checks that enough tests ran and none failed.

Usage: python3 run_tests.py --min N -- COMMAND [ARG ...]
Reads Python unittest's "Ran N tests" / "OK" or node:test's "# pass N" / "# fail N".
"""
import re
import subprocess
import sys

split = sys.argv.index("--")
minimum = int(sys.argv[sys.argv.index("--min") + 1])
command = sys.argv[split + 1:]
done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
output = done.stdout
ran = re.search(r"^Ran (\d+) tests?", output, re.M)
passed = re.search(r"^# pass (\d+)", output, re.M)
count = int(ran.group(1)) if ran else int(passed.group(1)) if passed else 0
print(output[-1500:])
if done.returncode != 0:
    print("the tests failed (exit %d)" % done.returncode)
    sys.exit(1)
if count < minimum:
    print("only %d tests ran; at least %d are expected" % (count, minimum))
    sys.exit(1)
print("%d tests passed" % count)
