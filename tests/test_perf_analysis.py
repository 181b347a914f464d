"""The analyzer's fused fast path must produce exactly what the filter chain
produces: same terms, positions and character offsets, in the same order."""

import json
from itertools import islice

import pytest
from whoosh.analysis import CompositeAnalyzer

from search.analysis.analyzer import KoreanAnalyzer, PreTokenized, _fused_terms
from search.analysis.morphology import Morpheme, get_backend
from search.analysis.normalize import normalize_with_offsets
from conftest import FIXTURE_ARTICLES, SEED_FILE

EDGE_CASES = [
    "",
    "   \n\n  ",
    "文 대통령과 對中 수출, 韓美 정상회담",  # Hanja with readings
    "삼성전자는 성장산업에서 클라우드컴퓨팅으로 나섰다",  # compounds, lemmas
    "MS와 AI, iPhone 15 Pro를 샀다… 3.5%↑",  # Latin, numbers, symbols
    "뭘 했니? 깨끗하다. 아름다운 하늘",  # base forms, roots, adjectives
    "삼성\x00전자 \ud800 협력",  # characters mecab cannot take
    "가" * 3000 + "\n" + "협력했다 " * 800,  # longer than one mecab chunk
    "마이크로소프트의 사티아 나델라 최고경영자(CEO)",  # user dictionary
    "\u1109\u1161\u11b7\u1109\u1165\u11bc\u110c\u1165\u11ab\u110c\u1161 ＡＩ ２０１５년 방탄\u200b소년단\u00a0콘서트",  # normalised first
]


def chain_tuples(analyzer: KoreanAnalyzer, text: str, start_char: int = 0):
    """What the filters themselves yield (the fast path bypassed) over the
    normalised text, offsets mapped back to `text`."""
    normalized, offsets = normalize_with_offsets(text)
    tokens = CompositeAnalyzer.__call__(analyzer, normalized, positions=True, chars=True, start_char=start_char)
    out = [(t.text, t.pos, t.startchar, t.endchar) for t in tokens]
    if offsets is not None:
        out = [(term, pos) + tuple(x + start_char for x in offsets.span(s - start_char, e - start_char))
               for term, pos, s, e in out]
    return out


def corpus_texts():
    texts = [SEED_FILE.read_text("utf-8")]
    for record in FIXTURE_ARTICLES:
        texts += [record["title"], record["body"], record.get("subtitle") or ""]
    return texts + EDGE_CASES


@pytest.mark.parametrize("backend", ["mecab", "kiwi"])
def test_fused_path_matches_the_filter_chain(backend):
    if backend == "kiwi":
        pytest.importorskip("kiwipiepy", reason="kiwipiepy is the optional second analyser")
    analyzer = KoreanAnalyzer(backend)
    for text in corpus_texts():
        expected = chain_tuples(analyzer, text)
        normalized = normalize_with_offsets(text)[0]
        assert _fused_terms(backend, normalized) == chain_tuples(analyzer, normalized), text[:80]
        assert analyzer.token_tuples(text) == expected
        # And through the analyzer's own entry point, as Whoosh indexes a field.
        via_call = [(t.text, t.pos, t.startchar, t.endchar)
                    for t in analyzer(text, positions=True, chars=True, mode="index")]
        assert via_call == expected


def test_fused_path_matches_on_real_news(shared_data):
    analyzer = KoreanAnalyzer()
    path = shared_data / "news" / "ko_wikinews_boddari" / "wikinews.normalized.jsonl"
    if not path.exists():
        pytest.skip(f"{path} not found")
    checked = 0
    with open(path, encoding="utf-8") as handle:
        for line in islice(handle, 150):
            record = json.loads(line)
            for text in (record.get("title") or "", record.get("body") or ""):
                assert analyzer.token_tuples(text) == chain_tuples(analyzer, text), text[:80]
                checked += 1
    assert checked >= 100


