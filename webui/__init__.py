"""The web UI and JSON API: a Flask application factory over `SearchService`.

    create_app(index_dir)  →  blueprints `pages` (/, /search, /articles/<id>)
                              and `api` (/api/search, /api/articles/…, /api/openapi.json)

The web layer only calls the library (`SearchService`); it never reads article
files or touches the index directly.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Union

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from search import DEFAULT_INDEX, SearchService
from webui import api, errors, formatting, ids, pages, security
from webui.context import EXTENSION, search_service

__all__ = ["MAX_CONTENT_LENGTH", "create_app", "default_index_dir", "search_service"]

# Requests are GETs with a query string; nothing large is ever posted.
MAX_CONTENT_LENGTH = 64 * 1024


class JSONProvider(DefaultJSONProvider):
    """UTF-8 JSON in the documented key order, with `<`, `>` and `&` written as
    \\u escapes: the values are unchanged, but no response body ever contains
    markup from an article or a query, even when a client mistakes it for HTML."""

    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj, **kwargs) -> str:
        text = super().dumps(obj, **kwargs)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class NewsSearchApp(Flask):
    json_provider_class = JSONProvider


def default_index_dir() -> Path:
    return Path(os.environ.get("NEWS_SEARCH_INDEX") or DEFAULT_INDEX)


def create_app(
    index_dir: Union[str, Path, None] = None,
    *,
    service: Optional[SearchService] = None,
    config: Optional[dict] = None,
) -> Flask:
    app = NewsSearchApp(__name__)
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
        TEMPLATES_AUTO_RELOAD=False,
    )
    if config:
        app.config.update(config)
    app.extensions[EXTENSION] = service or SearchService(index_dir or default_index_dir())

    ids.register(app)  # before the blueprints: their routes use it
    formatting.register(app)
    security.register(app)
    errors.register(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    return app
