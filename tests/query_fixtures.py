"""A small corpus for queries as readers type them (tests/test_query_forms*.py):
words that no single article holds together, a headline with quoted speech
that its body paraphrases, the same story from two presses, reporters with
near-identical names, hyphenated words.  Built once per session."""

from __future__ import annotations

from pathlib import Path

from reindex_fixtures import index_of

ARTICLES = [
    {
        "id": "qf-phone",
        "title": "삼성전자, 새 스마트폰 갤럭시 공개",
        "press": "매일경제", "reporter": "강경희", "published": "2024-03-02T09:00:00+09:00",
        "body": "삼성전자가 새 스마트폰을 공개했다. 카메라 성능을 크게 높였다고 회사는 설명했다.",
    },
    {
        "id": "qf-chip",
        "title": "SK하이닉스, 반도체 수출 사상 최대",
        "press": "한국일보", "reporter": "강경희", "published": "2024-03-05T10:00:00+09:00",
        "body": "SK하이닉스의 반도체 수출이 사상 최대를 기록했다. 메모리 가격 회복이 이어졌다.",
    },
    {
        "id": "qf-chip-typhoon",
        "title": "태풍 북상에 반도체 공장 점검",
        "press": "한국일보", "reporter": "박민수", "published": "2024-08-10T08:00:00+09:00",
        "body": "태풍이 북상하면서 반도체 공장들이 설비를 점검했다.",
    },
    {
        "id": "qf-typhoon",
        "title": "태풍 경보 발령, 남해안 비상",
        "press": "연합뉴스TV", "reporter": "박민수", "published": "2024-08-11T08:00:00+09:00",
        "body": "기상청은 남해안에 태풍 경보를 발령했다. 1일부터 1시간마다 1차 점검을 한다.",
    },
    {
        "id": "qf-housing",
        "title": "국토부 장관 \"집값 반드시 잡겠다\"",
        "press": "매일경제", "reporter": "이서연", "published": "2024-05-01T09:00:00+09:00",
        "body": "국토교통부 장관은 주택 가격을 반드시 안정시키겠다고 말했다. 공급 대책도 내놓겠다고 했다.",
    },
    {
        "id": "qf-poet",
        "title": "원로 시인 김철수 별세",
        "press": "한국일보", "reporter": "이서연", "published": "2024-06-01T09:00:00+09:00",
        "body": "한국 현대시를 이끈 원로 시인 김철수 씨가 별세했다. 향년 92세.",
    },
    {
        "id": "qf-war",
        "title": "이-팔 전쟁에 국제유가 급등",
        "press": "연합뉴스TV", "reporter": "박민수", "published": "2024-10-08T09:00:00+09:00",
        "body": "이스라엘과 팔레스타인의 이-팔 전쟁이 격화되면서 국제유가가 급등했다.",
    },
    {
        "id": "qf-esports",
        "title": "e-스포츠 대회 관중 10만 명 돌파",
        "press": "매일경제", "reporter": "최다은", "published": "2024-09-01T09:00:00+09:00",
        "body": "e-스포츠 결승전 관중이 10만 명을 넘었다.",
    },
    # One story from two presses, word for word: the pasted source decides.
    {
        "id": "qf-rate-mk",
        "title": "한국은행 기준금리 동결 결정",
        "press": "매일경제", "reporter": "최다은", "published": "2024-07-11T10:00:00+09:00",
        "body": "한국은행 금융통화위원회가 기준금리를 동결했다.",
    },
    {
        "id": "qf-rate-hk",
        "title": "한국은행 기준금리 동결 결정",
        "press": "한국일보", "reporter": "윤재호", "published": "2024-07-11T10:00:00+09:00",
        "body": "한국은행 금융통화위원회가 기준금리를 동결했다.",
    },
    # A headline, and a column whose body says its words over and over.
    {
        "id": "qf-beach",
        "title": "여름 해수욕장 안전 점검 실시",
        "press": "매일경제", "reporter": "최다은", "published": "2024-07-01T09:00:00+09:00",
        "body": "해양경찰이 피서철을 앞두고 현장을 둘러봤다.",
    },
    {
        "id": "qf-beach-column",
        "title": "휴가철에 생각하는 것들",
        "press": "한국일보", "reporter": "윤재호", "published": "2024-07-02T09:00:00+09:00",
        "body": "여름 해수욕장 안전 점검 실시 소식을 들었다. 여름마다 해수욕장 안전 점검을 실시한다지만 "
                "해수욕장 안전은 점검 실시만으로 지켜지지 않는다. 여름 해수욕장 안전 점검 실시의 의미를 생각한다.",
    },
    {
        "id": "qf-assembly",
        "title": "강창희 전 국회의장 회고록 출간",
        "press": "한국일보", "reporter": "윤재호", "published": "2024-04-01T09:00:00+09:00",
        "body": "강창희 전 국회의장이 회고록을 냈다. 안경을 쓴 표지 사진이 눈길을 끌었다. "
                "그는 독자들에게 안녕히 계시라고 인사했다.",
    },
]

_built: dict[str, Path] = {}


def query_forms_index(tmp_path_factory) -> Path:
    """An index of ARTICLES, built once per session."""
    if "index" not in _built:
        _built["index"] = index_of(tmp_path_factory, "query-forms", ARTICLES)
    return _built["index"]
