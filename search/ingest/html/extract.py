"""One page → one `Article`: the phases in order (decode, read the head, read the
visible page, fall back to data, assemble), each a function."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional, Union

from bs4 import BeautifulSoup

from search.ingest.bylines import is_bare_name, reporters_in
from search.ingest.dates import parse_datetime
from search.ingest.encoding import looks_binary
from search.ingest.errors import ArticleError
from search.ingest.html.body import (
    _BodyResult, _body_from_lines, _choose_containers, _clean_tree, _fragment_body, _list_like, _within,
)
from search.ingest.html.decode import _maybe_gunzip, decode_html
from search.ingest.html.dom import (
    _absolute, _attr, _byline_names, _foreign, _is_subtitle_element, _iter_lines, _letters, _links,
    _parse, _path, _press_for, _remove_junk, _scheme, _squeeze, _tags, _take_captions, _words,
)
from search.ingest.html.hydration import _hydrated_article, _hydrated_metadata
from search.ingest.html.metadata import (
    _Found, _Page, _labelled_published, _ld_authors, _ld_resolve, _ld_text, _ld_url,
    _names_from_value, _plausible, _site_names, _strip_site,
)
from search.ingest.html.related import _related_boxes, _related_links
from search.ingest.html.vocabulary import (
    MIN_BODY_CHARS, MIN_BRIEF_CHARS, MIN_UNSIGNED_BODY_CHARS, STRUCTURED_MIN_CHARS, _EMAIL, _SENTENCE_END,
)
from search.ingest.text import clean_line
from search.model import Article, RelatedLink


def extract_article(
    data: Union[bytes, str],
    url: Optional[str] = None,
    source: Optional[str] = None,
    id_basis: Optional[str] = None,
) -> Article:
    """The article of one HTML page.  `url` is where the page came from: it
    resolves relative links and stands in when the page names no URL of its
    own.  Raises `ArticleError` (and nothing else) when there is no article."""
    try:
        return _extract(data, url, source, id_basis)
    except ArticleError:
        raise
    except RecursionError:
        raise ArticleError("HTML nested too deeply to read") from None
    except Exception as exc:  # the contract: a bad page is an ArticleError, never a crash
        raise ArticleError(f"cannot read the HTML page ({type(exc).__name__}: {exc})") from exc


def load_html(path: Path, data: bytes, id_basis: Optional[str] = None) -> Iterator[Article]:
    """The loader's entry point: one page, one article."""
    yield extract_article(data, source=str(path), id_basis=id_basis)


@dataclass
class _DomRead:
    """What the visible page gave: body, related links and the byline."""

    result: _BodyResult
    related: list[RelatedLink]
    page_text: str
    reporters: list[str]
    email: Optional[str]
    prose: int  # letters of the page outside link-dominated lines


