"""`make bench`: run every benchmark script in this folder, one after another.

Benchmarks measure; tests never assert timings. Each script prints its own figures.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failed = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n=== {script.name}", flush=True)
        # Our own scripts, from this folder: no untrusted input reaches the command.
        failed += subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode != 0  # noqa: S603
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
