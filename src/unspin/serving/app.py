"""The ASGI app of ``unspin serve``: the JSON API under ``/v1``, ``/healthz`` and the web page.

Each API route takes ``{"text": ..., "id": ...}`` and answers the record with the fields that
``unspin detect|restore|trace --format jsonl`` adds (:mod:`unspin.annotate`), so one schema
serves the CLI, batch jobs and HTTP. Errors are JSON ``{"error": "one line"}``: 401 (API key),
404 (trace on a server without an index), 413 (body cap), 422 (malformed JSON, wrong fields,
an unreadable upload), 503 (time limit).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from .. import __version__
from ..errors import UnspinError
from .engine import Engine, EngineConfig, NoIndex, Overloaded
from .limits import BodyLimit, key_from_headers, key_matches
from .page import PAGE_HEADERS, docs_page, render_page
from .upload import form_text, read_form

MB = 1024 * 1024


@dataclass(frozen=True)
class ServeConfig:
    index: str | None = None
    api_key: str | None = None
    max_body: int = MB
    timeout: float = 60.0
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    threads: int = 0            # 0: one per core

    def engine_config(self) -> EngineConfig:
        return EngineConfig(index=self.index, threads=self.threads, timeout=self.timeout)


def _no_surrogates(v):
    # A lone surrogate is not Unicode: it cannot be written back as UTF-8 JSON, so refuse it here
    # rather than fail while answering.
    if isinstance(v, str) and any("\ud800" <= ch <= "\udfff" for ch in v):
        raise ValueError("contains an unpaired surrogate (\\ud800-\\udfff), which is not valid Unicode")
    return v


class TextIn(BaseModel):
    """One text to check; ``id`` is echoed back so a caller can match answers to requests."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"id": "ms-42", "text": "The folks utilize the assault on the constructing."}]})
    text: str = Field(description="the text (UTF-8); its offsets in the answer are code points")
    id: str | int | None = Field(default=None, description="any identifier, returned unchanged")

    _check_text = field_validator("text", "id")(_no_surrogates)

    def record(self) -> dict:
        return self.model_dump(exclude_none=True)


def _error(status: int, message: str, headers: dict | None = None, **extra) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status, headers=headers)


def _validation_message(errors) -> str:
    """The first validation error as one line: where it is and what is wrong."""
    if not errors:
        return "invalid request"
    e = errors[0]
    if e.get("type") == "json_invalid":
        return f"malformed JSON in the request body: {e.get('ctx', {}).get('error', e.get('msg'))}"
    where = ".".join(str(x) for x in e.get("loc", ()) if x != "body") or "body"
    if where == "body" and e.get("type") in ("model_attributes_type", "dict_type"):
        return ('the body must be a JSON object such as {"text": "..."}, sent with '
                "Content-Type: application/json")
    if e.get("type") == "extra_forbidden":
        return f"unknown field {where!r} (the fields are 'text' and 'id')"
    if e.get("type") == "missing":
        return f"field {where!r} is required"
    return f"{where}: {e.get('msg')}"


def create_app(config: ServeConfig | None = None, engine: Engine | None = None):
    """The ASGI app (the body cap wrapped around FastAPI). An ``engine`` already started (the
    CLI starts it to report a bad index before listening) is used as is; otherwise the app
    loads one at start-up."""
    config = config or ServeConfig()

    @contextlib.asynccontextmanager
    async def lifespan(app):
        eng = engine
        if eng is None:
            eng = Engine(config.engine_config())
            eng.start()
        app.state.engine = eng
        try:
            yield
        finally:
            eng.close()

    app = FastAPI(title="unspin", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Detect machine-spun text, restore its original wording, and trace it to its "
                              "source. Answers carry the fields of the CLI's `--format jsonl` records.")
    if config.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(config.cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type", "Authorization", "X-API-Key"])
    _add_error_handlers(app)
    _add_key_check(app, config)
    _add_api_routes(app, config)
    _add_page_routes(app, config)
    return BodyLimit(app, config.max_body)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        # Not the offending input: it is the caller's own, and may not even be encodable.
        detail = [{"type": e.get("type"), "loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg"))}
                  for e in errors]
        return _error(422, _validation_message(errors), detail=detail)

    @app.exception_handler(Overloaded)
    async def overloaded(request: Request, exc: Overloaded):
        return _error(503, str(exc), headers={"Retry-After": "5"})

    @app.exception_handler(NoIndex)
    async def no_index(request: Request, exc: NoIndex):
        return _error(404, str(exc))

    @app.exception_handler(UnspinError)
    async def bad_input(request: Request, exc: UnspinError):
        return _error(422, str(exc))


