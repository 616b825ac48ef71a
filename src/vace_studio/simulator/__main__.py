"""``python -m vace_studio.simulator``: the standalone simulator (same options as
``vace-studio simulator``)."""

from __future__ import annotations

import argparse
import sys

from vace_studio.simulator.cli import add_arguments, run_cli


def main(argv: list[str] | None = None) -> int:
    """Parse the options and serve until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m vace_studio.simulator",
        description="Serve the vace-studio provider simulator.",
    )
    add_arguments(parser)
    return run_cli(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
