"""The index's bigram counts (search.analysis.derived.bigram_counts, found by
regular-expression scans) are the counts of the plain per-gram reference,
bigram_terms, on our own tricky text and on the shared real news."""

import json
from collections import Counter

from search.analysis.derived import bigram_counts, bigram_terms

TRICKY = [
    "",
    "가",
    "ab",
    "가나다",
    "삼성電子가 文 대통령과 AI·클라우드 협력을 논의했다 (1,000억원)",
    "İstanbul STRASSE Straße ﬁne ǅemal ΣΑΣ snake_case 한 漢 字",
    "ＡＢＣ 全角 ｶﾀｶﾅ 한\u200b글 ㄱㄴㄷ 가-나 가_나 2019년 3.5% x",
    "\u1100\u1161\u11a8 decomposed Hangul, 가\n나\t다",
]


def test_bigram_counts_are_the_counts_of_bigram_terms_on_tricky_text():
    for text in TRICKY:
        assert bigram_counts(text) == Counter(bigram_terms(text)), text


def test_bigram_counts_are_the_counts_of_bigram_terms_on_real_news(shared_data):
    checked = 0
    for path in sorted(shared_data.glob("news/*/*.normalized.jsonl")):
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle):
                if number >= 300:
                    break
                record = json.loads(line)
                body = record.get("body") or ""
                paragraphs = [body] if isinstance(body, str) else [str(p) for p in body]
                text = "\n".join([record.get("title") or ""] + paragraphs)
                assert len(text) > 40
                assert bigram_counts(text) == Counter(bigram_terms(text)), (path.name, number)
                checked += 1
    assert checked > 0