def test_start_char_offsets_are_kept():
    analyzer = KoreanAnalyzer()
    text = "文 대통령이 삼성전자를 방문했다"
    shifted = [(t.text, t.pos, t.startchar, t.endchar)
               for t in analyzer(text, positions=True, chars=True, start_char=100)]
    assert shifted == chain_tuples(analyzer, text, start_char=100)
    assert shifted[0][2] == 100


def test_tokens_outside_indexing_are_independent_objects():
    # list(analyzer(text)) must not hand back one object repeated.
    tokens = list(KoreanAnalyzer()("삼성전자와 협력했다", positions=True))
    assert [t.text for t in tokens] == ["삼성", "전자", "협력"]
    assert len({id(t) for t in tokens}) == 3


def test_a_changed_chain_runs_the_filters_not_the_fast_path():
    from whoosh.analysis import StopFilter

    analyzer = KoreanAnalyzer()
    analyzer.items.insert(-1, StopFilter(stoplist=["협력"], minsize=1, renumber=False))
    assert [t.text for t in analyzer("삼성전자와 협력했다")] == ["삼성", "전자"]
    assert [t[0] for t in analyzer.token_tuples("삼성전자와 협력했다")] == ["삼성", "전자"]


def test_morphemes_and_tuples_agree():
    backend = get_backend("mecab")
    text = SEED_FILE.read_text("utf-8")[:3000]
    assert backend.analyze(text) == [Morpheme(*t) for t in backend.analyze_tuples(text)]


def test_pretokenized_replay_still_round_trips():
    analyzer = KoreanAnalyzer()
    tuples = analyzer.token_tuples("文 대통령이 삼성전자를 방문했다")
    replayed = [(t.text, t.pos, t.startchar, t.endchar)
                for t in analyzer(PreTokenized("文 대통령이 삼성전자를 방문했다", tuples), positions=True, chars=True)]
    assert replayed == tuples


def _both_formats(texts):
    """(compact, default) morphemes of each mecab chunk of `texts`: the
    backend's own node format read by `_collect`, and mecab's default output
    (every feature) read by `_collect_default`, with the same dictionaries."""
    import mecab_ko

    from search.analysis.morphology import MecabBackend, _chunks, make_safe

    backend = get_backend("mecab")
    default = mecab_ko.Tagger(f'-u "{backend.user_dictionary}"' if backend.user_dictionary else "")
    for text in texts:
        for raw in {text, normalize_with_offsets(text)[0]}:
            for offset, piece in _chunks(make_safe(raw)):
                if not piece.strip():
                    continue
                compact, full = [], []
                MecabBackend._collect(piece, offset, backend._tagger.parse(piece), compact)
                MecabBackend._collect_default(piece, offset, default.parse(piece), full)
                yield piece, compact, full


ODD_FEATURES = ["a,b \"c\" d*e ** , , ,, 文,國 ㅋ\t탭\r\n캐리지", "*", ",", '"', "+", "/", "a/b+c", "가+나",
                "1,000,000원을 냈다", "했었겠지만 뭘 그랬을까"]


def test_compact_node_format_gives_the_default_formats_morphemes():
    """The analyser asks mecab for five fields a morpheme (NODE_FORMAT)
    instead of its default line of eight features: the same morphemes
    (surface, tag, offsets, lemma, compound parts, reading) on our texts,
    symbols that are mecab's own separators, inflections and compounds."""
    seen = 0
    for piece, compact, full in _both_formats(corpus_texts() + ODD_FEATURES):
        assert compact == full, piece[:80]
        seen += len(full)
    assert seen > 1000


def test_compact_node_format_on_the_shared_real_corpora(shared_data):
    texts = []
    for path in sorted(shared_data.glob("news/*/*.normalized.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in islice(handle, 400):
                record = json.loads(line)
                texts += [value for value in record.values() if isinstance(value, str) and value.strip()]
    if not texts:
        pytest.skip("no normalized news corpora in the shared data")
    compared = 0
    for piece, compact, full in _both_formats(texts):
        assert compact == full, piece[:80]
        compared += 1
    assert compared > 100
