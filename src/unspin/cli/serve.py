"""``unspin serve``: arguments only (the app is :mod:`unspin.serving`)."""

from __future__ import annotations

import ipaddress
import os
import socket
import sys

from ..errors import UnspinError, UsageError

API_KEY_ENV = "UNSPIN_API_KEY"


def register(sub, eval_sub) -> None:
    p = sub.add_parser(
        "serve", help="web page and HTTP API (needs the 'serve' extra)",
        description="Serve the web page at / and the JSON API (POST /v1/detect, /v1/restore, /v1/trace; "
                    "GET /healthz; routes at /docs). Models load once at start-up. Binds to loopback "
                    "unless --host says otherwise.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument("--index", metavar="INDEX", help="a trace index: enables /v1/trace and the page's likely source")
    p.add_argument("--api-key", metavar="KEY",
                   help=f"require this key on the API (X-API-Key or Authorization: Bearer) and the page's form; "
                        f"default: the {API_KEY_ENV} environment variable, else none")
    p.add_argument("--max-body", type=int, default=1024 * 1024, metavar="BYTES",
                   help="largest request body; larger ones get 413 (default 1048576)")
    p.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                   help="time limit per request, waiting included; later answers get 503 (default 60)")
    p.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                   help="allow browser calls from this origin (e.g. https://cms.example.org); repeatable; "
                        "default: none")
    p.add_argument("--workers-threads", type=int, default=0, metavar="N",
                   help="threads that run detection and restoration (default: one per core)")
    p.set_defaults(func=run_serve)


def _check(args) -> str | None:
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535 (got {args.port})")
    if args.max_body < 1:
        raise UsageError("--max-body must be at least 1 byte")
    if not args.timeout > 0:
        raise UsageError("--timeout must be more than 0 seconds")
    if args.workers_threads < 0:
        raise UsageError("--workers-threads must be >= 0 (0: one per core)")
    for origin in args.cors_origin:
        if origin != "*" and not origin.startswith(("http://", "https://")):
            raise UsageError(f"--cors-origin {origin!r}: give an origin such as https://cms.example.org")
    if args.index is not None and not os.path.isfile(args.index):
        raise UnspinError(f"{args.index}: no such trace index")
    key = args.api_key if args.api_key is not None else os.environ.get(API_KEY_ENV) or None
    if key is not None and not key.strip():
        raise UsageError("--api-key is empty")
    return key


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, opened here so a busy port is a one-line error, not a log line."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise UnspinError(f"--host {host}: {e.strerror}") from None
    family, _, _, _, addr = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
    except OSError as e:
        sock.close()
        raise UnspinError(f"cannot listen on {host}:{port}: {e.strerror}") from None
    sock.listen(2048)
    return sock


def run_serve(args) -> int:
    key = _check(args)
    try:
        import uvicorn

        from ..serving import Engine, ServeConfig, create_app
    except ImportError as e:
        raise UnspinError(f"unspin serve needs the 'serve' extra ({e.name} is missing): "
                          "pip install 'unspin[serve]'") from None
    config = ServeConfig(index=args.index, api_key=key, max_body=args.max_body, timeout=args.timeout,
                         cors_origins=tuple(args.cors_origin), threads=args.workers_threads)
    if not _is_loopback(args.host) and key is None:
        print(f"unspin serve: warning: listening on {args.host} without an API key; anyone who can reach "
              "this address can use it (set --api-key or UNSPIN_API_KEY)", file=sys.stderr)
    sock = _listen(args.host, args.port)
    engine = Engine(config.engine_config())
    try:
        engine.start()  # a bad index is reported here, before anyone is told to connect
    except BaseException:
        sock.close()
        engine.close()
        raise
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"unspin serve: http://{shown}:{port}/ (API routes at /docs; Ctrl-C stops)", file=sys.stderr, flush=True)
    server = uvicorn.Server(uvicorn.Config(create_app(config, engine), log_level="warning",
                                           timeout_graceful_shutdown=5))
    server.run(sockets=[sock])
    return 0
