"""Saved news pages (`.html`/`.htm`) → `Article`, with no rules for any one site.

The package, one module per step: `decode` (bytes → text), `vocabulary` (the
words of page chrome), `dom` (helpers and cleanup), `metadata` (JSON-LD,
OpenGraph, bylines, dates), `related` (관련기사 boxes), `body` (text-block
scoring), `hydration` (articles kept as JSON data) and `extract` (the phases).

Decoding: a byte-order mark, else the charset the page declares in its first
4 KB (`<meta charset>`, `http-equiv` Content-Type, an XML declaration), read
through `encoding.decode_bytes`, which treats `euc-kr` as cp949 and falls back to
Korean-aware detection when the declaration is missing or plainly wrong.

Metadata, most trusted first: schema.org JSON-LD (`NewsArticle`, also inside
`@graph` and lists), OpenGraph / `article:*` / `dable:*` / `name=author` meta
tags, `<link rel=canonical>`, and then what the page says to a reader: the
byline (`홍길동 기자`, `홍길동·김철수 기자`) and the labelled date (`입력
2025.05.15 20:00`, `기사입력 …`).

Body: scripts, styles, forms' controls and embedded frames are dropped; so are
elements whose tag, role or class/id words mark them as navigation, ads,
comments, share buttons, related-article boxes, bylines or footers, unless they
hold most of the page's text.  The remaining blocks of running text are scored
(readability-style: length, clauses, Hangul share, minus link text) and their
scores handed to their containers; the best container (plus siblings that score
nearly as well) is the body.  Photo captions go to `captions`, the 부제 lines at
the head of the article to `subtitles`, and a 관련기사 box to `related`.

Pages that render their article with JavaScript carry it only as data: the
JSON-LD `articleBody`, or the JSON state a framework hydrates from (Next.js and
the like).  That data is used when the visible page has no article, but only an
object whose title matches the page's own title; free text in scripts (a
`document.write`, a JS string) is never read as the body.
"""

from search.ingest.html.decode import declared_encoding, decode_html
from search.ingest.html.extract import extract_article, load_html

__all__ = ["declared_encoding", "decode_html", "extract_article", "load_html"]
