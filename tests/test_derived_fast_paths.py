"""The derived fields' fast paths equal plain references: the index's bigram
counts (search.analysis.derived.bigram_counts, found by regular-expression
scans) are the counts of bigram_terms (a slice per gram), and words_from_tokens
(runs of one morpheme not closed again) gives what a plain reading of its rule
gives, on our own tricky text and on the shared real news."""

import json
from collections import Counter

from search.analysis.analyzer import KoreanAnalyzer
from search.analysis.derived import bigram_counts, bigram_terms, words_from_tokens
from search.analysis.normalize import normalize_text
from search.korean import is_hangul_word

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


def plain_words(text, tokens):
    """words_from_tokens' rule read plainly: every noun-like morpheme (term as
    written) of two or more Hangul syllables, and every run of them written
    together, closed at each break; first occurrences, in order."""
    keys, run, seen = [], None, set()
    for term, _, start, end in tokens:
        if (start, end) in seen or end <= start:
            continue
        seen.add((start, end))
        surface = normalize_text(text[start:end])
        if term != surface:
            keys.append(run)
            run = None
            continue
        if run is not None and start == run[1]:
            run = (run[0], end)
        else:
            keys.append(run)
            run = (start, end)
        keys.append((start, end))
    keys.append(run)
    found = [normalize_text(text[k[0]:k[1]]) for k in keys if k is not None]
    return list(dict.fromkeys(w for w in found if len(w) >= 2 and is_hangul_word(w)))


def test_words_from_tokens_is_its_plain_rule_on_tricky_text():
    analyzer = KoreanAnalyzer()
    for text in TRICKY + ["삼성전자는 삼성 전자와 文대통령을 만났다", "움직이는 삼성전자서비스센터가 나섰다"]:
        tokens = analyzer.token_tuples(text)
        assert words_from_tokens(text, tokens) == plain_words(text, tokens), text


def news_texts(shared_data, per_file=300):
    for path in sorted(shared_data.glob("news/*/*.normalized.jsonl")):
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle):
                if number >= per_file:
                    break
                record = json.loads(line)
                body = record.get("body") or ""
                paragraphs = [body] if isinstance(body, str) else [str(p) for p in body]
                yield f"{path.name}:{number}", "\n".join([record.get("title") or ""] + paragraphs)


def test_words_from_tokens_is_its_plain_rule_on_real_news(shared_data):
    analyzer = KoreanAnalyzer()
    texts = list(news_texts(shared_data, per_file=60))
    assert texts
    for where, text in texts:
        tokens = analyzer.token_tuples(text)
        assert words_from_tokens(text, tokens) == plain_words(text, tokens), where


def test_bigram_counts_are_the_counts_of_bigram_terms_on_real_news(shared_data):
    checked = 0
    for where, text in news_texts(shared_data):
        assert len(text) > 40
        assert bigram_counts(text) == Counter(bigram_terms(text)), where
        checked += 1
    assert checked > 0
