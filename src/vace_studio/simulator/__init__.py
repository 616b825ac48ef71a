"""The embedded simulator: DashScope, Modellix and MuleRouter on loopback, rendering real MP4s.

    from vace_studio.simulator import serve, SimulatorConfig

    with serve(SimulatorConfig(queue_seconds=0.1, run_seconds=0.2)) as sim:
        dashscope_base = sim.base_url + "/api/v1"

It speaks each provider's wire protocol at the real paths, enforces their quotas and error shapes,
moves tasks through queued → running → done on a configurable clock, injects faults on demand and
reports what clients did under ``/_simulator/…``. It never imports the engine or the provider
adapters: it is an independent implementation of the protocols, so their bugs do not mirror.
"""

from vace_studio.simulator.config import FaultConfig, QuotaConfig, SimulatorConfig
from vace_studio.simulator.server import SimulatorHandle, serve
from vace_studio.simulator.stats import SimulatorStats
from vace_studio.simulator.tasks import account_of

__all__ = [
    "FaultConfig",
    "QuotaConfig",
    "SimulatorConfig",
    "SimulatorHandle",
    "SimulatorStats",
    "account_of",
    "serve",
]
