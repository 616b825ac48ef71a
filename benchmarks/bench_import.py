"""How long ``import vace_studio`` takes, next to ``import httpx, pydantic`` (goal: ≤ 1.5×).

Each import runs in a fresh interpreter (``python -X importtime`` would add its own cost, so the
wall time of ``python -c`` minus that of an empty ``python -c`` is measured), ``--repeat`` times
in alternation so both see the same machine load. Prints medians and the ratio, and saves them
to ``benchmarks/results/import.json``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from benchmarks.common import save

CASES = {
    "empty": "pass",
    "httpx+pydantic": "import httpx, pydantic",
    "vace_studio": "import vace_studio",
    "vace_studio+Studio": "from vace_studio import Studio",
}


def _once(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(args.repeat):
        for name, code in CASES.items():
            times[name].append(_once(code))
    base = statistics.median(times["empty"])
    medians = {name: statistics.median(t) - base for name, t in times.items() if name != "empty"}
    ratio = medians["vace_studio"] / medians["httpx+pydantic"]
    for name, value in medians.items():
        print(
            f"{name:22s} {value * 1000:7.1f} ms (median of {args.repeat}, interpreter start "
            f"{base * 1000:.0f} ms subtracted)"
        )
    print(f"import vace_studio / import httpx, pydantic = {ratio:.2f}x (goal <= 1.5x)")
    save(
        "import",
        {
            "repeat": args.repeat,
            "interpreter_start_s": base,
            "median_s": medians,
            "ratio_vs_httpx_pydantic": ratio,
        },
    )


if __name__ == "__main__":
    main()
