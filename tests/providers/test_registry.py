"""Provider facts live in ``providers/``: each adapter's info, the registry every provider list
is derived from, optional abilities as protocols, provider times as numbers — and a fourth
provider, registered here only, that the settings, the engine and the widget pick up."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from vace_studio.engine import Client, SettingsError
from vace_studio.engine.settings import base_url_env, key_env, resolve_settings
from vace_studio.providers import (
    DashScope,
    HostedUploads,
    HttpRequestSpec,
    Modellix,
    MuleRouter,
    Provider,
    ProviderInfo,
    ProviderLimits,
    TaskLister,
    TaskState,
    TaskStatus,
    UploadPolicy,
    infos,
    make_provider,
    provider_info,
    provider_names,
    regional,
    register,
    unregister,
)
from vace_studio.providers.errors import ForbiddenError, ServerError
from vace_studio.requests.base import VaceRequest
from vace_studio.widget import account


def _body(**payload: Any) -> bytes:
    return json.dumps(payload).encode()


# ---- the three providers' infos ------------------------------------------------------------


def test_the_registry_holds_the_three_providers_default_first() -> None:
    assert provider_names() == ("dashscope", "modellix", "mulerouter")
    assert [i.label for i in infos()] == ["DashScope", "Modellix", "MuleRouter"]
    assert key_env() == {
        "dashscope": "DASHSCOPE_API_KEY",
        "modellix": "MODELLIX_API_KEY",
        "mulerouter": "MULEROUTER_API_KEY",
    }
    assert base_url_env()["modellix"] == "VACE_STUDIO_MODELLIX_BASE_URL"
    assert provider_info("MuleRouter").typical_seconds == 180.0
    assert provider_info("dashscope").typical_seconds == provider_info("modellix").typical_seconds
    assert [r.name for r in provider_info("dashscope").regions] == ["intl", "cn"]
    with pytest.raises(ValueError, match="dashscope, modellix, mulerouter"):
        provider_info("simulator")


@pytest.mark.parametrize("name", ["dashscope", "modellix", "mulerouter"])
def test_each_adapter_carries_its_info_and_the_info_tells_the_truth(name: str) -> None:
    adapter = make_provider(name)
    info = adapter.info
    assert info is provider_info(name)
    assert adapter.name == info.name
    assert adapter.limits == info.limits
    assert adapter.result_ttl_seconds == info.result_ttl_seconds
    # What the info says the adapter can do, the adapter's protocols confirm.
    assert isinstance(adapter, TaskLister) is info.lists_tasks
    assert isinstance(adapter, HostedUploads) is info.hosts_uploads


def test_the_gateways_are_one_region_and_ignore_region() -> None:
    for name in ("modellix", "mulerouter"):
        assert provider_info(name).regions == ()
        assert make_provider(name, region="cn").base_url == make_provider(name).base_url
    assert regional("dashscope", "cn") == "cn"
    assert regional("modellix", "intl") is None  # a one-region provider's setting means nothing
    assert regional("gone", "intl") is None  # an old record of a provider no longer registered


# ---- normalised times ----------------------------------------------------------------------


def _utc(year: int, month: int, day: int, hour: int, minute: int, second: int) -> float:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp()


def test_dashscope_times_are_numbers_created_started_ended() -> None:
    output = {
        "task_id": "t1",
        "task_status": "SUCCEEDED",
        "video_url": "https://x.invalid/v.mp4",
        "submit_time": "2026-11-21 16:32:10.273",
        "scheduled_time": "2026-11-21 16:32:12.275",
        "end_time": "2026-11-21 16:32:20.276",
    }
    state = DashScope().parse_poll("t1", 200, {}, _body(output=output))
    assert state.created_at is not None
    assert state.started_at is not None
    assert state.ended_at is not None
    assert state.started_at - state.created_at == pytest.approx(2.002)
    assert state.ended_at - state.created_at == pytest.approx(10.003)
    assert state.times["scheduled_time"] == "2026-11-21 16:32:12.275"  # kept verbatim for show
    listed = DashScope().parse_list(
        200,
        {},
        _body(data=[{"task_id": "t2", "status": "RUNNING", "gmt_create": 1764464400000}]),
    )
    assert listed[0].started_at is None


def test_gateway_times_are_numbers_with_the_run_start_while_running() -> None:
    running = {"id": "m1", "status": "processing", "created_at": "2026-11-21T08:00:00Z"}
    running["updated_at"] = "2026-11-21T08:00:30.5Z"
    state = MuleRouter().parse_poll("m1", 200, {}, _body(task_info=running))
    assert state.created_at == _utc(2026, 11, 21, 8, 0, 0)
    assert state.started_at == pytest.approx(_utc(2026, 11, 21, 8, 0, 30) + 0.5)
    assert state.ended_at is None
    pending = dict(running, status="pending")
    assert MuleRouter().parse_poll("m1", 200, {}, _body(task_info=pending)).started_at is None
    data = {
        "status": "success",
        "task_id": "x1",
        "created_at": "2026-11-21T08:00:00Z",
        "started_at": "2026-11-21T08:00:05Z",
        "completed_at": "2026-11-21T08:01:00Z",
        "result": {"resources": [{"url": "https://f.invalid/v.mp4", "type": "video"}]},
    }
    done = Modellix().parse_poll("x1", 200, {}, _body(code=0, data=data))
    assert (done.started_at, done.ended_at) == (
        _utc(2026, 11, 21, 8, 0, 5),
        _utc(2026, 11, 21, 8, 1, 0),
    )


# ---- hosted uploads ------------------------------------------------------------------------

POLICY = UploadPolicy(
    upload_host="https://oss.invalid",
    upload_dir="dashscope-instant/abc",
    policy="p",
    signature="s",
    oss_access_key_id="id",
    x_oss_object_acl="private",
    x_oss_forbid_overwrite="true",
)


def test_dashscope_storage_answers_an_oss_url_or_its_refusal_verbatim() -> None:
    ds = DashScope()
    assert ds.upload_scope == ds.model
    spec = ds.upload_spec(POLICY, "ab12.png")
    assert (spec.url, spec.filename, spec.authorize) == ("https://oss.invalid", "ab12.png", False)
    assert spec.fields["key"] == "dashscope-instant/abc/ab12.png"
    url = "oss://dashscope-instant/abc/ab12.png"
    assert ds.parse_upload(spec, 200, {}, b"") == url
    assert ds.parse_upload(spec, 409, {}, b"<Error/>") == url  # already stored: same content
    xml = b"<Error><Code>AccessDenied</Code><Message>Policy expired.</Message></Error>"
    with pytest.raises(ForbiddenError) as refused:
        ds.parse_upload(spec, 403, {}, xml)
    assert (refused.value.code, refused.value.message) == ("AccessDenied", "Policy expired.")
    with pytest.raises(ServerError):
        ds.parse_upload(spec, 503, {}, b"")
    with pytest.raises(TypeError, match="UploadPolicy"):
        ds.upload_spec(None, "ab12.png")
    assert ds.upload_refusal("video", "MP4", 10**9) is None  # its limit comes with the policy


def test_modellix_hosts_images_only() -> None:
    mx = Modellix()
    assert mx.upload_credential_request() is None
    spec = mx.upload_spec(None, "ab12.png")
    assert (spec.url, spec.authorize) == ("https://api.modellix.ai/api/v1/media/files", True)
    assert mx.upload_refusal("image", "PNG", 1000) is None
    assert mx.upload_refusal("image", "MPO", 1000) is None  # a JPEG with extra frames
    assert mx.upload_refusal("video", "MP4", 1000) == "modellix has no upload for local videos"
    assert "not BMP" in (mx.upload_refusal("image", "BMP", 1000) or "")
    assert "16 MB" in (mx.upload_refusal("image", "PNG", 17 * 1024 * 1024) or "")


# ---- a fourth provider, registered in this test only ---------------------------------------

ACME = ProviderInfo(
    name="acme",
    label="Acme Video",
    key_env="ACME_API_KEY",
    base_url_env="VACE_STUDIO_ACME_BASE_URL",
    regions=(),
    limits=ProviderLimits(max_concurrent=3),
    typical_seconds=90.0,
    result_ttl_seconds=3600.0,
    console_url="https://acme.invalid/console",
    lists_tasks=False,
    hosts_uploads=False,
)


class Acme:
    """A stand-in gateway: MuleRouter's wire format under another name, price and limits."""

    name = "acme"
    info = ACME
    limits = ACME.limits
    console_url = ACME.console_url
    result_ttl_seconds = ACME.result_ttl_seconds
    price_per_second: float | None = 0.07

    def __init__(self, *, base_url: str | None = None) -> None:
        self._wire = MuleRouter(base_url=base_url or "https://api.acme.invalid")
        self.base_url = self._wire.base_url
        self.model = self._wire.model

    def submit_request(self, request: VaceRequest) -> HttpRequestSpec:
        return self._wire.submit_request(request)

    def parse_submit(self, status: int, headers: Mapping[str, str], body: bytes) -> str:
        return self._wire.parse_submit(status, headers, body)

    def poll_request(self, task_id: str) -> HttpRequestSpec:
        return self._wire.poll_request(task_id)

    def parse_poll(
        self, task_id: str, status: int, headers: Mapping[str, str], body: bytes
    ) -> TaskState:
        return self._wire.parse_poll(task_id, status, headers, body)

    def cancel_request(self, task_id: str) -> HttpRequestSpec | None:
        return None

    def parse_cancel(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self._wire.parse_cancel(status, headers, body)


def _acme(*, region: str, base_url: str | None, **options: Any) -> Provider:
    return Acme(base_url=base_url, **options)


@pytest.fixture
def acme(monkeypatch: pytest.MonkeyPatch) -> Iterator[ProviderInfo]:
    for info in infos():
        monkeypatch.delenv(info.key_env, raising=False)
        monkeypatch.delenv(info.base_url_env, raising=False)
    register(ACME, _acme)
    yield ACME
    unregister(ACME.name)


def test_the_stand_in_is_a_provider_with_no_optional_abilities() -> None:
    adapter: Provider = Acme()  # mypy checks the protocol here
    assert not isinstance(adapter, TaskLister | HostedUploads)


def test_settings_resolve_a_registered_provider(
    acme: ProviderInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "acme" in provider_names()
    simulated = resolve_settings(None, api_key=None, base_url=None, region="intl")
    assert "ACME_API_KEY" in (simulated.notice or "")  # the notice lists every key variable
    with pytest.raises(SettingsError, match="set ACME_API_KEY"):
        resolve_settings("acme", api_key=None, base_url=None, region="intl")
    monkeypatch.setenv("ACME_API_KEY", "acme-secret")
    monkeypatch.setenv("VACE_STUDIO_ACME_BASE_URL", "http://127.0.0.1:9")
    found = resolve_settings(None, api_key=None, base_url=None, region="intl")
    assert (found.provider, found.protocol, found.base_url) == (
        "acme",
        "acme",
        "http://127.0.0.1:9",
    )
    assert found.api_key == "acme-secret"
    unregister("acme")
    with pytest.raises(SettingsError, match="provider: must be one of"):
        resolve_settings("acme", api_key="k", base_url=None, region="intl")


def test_the_widget_offers_a_registered_provider(acme: ProviderInfo) -> None:
    targets = account.key_targets()
    assert [t["value"] for t in targets] == [
        "dashscope:intl", "dashscope:cn", "modellix", "mulerouter", "acme",
    ]  # fmt: skip
    assert targets[-1] == {
        "value": "acme",
        "label": "Acme Video",
        "provider": "acme",
        "region": "",
        "env": "ACME_API_KEY",
        "provider_label": "Acme Video",
        "region_label": "",
    }
    assert targets[0]["region_label"] == "intl (Singapore)"
    assert account.target_of("acme") == targets[-1]


async def test_the_engine_runs_a_registered_provider_end_to_end(
    acme: ProviderInfo,
    simulator: Any,
    make_client: Any,
    media: Any,
    file_server: Any,
    tmp_path: Path,
) -> None:
    plain = Client("acme", api_key="k", home=tmp_path / "plain")
    assert plain.poll_policy.default_expected == 90.0  # the info's typical run time
    assert plain.scheduler.limits.max_concurrent == 3
    outpaint = {"function": "video_outpainting", "prompt": "p", "video_url": "https://x.invalid/v"}
    assert plain.estimate_cost(outpaint) == pytest.approx(0.35)  # 5 s at its price
    plain.store.close()

    client: Client = make_client(simulator, "acme")
    request = {
        "function": "image_reference",
        "prompt": "a cat",
        "ref_images_url": [f"{file_server}/{Path(media.image).name}"],
    }
    result = await (await client.submit(request)).wait(timeout=60)
    assert result.ok, result
    (record,) = client.store.select()
    assert (record.provider, record.protocol) == ("acme", "acme")
    assert record.status == TaskStatus.SUCCEEDED.value
    assert record.url_expires_at is not None  # from the info's result lifetime
    assert record.cost is None  # the gateway reports no usage
    await client.aclose()
