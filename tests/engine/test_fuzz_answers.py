"""Hostile answers from a real loopback HTTP server, met by the engine's download and poll paths
(issue 15, Build item 4): each ends in a capped download in the cache or a typed error
(``DownloadError``, ``httpx.HTTPError``, ``ProviderError``), never another exception, never a
file outside the cache, never a request to anything but ``http(s)`` on loopback.

The server answers with raw bytes the test wrote (status line, headers, body), so it can lie:
a ``Content-Length`` of 5 GB, a body cut short, a redirect to ``file://``, a gzip header on
plain bytes. Figures are printed at the end of the module (``pytest -s`` shows them).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from vace_studio.engine.downloads import Downloaded, DownloadError, download_video
from vace_studio.engine.paths import Paths
from vace_studio.engine.transport import Transport
from vace_studio.providers import DashScope, Modellix, MuleRouter, ProviderError, TaskState

CAP = 64 * 1024
"""The download cap in these tests (the engine's is 512 MiB): big answers cost little here."""
MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(16)


# -- a server that says whatever it is told --------------------------------------------------
@dataclass
class Answer:
    """What the server sends for one path: raw head lines and body, then it closes."""

    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


class Hostile:
    """A loopback HTTP server answering ``/<name>`` with ``answers[name]``."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        hostile = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                answer = hostile.answers.get(self.path.lstrip("/"), Answer(404))
                head = [f"HTTP/1.1 {answer.status} X"]
                head += [f"{k}: {v}" for k, v in answer.headers]
                head += ["Connection: close", "", ""]
                # The client may stop reading (a cap, a refused type): fine.
                with contextlib.suppress(OSError):
                    self.wfile.write("\r\n".join(head).encode("latin-1") + answer.body)
                self.close_connection = True

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Recorder(httpx.AsyncBaseTransport):
    """The engine's HTTP transport, recording every URL it is asked to request."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.urls: list[httpx.URL] = []
        self.refused = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme not in ("http", "https"):
            # httpx hands a redirect to ``oss://`` or ``ftp://`` to its transport, whose pool
            # refuses it before opening anything: counted, never connected.
            self.refused += 1
        else:
            self.urls.append(request.url)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Bench:
    loop: asyncio.AbstractEventLoop
    server: Hostile
    http: httpx.AsyncClient
    recorder: Recorder
    paths: Paths
    root: Path
    outcomes: Counter[str] = field(default_factory=Counter)
    answers: int = 0
    serial: int = 0

    def name(self) -> str:
        self.serial += 1
        return f"a{self.serial}"

    def check_requests(self) -> None:
        for url in self.recorder.urls:
            assert url.scheme in ("http", "https"), url
            assert url.host == "127.0.0.1", url
        self.recorder.urls.clear()

    def check_files(self) -> None:
        """Nothing under the root but the cache's videos, and no half file left behind."""
        for folder, _, files in os.walk(self.root):
            for name in files:
                path = Path(folder) / name
                assert path.parent == self.paths.cache, path
                assert path.suffix == ".mp4", path


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    root = tmp_path_factory.mktemp("answers")
    server = Hostile()
    loop = asyncio.new_event_loop()
    recorder = Recorder()

    async def client() -> httpx.AsyncClient:
        # As the engine's transport builds it (follow_redirects=True), on a recording transport.
        return httpx.AsyncClient(
            transport=recorder, follow_redirects=True, timeout=httpx.Timeout(5.0)
        )

    http = loop.run_until_complete(client())
    bench = Bench(loop, server, http, recorder, Paths(root / "home"), root)
    yield bench
    print(
        f"\nengine fuzz: {bench.answers} hostile answers served, "
        f"{bench.recorder.refused} non-http(s) redirects refused by httpx unconnected; outcomes: "
        + ", ".join(f"{name} {n}" for name, n in bench.outcomes.most_common())
    )
    loop.run_until_complete(http.aclose())
    loop.close()
    server.close()


FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- generated answers -------------------------------------------------------------------------
HOSTILE_URLS = [
    "file:///etc/hostname", "file:///etc/passwd", "ftp://127.0.0.1/v.mp4", "gopher://x/",
    "data:video/mp4;base64,AAAA", "javascript:alert(1)", "/etc/hostname", "", "http://",
    "http://[::1", "https://", "\x00", "oss://bucket/v.mp4", "//127.0.0.1:9/v.mp4",
]  # fmt: skip
statuses = st.sampled_from([200, 200, 200, 206, 204, 301, 302, 303, 307, 308, 404, 500]) | (
    st.integers(min_value=100, max_value=599)
)
types = st.sampled_from(["video/mp4", "application/octet-stream", "text/html", "", "video/x;a=b"])


@st.composite
def answers(draw: st.DrawFn, bench_base: str, follow: str) -> Answer:
    """A status, headers that may lie about the body, and a body that may not be a video."""
    body = draw(
        st.sampled_from([MP4, MP4 + bytes(CAP), b"", b"<html>", MP4[:5]])
        | st.binary(max_size=200).map(lambda b: MP4 + b)
        | st.binary(max_size=200)
    )
    headers: list[tuple[str, str]] = []
    kind = draw(types)
    if kind:
        headers.append(("Content-Type", kind))
    length = draw(st.sampled_from(["exact", "none", "5GB", "short", "long", "junk", "negative"]))
    lengths = {
        "exact": str(len(body)), "5GB": str(5 * 1024**3), "short": str(max(len(body) - 3, 0)),
        "long": str(len(body) + 100), "junk": "abc", "negative": "-1",
    }  # fmt: skip
    if length in lengths:
        headers.append(("Content-Length", lengths[length]))
    if draw(st.integers(0, 9)) == 0:
        headers.append(("Content-Encoding", draw(st.sampled_from(["gzip", "br", "deflate", "x"]))))
    status = draw(statuses)
    if 300 <= status < 400:
        location = draw(
            st.sampled_from([*HOSTILE_URLS, follow, f"{bench_base}/{follow}", "/nowhere"])
        )
        headers.append(("Location", location))
    return Answer(status, headers, body)


def download(bench: Bench, url: str) -> str:
    """Run one download; the outcome's name, after checking it is a typed one."""

    async def run() -> Downloaded:
        return await download_video(bench.http, url, bench.paths, max_bytes=CAP)

    try:
        got = bench.loop.run_until_complete(run())
    except DownloadError:
        return "DownloadError"
    except httpx.HTTPError as error:
        return type(error).__name__
    assert got.path.parent == bench.paths.cache
    assert got.size <= CAP
    assert got.path.read_bytes()[4:8] == b"ftyp"
    return "downloaded"


@settings(FUZZ, max_examples=1_000)
@given(data=st.data())
@example(data=None)
def test_a_download_ends_capped_in_the_cache_or_in_a_typed_error(
    bench: Bench, data: st.DataObject | None
) -> None:
    first, follow = bench.name(), bench.name()
    if data is None:  # the lies the issue names, sent first
        cases = [
            Answer(200, [("Content-Type", "video/mp4"), ("Content-Length", str(5 * 1024**3))], MP4),
            Answer(302, [("Location", "file:///etc/hostname")]),
            Answer(302, [("Location", "ftp://127.0.0.1/v.mp4")]),
            # httpx raised InvalidURL (no HTTPError) parsing this Location: a crash, once.
            Answer(302, [("Location", "data:video/mp4;base64,AAAA")]),
            Answer(200, [("Content-Type", "video/mp4")], MP4 + bytes(2 * CAP)),
            Answer(200, [("Content-Length", "100")], MP4),  # truncated
        ]
        for answer in cases:
            bench.server.answers[first] = answer
            bench.answers += 1
            bench.outcomes[download(bench, f"{bench.server.base}/{first}")] += 1
        for url in HOSTILE_URLS:  # a video URL naming something other than http(s)
            assert download(bench, url) == "DownloadError", url
            bench.outcomes["DownloadError"] += 1
        bench.check_requests()
        bench.check_files()
        return
    bench.server.answers[first] = data.draw(answers(bench.server.base, follow))
    bench.server.answers[follow] = data.draw(answers(bench.server.base, follow))
    url = data.draw(
        st.just(f"{bench.server.base}/{first}") | st.sampled_from(HOSTILE_URLS), label="url"
    )
    bench.answers += 2
    bench.outcomes[download(bench, url)] += 1
    bench.check_requests()
    bench.check_files()


# -- polls over real HTTP, and the video URL they name -----------------------------------------
POLL_BODIES: dict[str, Callable[[str, str], dict[str, Any]]] = {
    "dashscope": lambda url, status: {
        "output": {"task_id": "t", "task_status": status, "video_url": url}, "request_id": "r",
    },
    "modellix": lambda url, status: {
        "code": 0, "data": {"task_id": "t", "status": status, "result": {"resources": [
            {"url": url, "type": "video"}]}},
    },
    "mulerouter": lambda url, status: {"task_info": {"id": "t", "status": status}, "videos": [url]},
}  # fmt: skip


@settings(FUZZ, max_examples=800)
@given(
    provider=st.sampled_from(sorted(POLL_BODIES)),
    status=st.sampled_from(["SUCCEEDED", "success", "completed", "RUNNING", "x"]),
    video=st.sampled_from(HOSTILE_URLS) | st.just("self") | st.text(max_size=20),
    answer=answers("http://127.0.0.1:9", "x"),
    shape=st.sampled_from(["documented", "as generated", "huge", "not json"]),
)
def test_a_poll_ends_in_a_state_or_a_typed_error_and_its_video_url_is_checked(
    bench: Bench, provider: str, status: str, video: str, answer: Answer, shape: str
) -> None:
    name, clip = bench.name(), bench.name()
    bench.server.answers[clip] = Answer(200, [("Content-Type", "video/mp4")], MP4)
    url = f"{bench.server.base}/{clip}" if video == "self" else video
    if shape == "documented":
        answer.body = json.dumps(POLL_BODIES[provider](url, status)).encode()
        answer.headers = [(k, v) for k, v in answer.headers if k != "Content-Length"]
    elif shape == "huge":
        answer.body = b'{"output": {"x": "' + b"a" * 1_000_000 + b'"}}'
        answer.headers = []
    elif shape == "not json":
        answer.body = answer.body[:64] + b"\xff{"
    bench.server.answers[name] = answer
    bench.answers += 1
    adapters: dict[str, type[DashScope | Modellix | MuleRouter]] = {
        "dashscope": DashScope, "modellix": Modellix, "mulerouter": MuleRouter,
    }  # fmt: skip
    adapter = adapters[provider]
    base = f"{bench.server.base}/{name}"
    spec = adapter(base_url=base).poll_request("t")
    spec = type(spec)(spec.method, base, spec.headers, spec.json, spec.params)
    transport = Transport("k")
    transport._http = bench.http  # the recording client, in this module's loop

    async def poll() -> TaskState:
        raw = await transport.send(spec)
        return adapter().parse_poll("t", *raw)

    try:
        state = bench.loop.run_until_complete(poll())
    except (ProviderError, httpx.HTTPError) as error:
        bench.outcomes[f"poll {type(error).__name__}"] += 1
    else:
        assert isinstance(state, TaskState)
        bench.outcomes[f"poll {state.status}"] += 1
        if state.video_url:
            bench.outcomes[f"video {download(bench, state.video_url)}"] += 1
    bench.check_requests()
    bench.check_files()


def test_the_figures_reach_their_share(bench: Bench) -> None:
    # Runs after the two fuzz tests above (file order); with tests/providers/test_fuzz_answers.py
    # the generated answers pass ten thousand.
    assert bench.answers >= 2_500, bench.answers


def test_an_oversized_provider_answer_is_a_transport_error_not_a_full_read(bench: Bench) -> None:
    from vace_studio.engine.transport import MAX_ANSWER_BYTES, Transport
    from vace_studio.providers import HttpRequestSpec

    lying, huge = bench.name(), bench.name()
    bench.server.answers[lying] = Answer(200, [("Content-Length", str(5 * 1024**3))], b"{}")
    bench.server.answers[huge] = Answer(200, [], b"x" * (MAX_ANSWER_BYTES + 1024))

    async def send(name: str) -> None:
        transport = Transport("k-fuzz")
        try:
            await transport.send(HttpRequestSpec("GET", f"{bench.server.base}/{name}", {}))
        finally:
            await transport.aclose()

    for name in (lying, huge):
        with pytest.raises(httpx.RemoteProtocolError, match=r"too large|larger than"):
            bench.loop.run_until_complete(send(name))
