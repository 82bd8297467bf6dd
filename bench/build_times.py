"""Benchmark: cold build against warm (unchanged) rebuild of the book.

Prints, for each of several runs, the wall time and peak memory of a build with an
empty execution cache (cold) and of a rebuild right after it with nothing changed
(warm), then the medians and warm/cold ratio. Target: warm at most 15% of cold.

Peak memory is the largest resident set of any single process of the build (the
Sphinx process or a notebook kernel), as the kernel reports it in ``ru_maxrss``.

Usage: python bench/build_times.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from solidarity_course.book import build_command

# Runs one command and reports its wall time and the peak RSS of its descendants;
# a separate interpreter per build so that RUSAGE_CHILDREN covers that build only.
_MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
wall = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": code, "wall_s": wall, "peak_mib": peak_kib / 1024}))
"""


def measure(command: list[str]) -> dict:
    """Wall seconds and peak MiB of one build; raises if the build failed."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, check=True
    )
    figures = json.loads(out.stdout)
    if figures["code"] != 0:
        raise SystemExit(f"build failed (exit {figures['code']}): {' '.join(command)}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="bench-book-") as out:
            command = build_command(output=Path(out))
            cold = measure(command)
            warm = measure(command)
        rows.append((cold, warm))
        print(
            f"run {run}: cold {cold['wall_s']:6.1f} s {cold['peak_mib']:7.0f} MiB | "
            f"warm {warm['wall_s']:6.1f} s {warm['peak_mib']:7.0f} MiB",
            flush=True,
        )
    cold_s = statistics.median(c["wall_s"] for c, _ in rows)
    warm_s = statistics.median(w["wall_s"] for _, w in rows)
    cold_mib = statistics.median(c["peak_mib"] for c, _ in rows)
    warm_mib = statistics.median(w["peak_mib"] for _, w in rows)
    print(f"median cold build:  {cold_s:.1f} s, peak {cold_mib:.0f} MiB")
    print(f"median warm build:  {warm_s:.1f} s, peak {warm_mib:.0f} MiB")
    print(f"warm / cold:        {warm_s / cold_s:.1%} (target: at most 15%)")


if __name__ == "__main__":
    main()
