"""How long ``import vace_studio`` takes, next to ``import httpx, pydantic`` (goal: ≤ 1.5×).

Each import runs in a fresh interpreter, ``--repeat`` times in alternation so both see the same
machine load. Two clocks are read per run: the wall time of ``python -c`` and the CPU time it
used (user + system, from ``getrusage``); an empty ``python -c`` is subtracted from both. CPU time
is the steadier figure on a busy machine, wall time the one a person feels.

Both sides import from cached bytecode, as they would from an installed wheel: an editable
install under ``PYTHONDONTWRITEBYTECODE`` would otherwise compile every ``vace_studio`` module
from source on each run while httpx and pydantic read their ``.pyc`` files, which is not the
comparison a user makes. The children write and read their bytecode in a private
``PYTHONPYCACHEPREFIX``, warmed once per case before timing. Prints medians and the ratios, and
saves them to ``benchmarks/results/import.json``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks.common import save

CASES = {
    "empty": "pass",
    "httpx+pydantic": "import httpx, pydantic",
    "vace_studio": "import vace_studio",
    "vace_studio+Studio": "from vace_studio import Studio",
}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _once(code: str, env: dict[str, str]) -> tuple[float, float]:
    """(wall, cpu) seconds of one ``python -c code``."""
    cpu_before, started = _children_cpu(), time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    return time.perf_counter() - started, _children_cpu() - cpu_before


def _medians(samples: dict[str, list[float]]) -> dict[str, float]:
    base = statistics.median(samples["empty"])
    return {name: statistics.median(t) - base for name, t in samples.items() if name != "empty"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vace-import-pyc-") as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = cache
        for code in CASES.values():  # warm the bytecode cache
            _once(code, env)
        wall: dict[str, list[float]] = {name: [] for name in CASES}
        cpu: dict[str, list[float]] = {name: [] for name in CASES}
        for _ in range(args.repeat):
            for name, code in CASES.items():
                w, c = _once(code, env)
                wall[name].append(w)
                cpu[name].append(c)
    wall_medians, cpu_medians = _medians(wall), _medians(cpu)
    ratios = {
        clock: medians["vace_studio"] / medians["httpx+pydantic"]
        for clock, medians in (("wall", wall_medians), ("cpu", cpu_medians))
    }
    for name in wall_medians:
        print(
            f"{name:22s} wall {wall_medians[name] * 1000:7.1f} ms   cpu "
            f"{cpu_medians[name] * 1000:7.1f} ms   (medians of {args.repeat}, an empty "
            "interpreter subtracted)"
        )
    print(
        f"import vace_studio / import httpx, pydantic = {ratios['wall']:.2f}x wall, "
        f"{ratios['cpu']:.2f}x cpu (goal <= 1.5x)"
    )
    save(
        "import",
        {
            "repeat": args.repeat,
            "interpreter_start_s": {
                "wall": statistics.median(wall["empty"]),
                "cpu": statistics.median(cpu["empty"]),
            },
            "median_s": wall_medians,
            "median_cpu_s": cpu_medians,
            "ratio_vs_httpx_pydantic": ratios["wall"],
            "ratio_cpu_vs_httpx_pydantic": ratios["cpu"],
        },
    )


if __name__ == "__main__":
    main()
