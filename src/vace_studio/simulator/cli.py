"""The ``simulator`` command: serve the simulator in the foreground until interrupted.

The top-level CLI adds it with ``add_cli(subparsers)``; ``python -m vace_studio.simulator`` takes
the same options.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from vace_studio.simulator.config import FaultConfig, SimulatorConfig
from vace_studio.simulator.inputs import is_loopback_host
from vace_studio.simulator.server import serve

DEFAULT_PORT = 8765


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The simulator's options, on any parser."""
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help="port (default %(default)s; 0 = any free one)",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default loopback; anything else exposes it to the network)",
    )
    parser.add_argument(
        "--queue-seconds",
        type=float,
        default=1.0,
        help="seconds a task is queued (default %(default)s)",
    )
    parser.add_argument(
        "--run-seconds", type=float, default=4.0, help="seconds a task runs (default %(default)s)"
    )
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help="accept only this key (repeatable; default: the secret printed at start, or "
        "<secret>.<name> for another account)",
    )
    parser.add_argument(
        "--input-root",
        action="append",
        dest="input_roots",
        type=Path,
        default=[],
        metavar="DIR",
        help="a folder local file inputs may come from (repeatable; default: none, so only "
        "uploads and loopback URLs)",
    )
    parser.add_argument(
        "--no-quotas", action="store_true", help="lift DashScope's 2 submits/s, 2 tasks limits"
    )
    parser.add_argument(
        "--faults",
        metavar="JSON",
        help='fault settings, e.g. \'{"throttle_rate": 0.2, "seed": 1}\'',
    )
    parser.add_argument(
        "--list-lag",
        type=float,
        default=1.0,
        help="seconds before a new task appears in the DashScope task list (default %(default)s)",
    )
    parser.add_argument(
        "--clock-skew",
        type=float,
        default=0.0,
        help="seconds the service's clock is ahead of this machine's (default %(default)s)",
    )
    parser.add_argument("--data-dir", type=Path, help="keep uploads and videos here")


def add_cli(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``simulator`` to a top-level CLI's subparsers; its handler is ``args.run``
    (also ``args.func``): ``sys.exit(args.run(args))``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "simulator",
        help="serve the offline provider simulator",
        description="Serve DashScope, Modellix and MuleRouter look-alikes on loopback.",
    )
    add_arguments(parser)
    parser.set_defaults(run=run_cli, func=run_cli)
    return parser


def config_from_args(args: argparse.Namespace) -> SimulatorConfig:
    """The :class:`SimulatorConfig` the options describe.

    Off loopback, requests may not name local files: anyone on the network could otherwise have
    the simulator read files of this machine into videos.
    """
    faults = FaultConfig.from_json(json.loads(args.faults)) if args.faults else FaultConfig()
    return SimulatorConfig(
        queue_seconds=args.queue_seconds,
        run_seconds=args.run_seconds,
        api_keys=args.api_keys,
        quotas={} if args.no_quotas else SimulatorConfig().quotas,
        faults=faults,
        data_dir=args.data_dir,
        list_lag_seconds=args.list_lag,
        clock_skew_seconds=args.clock_skew,
        allow_local_files=is_loopback_host(args.host),
        input_roots=args.input_roots,
    )


def run_cli(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM; returns the exit status."""
    try:
        config = config_from_args(args)
    except (ValueError, TypeError) as error:
        print(f"vace-studio simulator: {error}", file=sys.stderr)
        return 2
    if not is_loopback_host(args.host):
        print(
            f"warning: listening on {args.host} — anyone who can reach it can use the simulator",
            file=sys.stderr,
        )
    try:
        handle = serve(config, host=args.host, port=args.port)
    except OSError as error:
        print(
            f"vace-studio simulator: cannot listen on {args.host}:{args.port}: {error}",
            file=sys.stderr,
        )
        return 1
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    with handle:
        print(f"simulator listening on {handle.base_url}", flush=True)
        print(f"  DashScope:  dashscope.base_http_api_url = '{handle.base_url}/api/v1'")
        print(f"  Modellix:   {handle.base_url}/api/v1")
        print(f"  MuleRouter: {handle.base_url}")
        # Printed once, here only: whoever started the simulator is its owner; every other
        # local user sees the port but not this.
        print(f"  secret:     {handle.secret}")
        if config.api_keys is None:
            print("              the API key of every provider route (<secret>.<name>: another")
            print("              account) and the X-Simulator-Secret header of /_simulator/...")
        else:
            print("              the X-Simulator-Secret header of /_simulator/...")
        print("  stats:      GET /_simulator/stats   (Ctrl-C to stop)", flush=True)
        try:
            while not stop.wait(0.5):
                if not handle.running:
                    return 1
        except KeyboardInterrupt:
            pass
    return 0
