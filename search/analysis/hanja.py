"""Hangul readings of single Hanja, for the ones mecab-ko-dic leaves unread.

mecab-ko-dic reads the Hanja words it lists (文 → 문, 對中 → 대중, 北 → 북) but
tags others as bare SH with no reading (電 in 삼성電, 恩 in 金正恩).  Headlines
abbreviate with exactly such characters, so this table gives the standard
(dictionary) reading of the characters Korean news uses, written for this
project from the readings every Hanja dictionary lists.  A word is read
character by character only when every character is in the table.

Kept as data in code rather than a dependency: the `hanja` package would bring
a 0.5 MB YAML table parsed at import and an exact pin on PyYAML, for the few
hundred characters that matter here.
"""

from __future__ import annotations

from typing import Optional

# character+reading pairs, grouped loosely by topic for editing.
_TABLE = """
電전 車차 韓한 美미 中중 日일 北북 南남 東동 西서 與여 野야 靑청 文문 尹윤 李이 朴박 金김 崔최
鄭정 姜강 趙조 張장 林임 吳오 韓한 申신 安안 宋송 洪홍 劉류 全전 高고 孫손 黃황 權권 盧노 沈심
檢검 警경 軍군 法법 院원 國국 民민 黨당 政정 府부 靑청 官관 長장 委위 議의 會회 選선 票표 與여
株주 銀은 證증 券권 金금 融융 稅세 價가 値치 利리 率률 債채 財재 經경 濟제 産산 業업 企기 社사
重중 化화 建건 設설 造조 船선 鐵철 鋼강 油유 氣기 藥약 醫의 病병 核핵 彈탄 戰전 爭쟁 兵병 艦함
外외 交교 統통 一일 協협 約약 貿무 易역 輸수 出출 入입 投투 資자 賣매 買매 上상 下하 大대 小소
新신 舊구 前전 後후 內내 年년 月월 週주 號호 第제 次차 回회 最최 多다 少소 强강 弱약 高고 低저
男남 女여 子자 父부 母모 兄형 弟제 夫부 婦부 人인 家가 族족 愛애 死사 生생 殺살 罪죄 刑형 訴소
反반 親친 對대 合합 分분 離리 和화 平평 安안 全전 危위 機기 改개 革혁 開개 放방 保보 守수 進진
步보 左좌 右우 正정 副부 總총 理리 首수 相상 王왕 帝제 皇황 天천 地지 山산 江강 海해 島도 空공
水수 火화 木목 土토 石석 田전 村촌 市시 道도 區구 邑읍 面면 洞동 里리 京경 都도 港항 灣만 州주
校교 學학 敎교 育육 試시 驗험 問문 題제 答답 話화 說설 言언 論론 報보 道도 記기 者자 書서 史사
歌가 舞무 映영 畫화 劇극 樂악 藝예 術술 體체 育육 球구 技기 勝승 敗패 優우 賞상 金금 銀은 銅동
韓한 獨독 英영 佛불 伊이 露로 印인 加가 濠호 越월 泰태 比비 蘭란 臺대 港항 亞아 歐구 阿아
事사 件건 故고 災재 害해 亂란 變변 急급 速속 動동 向향 發발 表표 決결 定정 議의 案안 件건 要요
支지 援원 助조 福복 祉지 雇고 用용 勞노 組조 給급 料료 費비 用용 金금 品품 物물 店점 場장 工공
通통 信신 網망 電전 算산 號호 線선 路로 橋교 港항 航항 空공 鐵철 道도 站참 驛역 便편 郵우 運운
美미 善선 惡악 眞진 假가 實실 虛허 力력 權권 益익 損손 得득 失실 成성 功공 敗패 興흥 亡망 始시
終종 末말 初초 中중 間간 時시 代대 世세 界계 局국 面면 點점 線선 心심 身신 手수 足족 目목 口구
恩은 惠혜 義의 禮례 智지 仁인 德덕 孝효 忠충 信신 明명 光광 陽양 陰음 春춘 夏하 秋추 冬동 雪설
兆조 億억 萬만 千천 百백 十십 二이 三삼 四사 五오 六육 七칠 八팔 九구 半반 倍배 割할 元원 圓원
"""

READINGS: dict[str, str] = {}
for _pair in _TABLE.split():
    _char, _reading = _pair[0], _pair[1:]
    READINGS.setdefault(_char, _reading)


def hanja_reading(text: str) -> Optional[str]:
    """The Hangul reading of a Hanja word read character by character, or None
    when a character is not in the table."""
    out = []
    for ch in text:
        reading = READINGS.get(ch)
        if reading is None:
            return None
        out.append(reading)
    return "".join(out)
