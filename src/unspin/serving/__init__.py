"""``unspin serve``: the web page and the HTTP API (needs the ``serve`` extra).

:func:`create_app` builds the ASGI app (``app.py``); :class:`Engine` holds the models and the
worker pool (``engine.py``); ``limits.py`` the body cap and the API key; ``page.py`` the page.
"""

from .app import ServeConfig, create_app
from .engine import Engine, EngineConfig

__all__ = ["Engine", "EngineConfig", "ServeConfig", "create_app"]
