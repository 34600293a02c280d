"""Label selectors: the string form (``app=kubia,tier in (web)``) and the LabelSelector struct."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Requirement", "Selector", "SelectorError", "format_label_selector", "from_label_selector", "parse"]


class SelectorError(ValueError):
    pass


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str  # in, notin, exists, !, =, ==, !=, gt, lt
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        op = self.operator
        if op in ("=", "==", "in"):
            return self.key in labels and labels[self.key] in self.values
        if op in ("!=", "notin"):
            return self.key not in labels or labels[self.key] not in self.values
        if op == "exists":
            return self.key in labels
        if op == "!":
            return self.key not in labels
        if op in ("gt", "lt"):
            if self.key not in labels:
                return False
            try:
                have, want = int(labels[self.key]), int(self.values[0])
            except ValueError:
                return False
            return have > want if op == "gt" else have < want
        return False

    def __str__(self) -> str:
        op = self.operator
        if op == "exists":
            return self.key
        if op == "!":
            return "!" + self.key
        if op in ("in", "notin"):
            return f"{self.key} {op} ({','.join(self.values)})"
        if op == "gt":
            return f"{self.key}>{self.values[0]}"
        if op == "lt":
            return f"{self.key}<{self.values[0]}"
        return f"{self.key}{op}{self.values[0]}"


@dataclass(frozen=True)
class Selector:
    requirements: tuple[Requirement, ...] = ()
    #: A selector that matches nothing (a nil LabelSelector in Go).
    nothing: bool = False

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        if self.nothing:
            return False
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)

    @property
    def empty(self) -> bool:
        return not self.nothing and not self.requirements

    def __str__(self) -> str:
        return ",".join(str(r) for r in self.requirements)

    def equality_values(self) -> dict[str, str]:
        """key -> value for the requirements that pin one value (used to narrow lookups)."""
        return {r.key: r.values[0] for r in self.requirements
                if r.operator in ("=", "==") or (r.operator == "in" and len(r.values) == 1)}


_TOKEN = re.compile(r"\s*(notin\b|in\b|!=|==|=|>|<|!|\(|\)|,|[^\s!=<>(),]+)")


def parse(text: str | None) -> Selector:
    """Parse the string form used in ``?labelSelector=``."""
    if text is None or not text.strip():
        return Selector()
    tokens = [m.group(1) for m in _TOKEN.finditer(text)]
    reqs: list[Requirement] = []
    i = 0

    def need(cond: bool, what: str) -> None:
        if not cond:
            raise SelectorError(f"unable to parse requirement: {what}")

    while i < len(tokens):
        negate = tokens[i] == "!"
        if negate:
            i += 1
        need(i < len(tokens), "found '', expected: identifier")
        key = tokens[i]
        need(key not in ("(", ")", ",", "=", "==", "!=", "in", "notin"), f"found '{key}', expected: identifier")
        i += 1
        if negate:
            reqs.append(Requirement(key, "!"))
        elif i >= len(tokens) or tokens[i] == ",":
            reqs.append(Requirement(key, "exists"))
        else:
            op = tokens[i]
            i += 1
            if op in ("in", "notin"):
                need(i < len(tokens) and tokens[i] == "(", "found '', expected: '('")
                i += 1
                values: list[str] = []
                while i < len(tokens) and tokens[i] != ")":
                    if tokens[i] != ",":
                        values.append(tokens[i])
                    i += 1
                need(i < len(tokens), "found '', expected: ')'")
                i += 1
                reqs.append(Requirement(key, op, tuple(values)))
            elif op in ("=", "==", "!=", ">", "<"):
                value = ""
                if i < len(tokens) and tokens[i] not in (",",):
                    value = tokens[i]
                    i += 1
                name = {"=": "=", "==": "==", "!=": "!=", ">": "gt", "<": "lt"}[op]
                reqs.append(Requirement(key, name, (value,)))
            else:
                raise SelectorError(f"unable to parse requirement: found '{op}', expected: in, notin, =, ==, !=, gt, lt")
        if i < len(tokens):
            need(tokens[i] == ",", f"found '{tokens[i]}', expected: ',' or 'end of string'")
            i += 1
    return Selector(tuple(reqs))


def from_label_selector(sel: Mapping[str, Any] | None) -> Selector:
    """Convert a ``metav1.LabelSelector``; None matches nothing, {} matches everything."""
    if sel is None:
        return Selector(nothing=True)
    reqs: list[Requirement] = []
    for key, value in sorted((sel.get("matchLabels") or {}).items()):
        reqs.append(Requirement(key, "=", (str(value),)))
    for expr in sel.get("matchExpressions") or []:
        op = expr.get("operator")
        key = expr.get("key", "")
        values = tuple(expr.get("values") or ())
        if op == "In":
            reqs.append(Requirement(key, "in", values))
        elif op == "NotIn":
            reqs.append(Requirement(key, "notin", values))
        elif op == "Exists":
            reqs.append(Requirement(key, "exists"))
        elif op == "DoesNotExist":
            reqs.append(Requirement(key, "!"))
        else:
            raise SelectorError(f'"{op}" is not a valid label selector operator')
    # Go sorts a converted selector's requirements by key; the text form depends on it.
    reqs.sort(key=lambda r: r.key)
    return Selector(tuple(reqs))


def format_label_selector(sel: Mapping[str, Any] | None) -> str:
    """``metav1.FormatLabelSelector``: the text kubectl and Scale.status.selector show."""
    if sel is None:
        return "<none>"
    try:
        text = str(from_label_selector(sel))
    except SelectorError:
        return "<error>"
    return text or "<none>"
