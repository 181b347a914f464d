"""Articles of our own for the grouping tests: one event reported as a wire
story, a near-copy of it (another dateline, one sentence more), a rewrite by
another press, and unrelated stories."""

from __future__ import annotations

import json
from pathlib import Path

WIRE_BODY = [
    "서울시가 다음 달부터 공공자전거 따릉이의 한 시간 이용권 요금을 천 원에서 천오백 원으로 올린다고 밝혔다.",
    "요금 인상은 이천십오년 서비스를 시작한 뒤 처음이며 정기권 요금도 함께 오른다.",
    "시는 자전거 정비 비용과 대여소 운영비가 해마다 늘어 적자가 커졌다고 설명했다.",
    "지난해 따릉이 운영 적자는 백억 원을 넘었고 이용 건수는 사천만 건을 기록했다.",
    "시는 요금 인상과 함께 노후 자전거 삼천 대를 새 자전거로 바꾸고 대여소 이백 곳을 늘릴 계획이다.",
    "청소년과 기초생활수급자의 할인 제도는 그대로 유지하고 장애인 이용자에게는 새로 할인을 적용한다.",
    "시민단체는 공공 교통수단의 요금을 올리기보다 광고 수익을 늘리는 방안을 먼저 찾아야 한다고 지적했다.",
    "서울시 관계자는 이용자 설문 결과를 반영해 인상 폭을 정했으며 추가 인상 계획은 없다고 말했다.",
    "새 요금은 다음 달 첫날 첫 대여부터 적용되며 이미 산 정기권은 남은 기간 동안 예전 요금으로 쓸 수 있다.",
    "따릉이 앱과 누리집에서는 이번 주부터 바뀌는 요금표와 할인 대상 확인 방법을 안내한다.",
]

EVENT = {
    "wire": {
        "id": "bike-wire", "title": "서울 따릉이 요금 오른다, 한 시간 천오백 원", "press": "가나통신",
        "published": "2025-03-02T09:00:00+09:00",
        "body": "\n".join(["서울 가나통신 김하늘 기자 " + WIRE_BODY[0]] + WIRE_BODY[1:]),
    },
    # The same story, carried by another outlet: its own dateline and one sentence more.
    "near": {
        "id": "bike-near", "title": "따릉이 요금 인상, 한 시간 천오백 원으로", "press": "다라일보",
        "published": "2025-03-02T10:30:00+09:00",
        "body": "\n".join(["다라일보 온라인뉴스팀 " + WIRE_BODY[0]] + WIRE_BODY[1:]
                         + ["요금 인상안은 시의회 보고를 거쳐 확정됐다."]),
    },
    # One event, told in other words by another press.
    "rewrite": {
        "id": "bike-rewrite", "title": "따릉이 9년 만에 요금 인상…정기권도 오른다", "press": "마바신문",
        "published": "2025-03-02T13:00:00+09:00",
        "body": "\n".join([
            "공공자전거 따릉이를 한 시간 타는 데 드는 돈이 다음 달부터 천오백 원이 된다.",
            "서울시가 다음 달부터 공공자전거 따릉이의 한 시간 이용권 요금을 천 원에서 천오백 원으로 올린다고 밝혔다.",
            "시는 자전거 정비 비용과 대여소 운영비가 해마다 늘어 적자가 커졌다고 설명했다.",
            "지난해 따릉이 운영 적자는 백억 원을 넘었고 이용 건수는 사천만 건을 기록했다.",
            "정기권 요금도 함께 오르지만 청소년과 기초생활수급자의 할인은 유지된다.",
            "시는 요금 인상과 함께 노후 자전거 삼천 대를 새 자전거로 바꾸고 대여소 이백 곳을 늘릴 계획이다.",
            "새 요금은 다음 달 첫날 첫 대여부터 적용되며 이미 산 정기권은 남은 기간 동안 예전 요금으로 쓸 수 있다.",
            "이용자들은 출퇴근 비용 부담이 커진다며 아쉬워하는 반응을 보였다.",
        ]),
    },
}

UNRELATED = [
    {"id": "harbor", "title": "부산항 컨테이너 물동량 역대 최대", "press": "가나통신",
     "published": "2025-03-01T11:00:00+09:00",
     "body": "부산항만공사는 지난달 부산항의 컨테이너 물동량이 이백만 개를 넘어 한 달 기준 역대 최대를 기록했다고 밝혔다.\n"
             "환적 화물이 크게 늘어난 것이 증가를 이끌었고 수출입 화물도 소폭 늘었다.\n"
             "공사는 신항 부두 자동화가 끝나면 처리 능력이 더 커질 것으로 내다봤다."},
    {"id": "orchard", "title": "이른 더위에 사과 꽃 일찍 피어 냉해 우려", "press": "다라일보",
     "published": "2025-03-03T08:00:00+09:00",
     "body": "경북 지역 과수원에서 사과 꽃이 예년보다 열흘 일찍 피면서 농민들이 냉해를 걱정하고 있다.\n"
             "기상청은 다음 주 꽃샘추위로 아침 기온이 영하로 떨어질 수 있다고 예보했다.\n"
             "농업기술센터는 방상팬을 점검하고 미세 살수 장치를 준비하라고 당부했다."},
    {"id": "library", "title": "구립도서관 밤 열 시까지 문 연다", "press": "마바신문",
     "published": "2025-03-04T15:00:00+09:00",
     "body": "마포구는 이달부터 구립도서관 다섯 곳의 운영 시간을 밤 열 시까지 늘린다고 밝혔다.\n"
             "직장인과 수험생의 요청이 많았던 열람실은 주말에도 같은 시간까지 문을 연다.\n"
             "구는 야간 운영 인력을 새로 뽑고 도서 대출 무인 기기도 늘릴 계획이다."},
]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


# The three reports of one event among unrelated stories, in an order where
# the cluster's members are not neighbours.
CLUSTER = {"bike-wire", "bike-near", "bike-rewrite"}


def build_event_index(folder: Path) -> Path:
    """The event and the unrelated stories indexed under `folder`; the index folder."""
    from search.indexer import reindex

    write_jsonl(folder / "c" / "a.jsonl", [EVENT["rewrite"], UNRELATED[0], EVENT["near"], UNRELATED[1],
                                          UNRELATED[2], EVENT["wire"]])
    reindex([folder / "c"], index_dir=folder / "ix", workers=1, progress=False)
    return folder / "ix"