def _read_dom(soup: BeautifulSoup, title: str, base: Optional[str], strict: bool) -> _DomRead:
    """Find the body in the visible page.  `strict` drops elements by their
    class/id words too; the lenient pass (for pages whose article container
    carries an unlucky class name) only by tag, role and inline style."""
    _clean_tree(soup)
    root = soup.body or soup
    page_lines = _iter_lines(root)
    page_text = "\n".join(line.text for line in page_lines)
    total_letters = sum(line.chars for line in page_lines)

    boxes = _related_boxes(root, total_letters)
    related = _related_links(boxes, base)
    for box in boxes:
        for el in box:
            el.extract()
    captions = _take_captions(root)

    order = _tags(root)
    position = {id(el): i for i, el in enumerate(order)}
    subtitle_elements = [el for el in order if _is_subtitle_element(el) and not _foreign(el)]

    reporters: list[str] = []
    email = None
    for el in [t for t in order if any(
        w.startswith(("byline", "writer", "reporter", "journalist", "author")) for w in _words(t)
    )]:
        if _foreign(el):
            continue
        value = clean_line(el.get_text(" "))
        if not value or len(value) > 300:
            continue
        for name in reporters_in(" " + value) or ([value] if is_bare_name(value) else []):
            if name not in reporters:
                reporters.append(name)
        m = _EMAIL.search(value)
        if not m:
            mail = next((a for a in _links(el) if _attr(a, "href").lower().startswith("mailto:")), None)
            m = _EMAIL.search(_attr(mail, "href")) if mail else None
        if m and not email:
            email = m.group(0)

    _remove_junk(root, total_letters, strict)
    lines = _iter_lines(root)
    containers = _choose_containers(root, lines)
    result = _BodyResult()
    if containers:
        container_ids = {id(c) for c in containers}
        first = min(position.get(id(c), 0) for c in containers)
        inside = [line for line in lines if _within(line.owner, container_ids)]
        result = _body_from_lines(inside, title, {id(el) for el in subtitle_elements}, container_ids)
        head_subtitles: list[str] = []
        for el in subtitle_elements:  # a 부제 in the article's header, above the body
            if _within(el, container_ids) or position.get(id(el), first) >= first:
                continue
            texts = [line.text for line in _iter_lines(el)]
            if texts and sum(len(t) for t in texts) <= 300 and _squeeze(" ".join(texts)) != _squeeze(title):
                head_subtitles.extend(texts)
        result.subtitles = head_subtitles[:6] + result.subtitles
        result.captions = [text for text, holders in captions if holders & container_ids] + result.captions
        if _list_like(containers, result.body):
            result = _BodyResult()
    prose = sum(line.chars for line in page_lines if line.link_chars <= 0.5 * line.chars)
    return _DomRead(result, related, page_text, reporters, email, prose)


@dataclass
class _Declared:
    """What the page's metadata (JSON-LD, meta tags) says about its article."""

    reporters: list[str] = field(default_factory=list)
    email: Optional[str] = None
    published: Any = None
    subtitles: list[str] = field(default_factory=list)
    meta_reporters: list[str] = field(default_factory=list)  # from author meta tags
    meta_email: Optional[str] = None


def _extract(data: Union[bytes, str], url: Optional[str], source: Optional[str], id_basis: Optional[str]) -> Article:
    """The phases, in order: text, the head's metadata, the visible page, the
    page's data when the visible page has no article, then the checks."""
    text = _page_text(data)
    soup = _parse(text)
    page = _Page(soup)
    ld = page.ld_article()
    ld_ids = page.ld_ids() if ld else {}
    article_url, base = _article_url(page, ld, url)
    press_names = _site_names(page, ld, article_url, ld_ids)
    title, title_sources = _title(page, ld, press_names)
    press = page.meta("og:site_name") or (_ld_text(_ld_resolve(ld.get("publisher"), ld_ids)) if ld else "") \
        or _press_for(article_url)
    declared = _declared_metadata(page, ld, ld_ids, press_names, title)
    dom = _visible_body(soup, text, title, base)
    chosen, hydrated_meta = _data_body(page, ld, dom, declared, title, title_sources, press_names)

    # ---- what the page tells its reader, when the metadata said nothing
    reporters, email, published = declared.reporters, declared.email, declared.published
    declared_article = bool(ld or published or reporters or declared.meta_reporters or dom.reporters
                            or page.meta("og:type").lower() == "article")
    if published is None and hydrated_meta is not None:
        published = hydrated_meta.published
    if published is None:
        published = _labelled_published(dom.page_text)
        declared_article = declared_article or published is not None
    if published is None:
        published = next((v for v in map(parse_datetime, page.times) if _plausible(v)), None)

    if not reporters:
        for found in (hydrated_meta.reporters if hydrated_meta else [], dom.reporters, declared.meta_reporters,
                      chosen.reporters):
            if found:
                reporters = list(found)
                break
    if not reporters:
        for line in dom.page_text.split("\n"):
            names = _byline_names(line)
            if names:
                reporters = names
                declared_article = True
                m = _EMAIL.search(line)
                email = email or (m.group(0) if m else None)
                break
    email = (email or dom.email or (hydrated_meta.email if hydrated_meta else None) or declared.meta_email
             or chosen.email)
    subtitles = declared.subtitles or chosen.subtitles
    subtitles = [s for s in dict.fromkeys(subtitles) if s and _squeeze(s) != _squeeze(title)]

    _require_body(chosen, declared_article or hydrated_meta is not None, bool(reporters or published))
    return Article.create(
        id_basis=id_basis,
        title=title,
        url=article_url,
        subtitles=subtitles,
        press=press or _press_for(article_url, email) or None,
        reporters=reporters,
        email=email,
        published=published,
        body=chosen.body,
        captions=list(dict.fromkeys(c for c in chosen.captions if c)),
        related=dom.related,
        source=source,
    )


