"""The words and patterns that tell page chrome from an article: tag names, ARIA
roles, class/id words, and the lines a Korean news page repeats around its text."""

from __future__ import annotations

import re

from search.ingest.bylines import REPORTER_TITLES
from search.ingest.dates import PUBLISHED_LABELS


# Elements that never hold article text a reader sees.
_DROP_TAGS = (
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object",
    "embed", "applet", "svg", "math", "canvas", "video", "audio", "source", "track", "map",
    "button", "input", "select", "option", "optgroup", "textarea", "datalist", "output",
    "link", "meta", "base", "head", "title",
)
_STRUCTURAL_JUNK = {"nav", "aside", "footer", "header", "menu", "dialog"}
_JUNK_ROLES = {
    "navigation", "banner", "complementary", "contentinfo", "search", "menu", "menubar",
    "dialog", "alertdialog", "toolbar", "tablist", "tab",
}
# Class/id words (split at `-`, `_`, camelCase) that mark page chrome.
_JUNK_WORDS = {
    "nav", "navi", "navbar", "gnb", "lnb", "snb", "menu", "menubar", "allmenu", "footer", "foot",
    "aside", "side", "sidebar", "header", "masthead", "related", "relation", "comment", "comments",
    "cmt", "reply", "reple", "share", "sharing", "sns", "social", "kakao", "facebook", "twitter",
    "ad", "ads", "adv", "advert", "advertisement", "banner", "bnr", "sponsor", "sponsored", "promo",
    "promotion", "copyright", "tag", "tags", "hashtag", "keyword", "keywords", "breadcrumb",
    "breadcrumbs", "login", "signin", "subscribe", "subscription", "newsletter", "popup", "modal",
    "toast", "toolbar", "toolbox", "tool", "tools", "util", "utility", "utils", "btn", "button",
    "search", "widget", "rank", "ranking", "popular", "trending", "best", "most", "recommend",
    "taboola", "outbrain", "dable", "byline", "writer", "reporter", "journalist", "author",
    "profile", "sitemap", "paging", "pagination", "pager", "reaction", "emotion", "blind", "gotop",
}
_JUNK_PREFIXES = (
    "comment", "relat", "recommend", "recomm", "advert", "adsby", "banner", "sponsor", "copyright",
    "footer", "sidebar", "breadcrumb", "navigation", "subscri", "newsletter", "popular", "sharing",
    "social", "reporter", "byline",
)
_JUNK_JOINED = ("sronly", "screenout", "soundonly", "visuallyhidden", "offscreen", "screenreader")
# Section words that mark the boxes whose author names belong to other people.
_FOREIGN_WORDS = {
    "comment", "comments", "cmt", "reply", "reple", "related", "relation", "recommend", "popular",
    "rank", "ranking", "footer", "aside", "sidebar", "nav", "gnb", "lnb", "best", "most",
}
_POSITIVE_WORDS = {
    "article", "articlebody", "articletext", "articlecontent", "articleview", "content", "contents",
    "cont", "body", "view", "news", "text", "txt", "story", "entry", "post", "main", "detail",
    "read", "cnt", "paragraph",
}
_CAPTION_WORDS = {"caption", "figcaption", "cap", "photocaption", "imgcaption", "caption_text"}
_CAPTION_OBJECTS = {"photo", "img", "image", "pic", "picture", "thumb", "thum", "figure", "fig"}
_CAPTION_TEXTS = {"txt", "text", "desc", "caption", "cap", "info", "explain", "exp", "title"}
_SUBTITLE_WORDS = {
    "subtitle", "subtit", "subtitles", "subhead", "subheadline", "subheading", "summary", "deck",
    "standfirst", "midtitle",
}
_SUB_PAIRS = {("sub", "tit"), ("sub", "title"), ("sub", "ttl"), ("sub", "head"), ("sub", "headline"),
              ("mid", "title"), ("mid", "tit"), ("sum", "title"), ("sum", "tit")}

_BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption center dd details dialog dir div dl dt "
    "fieldset figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 header hgroup hr html "
    "legend li main menu nav ol p pre section summary table tbody td tfoot th thead tr ul".split()
)
# Blocks that are one paragraph: their score goes to the element holding them.
_PARAGRAPH_TAGS = frozenset("p h1 h2 h3 h4 h5 h6 li dt dd blockquote pre th figcaption caption address".split())
_HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_HANGUL = re.compile("[\uac00-\ud7a3]")
_NON_WORD = re.compile(r"[\W_]+")
_BLANK_LINE = re.compile(r"\n[ \t\u00a0\u3000]*\n")
_CLAUSE = re.compile(r"[,，、]|다\.|[.!?。](?:\s|$)")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.I)
_PLACEHOLDER = re.compile(r"^(?:\$\$.*\$\$|\{\{.*\}\}|%%.*%%|\[\[.*\]\]|#{2,}\w+#{2,})$")
_BYLINE_END = re.compile(
    rf"(?:{REPORTER_TITLES})\s*(?:[(\[<]?\s*{_EMAIL.pattern}\s*[)\]>]?)?\s*[\])]?\s*$"
)
_LABELLED_DATE = re.compile(
    "(?:" + "|".join(re.escape(label) for label in PUBLISHED_LABELS) + r")\s*(?:일시|시간)?\s*[:：]?\s*(?=(?:19|20)\d\d)"
)
_RELATED_HEADING = re.compile(
    r"^[\s\[【<〈《■□▶▷●○◆◇-]*(?:관련\s*기사|관련\s*뉴스|연관\s*기사|관련\s*콘텐츠|관련\s*글"
    r"|(?:함께|같이)\s*(?:보면|읽으면|볼만한|읽을만한)\s*(?:좋은\s*)?(?:기사|뉴스|콘텐츠)"
    r"|이\s*기사와\s*관련된\s*(?:기사|뉴스))"
    r"(?:\s*(?:보기|더\s*보기|목록))?[\s\]】>〉》:：]*$"
)
_DATE_IN_PARENS = re.compile(r"\s*[(\[]\s*((?:19|20)\d\d[./-]\s*\d{1,2}[./-]\s*\d{1,2}\.?)\s*[)\]]\s*$")
_FOOTER_LINE = re.compile(r"무단\s*전재|재배포\s*금지|copyright\s*(?:©|ⓒ|\(c\))|all\s+rights\s+reserved|저작권자\s*[©ⓒ]|^[©ⓒ]", re.I)
_CAPTION_LINE = re.compile(r"^\s*[▲△]\s*(?P<text>.+)$")
_TITLE_SEPARATOR = re.compile(r"\s+[|:\-–—·•»«/]+\s+|\s*[|ㅣ｜]\s*|(?<=\S)[-–—](?=\S)|\s*::\s*")

# Section names that sit between a headline and the site name (`제목-정치ㅣ한국일보`).
_SECTION_WORDS = {
    "정치", "경제", "사회", "국제", "세계", "문화", "스포츠", "연예", "엔터", "오피니언", "사설", "칼럼",
    "기고", "산업", "금융", "증권", "부동산", "it", "과학", "itㆍ과학", "생활", "라이프", "전국", "지역",
    "피플", "인물", "북한", "건강", "여행", "교육", "날씨", "포토", "영상", "뉴스", "속보", "종합", "경제일반",
    "사회일반", "정치일반", "기업", "테크", "politics", "economy", "society", "world", "culture", "sports",
    "entertainment", "opinion", "business", "tech", "news",
}

_EXTRA_CHROME = {
    "이미지 확대보기", "사진 확대", "확대", "축소", "기사저장", "기사 저장", "댓글 쓰기", "댓글쓰기", "공유",
    "기사 공유", "공유 닫기", "인쇄하기", "글자 크기 변경하기", "글자크기 설정", "본문 글씨 키우기",
    "본문 글씨 줄이기", "구독", "구독하기", "싫어요", "추천", "신고", "더보기", "전체메뉴", "TOP",
    "열기", "이전", "다음", "광고", "AD", "기사 URL이 복사되었습니다.", "URL이 복사되었습니다.",
    "SNS 공유", "음성으로 듣기", "번역", "스크랩 하기", "북마크",
}

MIN_BODY_CHARS = 50  # a one-paragraph 속보 is about this long
# A 속보 or 단신 of one or two sentences, on a page with a byline (a reporter or
# a publication time): accepted when it is a sentence, which navigation, menus
# and link lists never are.
MIN_BRIEF_CHARS = 20
_SENTENCE_END = re.compile(r"(?:[가-힣][.!?…]|[.!?])[\"'”’」』)]*\s*$")
MIN_UNSIGNED_BODY_CHARS = 150  # a page with no article metadata must show more
STRUCTURED_MIN_CHARS = 200
