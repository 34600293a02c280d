"""Field selectors (``?fieldSelector=metadata.name=kubia-0,status.phase!=Failed``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["FieldRequirement", "FieldSelector", "FieldSelectorError", "parse"]


class FieldSelectorError(ValueError):
    pass


@dataclass(frozen=True)
class FieldRequirement:
    field: str
    operator: str  # "=" or "!="
    value: str

    def matches(self, fields: Mapping[str, str]) -> bool:
        have = fields.get(self.field, "")
        return have == self.value if self.operator == "=" else have != self.value


@dataclass(frozen=True)
class FieldSelector:
    requirements: tuple[FieldRequirement, ...] = ()

    def matches(self, fields: Mapping[str, str]) -> bool:
        return all(r.matches(fields) for r in self.requirements)

    @property
    def empty(self) -> bool:
        return not self.requirements

    def value_of(self, field: str) -> str | None:
        """The value an equality requirement pins ``field`` to, if any."""
        for r in self.requirements:
            if r.field == field and r.operator == "=":
                return r.value
        return None


def _split(text: str, sep: str) -> list[str]:
    """Split on ``sep`` not preceded by a backslash escape."""
    parts, cur, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            cur.append(text[i:i + 2])
            i += 2
            continue
        if text.startswith(sep, i):
            parts.append("".join(cur))
            cur = []
            i += len(sep)
            continue
        cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return parts


def _unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            out.append(value[i + 1])
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def parse(text: str | None) -> FieldSelector:
    if not text:
        return FieldSelector()
    reqs = []
    for term in _split(text, ","):
        if not term:
            continue
        for op, name in (("!=", "!="), ("==", "="), ("=", "=")):
            pieces = _split(term, op)
            if len(pieces) == 2:
                reqs.append(FieldRequirement(pieces[0].strip(), name, _unescape(pieces[1])))
                break
        else:
            raise FieldSelectorError(f"invalid selector: '{text}'; can't understand '{term}'")
    return FieldSelector(tuple(reqs))
