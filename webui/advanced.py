"""상세검색: Naver's advanced-search fields written as this engine's query
syntax, so the box then shows what the form meant and a reader learns the
syntax by using the form.

    모두 포함      삼성 협력        →  삼성 협력
    정확히 일치    기술 협력        →  "기술 협력"
    하나 이상 포함 삼성 엘지        →  (삼성 OR 엘지)
    제외할 단어    애플             →  -애플
    기자 / 언론사  조재범           →  기자:조재범   (a name with a space is quoted)
"""

from __future__ import annotations

from dataclasses import dataclass

FIELDS = ("all", "phrase", "any", "none", "reporter", "press")
MAX_FIELD_CHARS = 200


def _words(text: str) -> list[str]:
    # Quotes and brackets belong to the syntax this writes, not to a word.
    return [w for w in text.replace('"', " ").replace("(", " ").replace(")", " ").split() if w not in ("OR", "-")]


def _name(field: str, value: str) -> str:
    value = value.replace('"', "").strip()
    return f'{field}:"{value}"' if " " in value else f"{field}:{value}"


@dataclass(frozen=True)
class AdvancedForm:
    all: str = ""
    phrase: str = ""
    any: str = ""
    none: str = ""
    reporter: str = ""
    press: str = ""

    @classmethod
    def from_args(cls, args) -> "AdvancedForm":
        return cls(**{name: (args.get(name) or "").strip()[:MAX_FIELD_CHARS] for name in FIELDS})

    @property
    def filled(self) -> bool:
        return any(getattr(self, name) for name in FIELDS)

    def query(self) -> str:
        """The query-syntax string these fields mean."""
        parts = _words(self.all)
        phrase = " ".join(_words(self.phrase))
        if phrase:
            parts.append(f'"{phrase}"')
        either = _words(self.any)
        if len(either) == 1:
            parts += either
        elif either:
            parts.append("(" + " OR ".join(either) + ")")
        parts += ["-" + w.lstrip("-") for w in _words(self.none) if w.lstrip("-")]
        if self.reporter.replace('"', "").strip():
            parts.append(_name("기자", self.reporter))
        if self.press.replace('"', "").strip():
            parts.append(_name("언론사", self.press))
        return " ".join(parts)
