"""Article ids in URLs.

Ids come from the articles' exports and may hold any character: `/`, `?`, `#`,
`..`, quotes.  Flask's default converter leaves `/` unquoted, so a link to the
article `../../static/app.js` would resolve to a different page altogether, and
an id with a `/` could never be reached.  Here an id is always written as one
fully percent-encoded path segment, and read back with its slashes (servers
decode `%2F` before routing).  Either way it is only ever a key looked up in the
index, never a file name.
"""

from __future__ import annotations

from urllib.parse import quote

from werkzeug.routing import PathConverter


class ArticleIdConverter(PathConverter):
    """`<article:article_id>`: any non-empty id, slashes included."""

    def to_url(self, value) -> str:
        return quote(str(value), safe="")


def register(app) -> None:
    app.url_map.converters["article"] = ArticleIdConverter
