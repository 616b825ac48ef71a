"""The engine's parts on their own: settings, store, limiter, poll policy, downloads, retries."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from vace_studio.engine import SettingsError, Store, TaskRecord, resolve_paths
from vace_studio.engine.downloads import DownloadError, download_video, evict
from vace_studio.engine.lifecycle import _local
from vace_studio.engine.pacing import PollPolicy, SlidingWindowLimiter
from vace_studio.engine.retry import is_transient, never_created
from vace_studio.engine.scheduler import Scheduler
from vace_studio.engine.settings import resolve_settings
from vace_studio.providers import (
    ServerError,
    TaskState,
    TaskStatus,
    ThrottledError,
    make_provider,
)


def _record(local_id: str, **changes: object) -> TaskRecord:
    now = time.time()
    values: dict[str, object] = {
        "id": local_id,
        "provider": "dashscope",
        "protocol": "dashscope",
        "endpoint": "http://x",
        "function": "video_outpainting",
        "request": {"function": "video_outpainting", "prompt": "p", "video_url": "https://a/b"},
        "status": "waiting",
        "created_at": now,
        "updated_at": now,
    }
    values.update(changes)
    return TaskRecord(**values)  # type: ignore[arg-type]


def test_settings_pick_the_simulator_without_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DASHSCOPE_API_KEY", "MODELLIX_API_KEY", "MULEROUTER_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = resolve_settings(None, api_key=None, base_url=None, region="intl")
    assert settings.simulated
    assert settings.notice is not None
    assert "simulator" in settings.notice
    monkeypatch.setenv("MODELLIX_API_KEY", "mk-secret")
    settings = resolve_settings(None, api_key=None, base_url=None, region="intl")
    assert (settings.provider, settings.simulated) == ("modellix", False)
    assert "mk-secret" not in repr(settings)


def test_settings_explain_a_missing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DASHSCOPE_API_KEY", raising=False)
    with pytest.raises(SettingsError, match="DASHSCOPE_API_KEY"):
        resolve_settings("dashscope", api_key=None, base_url=None, region="intl")
    with pytest.raises(SettingsError, match="region"):
        resolve_settings("dashscope", api_key="k", base_url=None, region="eu")


def test_home_argument_and_env_move_store_and_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VACE_STUDIO_HOME", str(tmp_path / "env-home"))
    assert resolve_paths().store.parent == tmp_path / "env-home"
    paths = resolve_paths(tmp_path / "arg-home")
    assert paths.store.parent == paths.cache.parent == tmp_path / "arg-home"


def test_only_one_of_two_stores_claims_a_waiting_task(tmp_path: Path) -> None:
    first, second = Store(tmp_path / "s.db"), Store(tmp_path / "s.db")  # two kernels
    first.insert(_record("t1"))
    wins: list[bool] = []
    barrier = threading.Barrier(2)

    def claim(store: Store, owner: str) -> None:
        barrier.wait()
        wins.append(store.update("t1", expect_status="waiting", status="submitting", owner=owner))

    threads = [
        threading.Thread(target=claim, args=(s, o)) for s, o in ((first, "a"), (second, "b"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False, True]
    record = second.get("t1")
    assert record is not None
    assert record.status == "submitting"


def test_store_round_trips_json_columns_and_filters(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    store.insert(_record("a", tags={"seed": 1}, group_id="g"))
    store.insert(_record("b", status="succeeded"))
    store.update("a", usage={"video_duration": 5}, times={"end_time": "x"})
    record = store.get("a")
    assert record is not None
    assert record.tags == {"seed": 1}
    assert record.usage == {"video_duration": 5}
    assert [r.id for r in store.select(group_id="g")] == ["a"]
    assert [r.id for r in store.select(statuses=("succeeded",))] == ["b"]
    with pytest.raises(ValueError, match="unknown task field"):
        store.update("a", api_key="nope")


def test_provider_moments_become_local_times_by_their_difference() -> None:
    # Adapters give numbers on the provider's clock (its zone already applied); the engine only
    # takes differences to its creation, so neither the zone nor a clock offset matters.
    state = TaskState(
        "t",
        TaskStatus.SUCCEEDED,
        "SUCCEEDED",
        created_at=1e9,
        started_at=1e9 + 2,
        ended_at=1e9 + 10,
    )
    assert _local(50.0, state, state.started_at) == 52.0
    assert _local(50.0, state, state.ended_at) == 60.0
    assert _local(None, state, state.ended_at) is None
    assert _local(50.0, replace(state, created_at=None), state.ended_at) is None
    assert _local(50.0, state, 1e9 - 1) is None  # before its creation: not believable


async def test_limiter_never_exceeds_its_rate_in_any_window() -> None:
    limiter = SlidingWindowLimiter(5, margin=0.0)
    stamps: list[float] = []

    async def one() -> None:
        async with limiter.slot():
            stamps.append(time.monotonic())
            await asyncio.sleep(0.01)

    await asyncio.gather(*(one() for _ in range(12)))
    for i, start in enumerate(stamps):
        in_window = [t for t in stamps[i:] if t - start < 1.0 - 0.02]
        assert len(in_window) <= 5
    assert stamps[-1] - stamps[0] >= 2.0  # 12 requests at 5/s need two full windows


def test_poll_policy_is_sparse_early_and_dense_near_the_expected_end() -> None:
    policy = PollPolicy(first_check=2, min_interval=0.5, max_interval=60, dense_interval=5)
    history = [(300.0 + i, 240.0 + i) for i in range(10)]
    assert policy.next_delay(0.0, status="queued", running_for=None, history=[]) == 2.0
    early = policy.next_delay(0.0, status="queued", running_for=None, history=history)
    assert early == 60.0  # far from the end: as sparse as allowed
    near = policy.next_delay(301.0, status="running", running_for=240.0, history=history)
    assert near <= 5.0
    late = policy.next_delay(1000.0, status="running", running_for=940.0, history=history)
    assert near < late <= 60.0
    cold = policy.next_delay(3.0, status="queued", running_for=None, history=[])
    assert cold > 5.0  # no history: the provider's typical time stands in


async def test_download_refuses_what_is_not_an_mp4(
    tmp_path: Path, media: dict[str, Path], file_server: str
) -> None:
    paths = resolve_paths(tmp_path)
    (media["video"].parent / "fake.mp4").write_bytes(b"x" * 64)
    async with httpx.AsyncClient() as http:
        with pytest.raises(DownloadError, match="image/png"):
            await download_video(http, f"{file_server}/ref.png", paths)
        with pytest.raises(DownloadError, match="not an MP4"):
            await download_video(http, f"{file_server}/fake.mp4", paths)
        with pytest.raises(DownloadError, match="cap"):
            await download_video(http, f"{file_server}/source.mp4", paths, max_bytes=1000)
        got = await download_video(http, f"{file_server}/source.mp4", paths)
    assert got.path == paths.cache / f"{got.sha256}.mp4"
    assert got.path.read_bytes() == media["video"].read_bytes()
    assert list(paths.staging.iterdir()) == []  # no partial files left behind


def test_cache_evicts_least_recently_used(tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path)
    for i, name in enumerate(("old", "mid", "new")):
        video = paths.cache / f"{name}.mp4"
        video.write_bytes(b"v" * 100)
        stamp = time.time() - 100 + i
        os.utime(video, (stamp, stamp))
    removed = evict(paths, 250)
    assert [p.stem for p in removed] == ["old"]


def test_retry_rules_never_retry_a_submit_that_may_have_created_a_task() -> None:
    request = httpx.Request("POST", "http://x")
    assert never_created(httpx.ConnectError("refused", request=request))
    # A 429 is not retried inside the submit: the lifecycle tells a throttle from a quota.
    assert not never_created(ThrottledError("slow down", http_status=429))
    assert not never_created(httpx.ReadTimeout("late", request=request))
    assert not never_created(ServerError("oops", http_status=500))
    assert is_transient(ServerError("oops", http_status=500))
    assert is_transient(httpx.ReadTimeout("late", request=request))


async def test_modellix_is_paced_at_100_requests_per_minute_submits_and_polls_together() -> None:
    limits = make_provider("modellix").limits
    assert limits.requests_per_minute == 100
    scheduler = Scheduler(limits)
    limiter = scheduler.account_limiter
    assert limiter is not None
    assert limiter.max_events == 100
    assert limiter.window >= 60.0
    for _ in range(50):
        async with scheduler.submit_window():
            pass
        async with scheduler.query_window():
            pass
    # 100 requests of both kinds filled the one budget: the next must wait most of a minute.
    assert limiter.delay(time.monotonic()) > 55.0


def test_a_per_window_limiter_allows_its_count_then_waits_the_window() -> None:
    per = SlidingWindowLimiter.per(3, 10.0, margin=0.0)
    assert per.max_events == 3
    assert per.delay(0.0) == 0.0
    per._times = [0.0, 1.0, 2.0]
    assert per.delay(3.0) == pytest.approx(7.0)
    assert per.delay(10.5) == 0.0