_UNAUTHORIZED = "missing or wrong API key (send it as 'X-API-Key: KEY' or 'Authorization: Bearer KEY')"


def _add_key_check(app: FastAPI, config: ServeConfig) -> None:
    """With a key set, the API answers 401 without it, before reading the body. The page's own
    POST takes the key from a form field too (a browser form cannot set a header)."""
    if config.api_key is None:
        return

    @app.middleware("http")
    async def require_key(request: Request, call_next):
        if request.url.path.startswith("/v1/") and not key_matches(key_from_headers(request.headers),
                                                                    config.api_key):
            return _error(401, _UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
        return await call_next(request)


_API_DOC = {
    "detect": "Score how likely the text was spun: adds `spin_score` (calibrated probability), "
              "`spin_flagged` (score >= 0.5) and `spin_spans` (suspicious spans with their likely original).",
    "restore": "Restore the likely original wording: adds `restored` (the text) and `edits` "
               "(offsets, spun and original wording, confidence, evidence).",
    "trace": "Find the likely sources in the server's index (`unspin serve --index`): adds `matches`, "
             "each with its aligned passages and swaps. 404 on a server without an index.",
}


def _add_api_routes(app: FastAPI, config: ServeConfig) -> None:
    @app.get("/healthz", summary="liveness: answers while the workers are busy")
    async def healthz(request: Request) -> dict:
        eng: Engine = request.app.state.engine
        return {"status": "ok", "version": __version__, "index": eng.has_index, "threads": eng.threads}

    def add(what: str) -> None:
        async def route(body: TextIn, request: Request) -> dict:
            return await request.app.state.engine.run(what, body.record())

        app.post(f"/v1/{what}", summary=what, description=_API_DOC[what], name=what)(route)

    for what in ("detect", "restore", "trace"):
        add(what)


def _add_page_routes(app: FastAPI, config: ServeConfig) -> None:
    def page(status: int = 200, **kw) -> HTMLResponse:
        eng: Engine = app.state.engine
        html = render_page(has_index=eng.has_index, needs_key=config.api_key is not None, **kw)
        return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)

    @app.get("/", include_in_schema=False)
    async def index() -> HTMLResponse:
        return page()

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(docs_page(app.openapi()), headers=PAGE_HEADERS)

    @app.post("/", include_in_schema=False)
    async def check(request: Request) -> HTMLResponse:
        form = await read_form(request, config.max_body)
        if config.api_key is not None and not (key_matches(key_from_headers(request.headers), config.api_key)
                                               or key_matches(form.api_key, config.api_key)):
            return page(401, text=form.text, error="Missing or wrong API key.")
        if form.error:
            return page(422, text=form.text, error=form.error)
        eng: Engine = app.state.engine
        try:
            name, text = await eng.call("detect", form_text, form)
            analysis = await eng.call("detect", eng.analyse, text)
            if eng.has_index:
                analysis.matches = await eng.call("trace", eng.trace, text)
        except UnspinError as e:
            return page(422, text=form.text, error=str(e))
        except Overloaded as e:
            return page(503, text=form.text, error=str(e))
        return page(text=text, name=name, analysis=analysis)
