"""The engine: the one layer that does network and disk I/O.

:class:`Client` submits requests to a provider, a scheduler polls them within the provider's
limits, results are downloaded to a cache, and every task is kept in a SQLite store.
"""

from vace_studio.engine.client import Client
from vace_studio.engine.pacing import PollPolicy
from vace_studio.engine.paths import HOME_ENV, resolve_paths
from vace_studio.engine.reconcile import ReconcilePolicy
from vace_studio.engine.retry import RetryPolicy
from vace_studio.engine.settings import SettingsError
from vace_studio.engine.status import Event, Status, TransitionError
from vace_studio.engine.store import Store, TaskRecord
from vace_studio.engine.task import Result, Task, TaskFailed
from vace_studio.engine.uploads import Uploader, UploadError

__all__ = [
    "HOME_ENV",
    "Client",
    "Event",
    "PollPolicy",
    "ReconcilePolicy",
    "Result",
    "RetryPolicy",
    "SettingsError",
    "Status",
    "Store",
    "Task",
    "TaskFailed",
    "TaskRecord",
    "TransitionError",
    "UploadError",
    "Uploader",
    "resolve_paths",
]
