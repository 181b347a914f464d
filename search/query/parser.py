"""One query-language front for one analyzer: `parse` (search.query.syntax)
and `compile` (search.query.compile) over the words' analysis
(search.query.words).  Each index generation holds the parser of the
analyzer it was built with (search.query.generation)."""

from __future__ import annotations

from search.query import syntax
from search.query.compile import CompiledQuery, compile_query
from search.query.tree import ParsedQuery
from search.query.words import QueryWords


class QueryParser(QueryWords):
    """Parses the query language into a syntax tree and compiles it with the
    index's own analyzer."""

    def parse(self, text: str) -> ParsedQuery:
        return syntax.parse(text)

    def compile(self, parsed: ParsedQuery, searcher=None) -> CompiledQuery:
        """The compiled query; `searcher` (or any vocabulary, see
        search.query.compile) adds bylines, press preferences and the common-word
        cut."""
        return compile_query(parsed, self, searcher)
