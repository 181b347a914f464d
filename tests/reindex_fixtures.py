"""A small JSONL corpus for reindex tests: numbered articles with distinct
bodies, any of which can be given a changed paragraph."""

from __future__ import annotations

import json


def write_corpus(path, count, changed=()):
    records = [{"id": f"a{i}", "title": f"제목 {i}",
                "body": f"본문 {i}번 기사는 서로 다른 내용입니다." + (" 고친 문단." if i in changed else "")}
               for i in range(count)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
