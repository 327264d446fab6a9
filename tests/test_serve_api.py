"""unspin serve's HTTP API and page through the ASGI test client: every route and every error."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the 'serve' extra is not installed")
pytest.importorskip("httpx", reason="the 'serve' extra is not installed")

from fastapi.testclient import TestClient  # noqa: E402

from unspin.annotate import AnnotateConfig, annotate  # noqa: E402
from unspin.restoration.restorer import RestoreConfig  # noqa: E402
from unspin.serving import Engine, ServeConfig, create_app  # noqa: E402

EXAMPLE = (Path(__file__).resolve().parents[1] / "examples" / "atmeh-raid.spun.txt").read_text(encoding="utf-8")
SHORT = "The folks utilize the assault on the constructing."


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(ServeConfig())) as c:
        yield c


def test_detect_and_restore_answer_the_cli_jsonl_records(client):
    rec = {"id": "x", "text": EXAMPLE}
    r = client.post("/v1/detect", json=rec)
    assert r.status_code == 200 and r.json() == annotate([rec])[0]
    r = client.post("/v1/restore", json={"text": SHORT})
    assert r.status_code == 200
    assert r.json() == annotate([{"text": SHORT}], AnnotateConfig(detect=None, restore=RestoreConfig()))[0]


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["index"] is False


def test_trace_without_index_is_a_clear_404(client):
    r = client.post("/v1/trace", json={"text": SHORT})
    assert r.status_code == 404 and "--index" in r.json()["error"]


def test_trace_with_index(story_index):
    with TestClient(create_app(ServeConfig(index=story_index))) as c:
        q = "Rescuers pulled out at least 12 our bodies from the rubble of a multi-story constructing."
        r = c.post("/v1/trace", json={"text": q, "id": 1})
        assert r.status_code == 200 and r.json()["id"] == 1 and r.json()["matches"][0]["id"] == "raid"
        page = c.post("/", data={"text": q})
        assert page.status_code == 200 and "Likely source" in page.text and "raid" in page.text
        assert "<h2>Likely sources</h2>" not in page.text


def test_page_shows_each_source_of_a_mosaic(story_index):
    with TestClient(create_app(ServeConfig(index=story_index))) as c:
        q = ("Rescuers pulled out at least 12 our bodies from the rubble of a multi-story constructing. "
             "The senate handed the invoice after the vice chairman broke a tie.")
        page = c.post("/", data={"text": q}).text
        assert "<h2>Likely sources</h2>" in page and "raid" in page and "vote" in page


@pytest.mark.parametrize("body,headers,needle", [
    (b'{"text": ', {"content-type": "application/json"}, "malformed JSON"),
    (b'{"txt": "a"}', {"content-type": "application/json"}, "field 'text' is required"),
    (b'{"text": "a", "lang": "en"}', {"content-type": "application/json"}, "unknown field 'lang'"),
    (b'{"text": 5}', {"content-type": "application/json"}, "text:"),
    (b'["text"]', {"content-type": "application/json"}, "JSON object"),
    (b'{"text": "\\ud800 lone"}', {"content-type": "application/json"}, "surrogate"),
])
def test_malformed_requests_get_422_with_a_message(client, body, headers, needle):
    r = client.post("/v1/detect", content=body, headers=headers)
    assert r.status_code == 422 and needle in r.json()["error"], r.text


def test_body_over_the_cap_gets_413_with_or_without_a_length():
    with TestClient(create_app(ServeConfig(max_body=1000))) as c:
        r = c.post("/v1/detect", json={"text": "word " * 400})
        assert r.status_code == 413 and "1000 bytes" in r.json()["error"]

        def chunks():  # no Content-Length: counted while read
            for _ in range(10):
                yield b"x" * 500

        r = c.post("/v1/detect", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413
        assert c.post("/v1/detect", json={"text": SHORT}).status_code == 200


def test_api_key(monkeypatch):
    with TestClient(create_app(ServeConfig(api_key="s3cret"))) as c:
        r = c.post("/v1/detect", json={"text": SHORT})
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert c.post("/v1/detect", content=b"{bad", headers={"X-API-Key": "nope"}).status_code == 401
        assert c.post("/v1/detect", json={"text": SHORT}, headers={"X-API-Key": "s3cret"}).status_code == 200
        assert c.post("/v1/restore", json={"text": SHORT},
                      headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert c.get("/healthz").status_code == 200
        assert c.post("/", data={"text": SHORT}).status_code == 401
        assert c.post("/", data={"text": SHORT, "api_key": "s3cret"}).status_code == 200


class _SlowEngine(Engine):
    """An engine whose work waits for a gate: every request outlives the limit."""

    gate = threading.Event()

    async def call(self, what, fn, *args):
        def slow(*a):
            self.gate.wait(10)
            return fn(*a)

        return await super().call(what, slow, *args)


def test_time_limit_gives_503():
    config = ServeConfig(timeout=0.05)
    engine = _SlowEngine(config.engine_config())
    engine.start()
    try:
        with TestClient(create_app(config, engine)) as c:
            r = c.post("/", data={"text": SHORT})
            assert r.status_code == 503 and "busy" in r.text
            slow = c.post("/v1/detect", json={"text": SHORT})
            assert slow.status_code == 503 and "try again" in slow.json()["error"]
            assert slow.headers["retry-after"]
    finally:
        _SlowEngine.gate.set()


def test_cors_off_unless_configured(client):
    pre = {"Origin": "https://cms.example.org", "Access-Control-Request-Method": "POST"}
    assert "access-control-allow-origin" not in client.options("/v1/detect", headers=pre).headers
    with TestClient(create_app(ServeConfig(cors_origins=("https://cms.example.org",)))) as c:
        r = c.options("/v1/detect", headers=pre)
        assert r.headers["access-control-allow-origin"] == "https://cms.example.org"
        assert "access-control-allow-origin" not in c.options(
            "/v1/detect", headers={**pre, "Origin": "https://evil.example"}).headers


def test_page_escapes_user_text_and_shows_highlights_and_restoration(client):
    evil = EXAMPLE + '\n<script>alert(1)</script><img src=x onerror="alert(2)"> "quoted" & more'
    r = client.post("/", data={"text": evil})
    assert r.status_code == 200
    html = r.text
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=" in html
    assert 'tabindex="0" data-tip="likely original:' in html
    assert 'id="restored"' in html and "default-src 'none'" in r.headers["content-security-policy"]


def test_page_reads_uploads_with_the_cli_extraction(client):
    r = client.post("/", files={"file": ("a.html", b"<html><body><p>The folks utilize the assault.</p>"
                                                   b"<script>x()</script></body></html>")})
    assert r.status_code == 200 and "a.html" in r.text and "x()" not in r.text
    r = client.post("/", files={"file": ("scan.pdf", b"%PDF-1.4 broken")})
    assert r.status_code == 422 and "scan.pdf: cannot read the PDF" in r.text
    r = client.post("/", data={"text": "   "})
    assert r.status_code == 422 and "paste a text" in r.text


def test_index_page_and_docs_are_self_contained(client):
    for path in ("/", "/docs"):
        r = client.get(path)
        assert r.status_code == 200
        assert "http://" not in r.text and "https://" not in r.text and "<script" not in r.text
    assert "/v1/detect" in client.get("/openapi.json").json()["paths"]


def test_cli_refuses_bad_options_in_one_line(run_cli, tmp_path):
    code, _, err = run_cli(["serve", "--port", "70000"])
    assert code == 2 and "unspin: error: --port" in err
    code, _, err = run_cli(["serve", "--index", str(tmp_path / "none.db")])
    assert code == 1 and err.strip().endswith("no such trace index") and "Traceback" not in err
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not an index")
    code, _, err = run_cli(["serve", "--port", "0", "--index", str(bad)])
    assert code == 1 and "not an unspin trace index" in err


def test_work_started_past_its_deadline_is_a_503_not_an_empty_answer():
    # On a loaded machine the pool can start a call after its deadline but before wait_for's
    # own timer fires; the caller must get Overloaded (503), not the skipped call's placeholder.
    import asyncio
    import time as _time

    from unspin.serving.engine import Overloaded

    engine = Engine(ServeConfig(timeout=0.2).engine_config())

    class LatePool:  # runs the call only after the deadline, yet well within wait_for's timer
        def submit(self, fn):
            import concurrent.futures as cf

            f = cf.Future()
            _time.sleep(0.25)
            f.set_result(fn())
            return f

    engine._pool = LatePool()

    async def go():
        loop = asyncio.get_running_loop()
        real = loop.run_in_executor
        loop.run_in_executor = lambda pool, fn: asyncio.wrap_future(pool.submit(fn))
        try:
            return await engine.call("detect", lambda: {"ok": True})
        finally:
            loop.run_in_executor = real

    with pytest.raises(Overloaded):
        asyncio.run(go())