def _page_text(data: Union[bytes, str]) -> str:
    """Bytes (gzip or not, any encoding) or text → the page's text; no page, an ArticleError."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = _maybe_gunzip(bytes(data))
        if looks_binary(raw):
            raise ArticleError("binary data (mostly control bytes), not an HTML page")
        text, _ = decode_html(raw)
    elif isinstance(data, str):
        text = data
    else:
        raise ArticleError(f"expected the page as bytes or text, not {type(data).__name__}")
    text = text.replace("\x00", "")
    if not text.strip():
        raise ArticleError("empty page")
    undecodable = text.count("\ufffd")
    if undecodable > 10 and undecodable > 0.05 * len(text):
        raise ArticleError("not a text page: the bytes read as no known encoding")
    return text


def _article_url(page: _Page, ld: Optional[dict], url: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    """(the article's URL, the base for its relative links): the page's own
    canonical address, else where it came from."""
    base = url if _scheme(url) in ("http", "https") else None
    for candidate in (page.base_href, page.canonical, page.meta("og:url")):
        if candidate and _scheme(candidate) in ("http", "https"):
            base = base or candidate
    candidates = [page.canonical, page.meta("og:url"), _ld_url(ld.get("url")) if ld else None,
                  _ld_url(ld.get("mainEntityOfPage")) if ld else None, url]
    absolute = [u for u in (_absolute(c, base) for c in candidates if c) if u]
    deep = [u for u in absolute if _path(u) not in ("", "/")]  # not a canonical that names the home page
    article_url = (deep or absolute or [None])[0]
    return article_url, base or article_url


def _title(page: _Page, ld: Optional[dict], press_names: list[str]) -> tuple[str, list[str]]:
    """(the headline without the site's name, every title the page declares)."""
    headings = page.headings
    sections = page.meta_all("article:section", "article:section2", "og:article:section", "section")
    title_sources = [
        (_ld_text(ld.get("headline")) or _ld_text(ld.get("name"))) if ld else "",
        page.meta("og:title"), page.meta("twitter:title"), page.meta("dable:title"), page.html_title,
    ]
    title = ""
    for candidate in title_sources:
        if candidate:
            title = _strip_site(candidate, press_names, headings, sections)
            if title:
                break
    if not title:
        site_forms = {_squeeze(p) for p in press_names}
        title = next((h for h in headings if len(h) >= 4 and _squeeze(h) not in site_forms), "")
    return title, title_sources


def _declared_metadata(page: _Page, ld: Optional[dict], ld_ids: dict[str, dict], press_names: list[str],
                       title: str) -> _Declared:
    found = _Declared()
    if ld:
        found.reporters, found.email = _ld_authors(ld, ld_ids, press_names)
        for key in ("datePublished", "dateCreated", "uploadDate"):
            value = parse_datetime(_ld_text(ld.get(key)))
            if _plausible(value):
                found.published = value
                break
        alternative = _ld_text(ld.get("alternativeHeadline"))
        if alternative and _squeeze(alternative) != _squeeze(title):
            found.subtitles = [alternative]
    if found.published is None:
        for value in page.meta_all(
            "article:published_time", "og:article:published_time", "article:published", "published_time",
            "datepublished", "pubdate", "publishdate", "publish-date", "publish_date", "sailthru.date",
            "parsely-pub-date", "dc.date.issued", "dcterms.issued", "dcterms.created", "dc.date", "date",
            "article:published_date", "nv:news:date",
        ):
            value_dt = parse_datetime(value)
            if _plausible(value_dt):
                found.published = value_dt
                break
    if found.published is None:
        found.published = next((v for v in map(parse_datetime, page.date_published) if _plausible(v)), None)
    for value in page.meta_all("author", "article:author", "og:article:author", "dable:author", "byl",
                               "sailthru.author", "parsely-author", "dc.creator"):
        for name in _names_from_value(value, press_names):
            if name not in found.meta_reporters:
                found.meta_reporters.append(name)
        m = _EMAIL.search(value)
        if m and not found.meta_email:
            found.meta_email = m.group(0)
    return found


def _visible_body(soup: BeautifulSoup, text: str, title: str, base: Optional[str]) -> _DomRead:
    """The body in the visible page; a second, lenient pass when the first finds none."""
    dom = _read_dom(soup, title, base, strict=True)
    if dom.result.chars < STRUCTURED_MIN_CHARS and dom.prose >= STRUCTURED_MIN_CHARS:
        lenient = _read_dom(_parse(text), title, base, strict=False)
        if lenient.result.chars > dom.result.chars:
            dom = lenient
    return dom


def _data_body(page: _Page, ld: Optional[dict], dom: _DomRead, declared: _Declared, title: str,
               title_sources: list[str], press_names: list[str]) -> tuple[_BodyResult, Optional[_Found]]:
    """Articles that only exist as data (JSON-LD articleBody, hydration state):
    (the body to use, what the hydration data said of the article)."""
    chosen = dom.result
    structured: Optional[_BodyResult] = None
    if ld and isinstance(ld.get("articleBody"), str) and ld["articleBody"].strip():
        structured = _fragment_body(ld["articleBody"], title)
    needs_data = chosen.chars < STRUCTURED_MIN_CHARS and (
        structured is None or structured.chars < STRUCTURED_MIN_CHARS
    )
    hydrated_meta: Optional[_Found] = None
    have_reporters = declared.reporters or declared.meta_reporters or dom.reporters or chosen.reporters
    if page.script_texts and (needs_data or declared.published is None or not have_reporters):
        titles = {_squeeze(t) for t in [title, *title_sources, *page.headings[:5]] if t and len(_squeeze(t)) >= 4}
        hydrated = _hydrated_article(page, titles) if titles else None
        if hydrated:
            hydrated_meta = _hydrated_metadata(hydrated["object"], press_names)
            if needs_data:
                structured = _fragment_body(hydrated["body"], title)
                if not structured.subtitles:
                    structured.subtitles = hydrated_meta.subtitles
    if structured is not None and structured.body and (not chosen.body or chosen.chars < 0.6 * structured.chars):
        chosen = structured
    return chosen, hydrated_meta


def _require_body(chosen: _BodyResult, signed: bool, bylined: bool) -> None:
    """An ArticleError unless the body reads as an article: long enough (less for
    a page that declares an article), or a brief of sentences under a byline."""
    body, body_chars = chosen.body, chosen.chars
    needed = MIN_BODY_CHARS if signed else MIN_UNSIGNED_BODY_CHARS
    # A brief needs a byline (a reporter or a publication time), not only
    # article metadata, which section pages carry too.
    brief = bylined and body_chars >= MIN_BRIEF_CHARS and any(
        _SENTENCE_END.search(line) and _letters(line) >= MIN_BRIEF_CHARS for line in body)
    if not body or (body_chars < needed and not brief) or max(len(line) for line in body) < 25:
        raise ArticleError(
            "no article text found: no block of running text outside navigation, ads and scripts"
            + (f" (only {body_chars} characters)" if body else "")
        )
