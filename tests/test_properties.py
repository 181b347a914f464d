"""Property-based tests: whatever Unicode arrives, the analyzer and the query
parser answer without an exception, and token offsets point into the input."""

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import query as whoosh_query

from search.analysis.analyzer import KoreanAnalyzer
from search.query.parser import QueryParser

ANALYZER = KoreanAnalyzer()
PARSER = QueryParser(ANALYZER)

# Plenty of Hangul, jamo, Hanja, Latin, digits and query syntax among arbitrary text.
korean_heavy = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(list("삼성전자협력했다는의를 文大統領ㄱㅅㅈㅎㅏㅣ AIms5G180조원\"()-:OR\n\t")), max_size=200),
    st.text(alphabet=st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3) | st.sampled_from(list(string.printable)), max_size=300),
)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(korean_heavy)
def test_any_text_is_analysed_with_offsets_inside_the_input(text):
    for token in ANALYZER(text, positions=True, chars=True):
        assert 0 <= token.startchar < token.endchar <= len(text)
        assert token.text  # never an empty term
        assert token.pos >= 0


@SETTINGS
@given(korean_heavy)
def test_positions_never_decrease(text):
    positions = [t.pos for t in ANALYZER(text, positions=True)]
    assert positions == sorted(positions)


@SETTINGS
@given(korean_heavy)
def test_any_query_is_parsed_and_compiled(text):
    parsed = PARSER.parse(text)
    compiled = PARSER.compile(parsed).query
    # Nothing searchable compiles to None; anything else to a Whoosh query.
    assert compiled is None or isinstance(compiled, whoosh_query.Query)
    if parsed.node is None:  # no syntax tree: nothing to compile
        assert compiled is None
    assert all(isinstance(n, str) and n for n in parsed.notices)
