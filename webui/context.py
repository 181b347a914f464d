"""The request's library objects, reached through Flask's `current_app`.

Its own module so that blueprints (pages, api) can reach the service without
importing the application factory that imports them."""

from __future__ import annotations

from flask import current_app

from search import SearchService

EXTENSION = "news_search"


def search_service() -> SearchService:
    """The request's SearchService (one per app, shared by all server threads)."""
    return current_app.extensions[EXTENSION]
