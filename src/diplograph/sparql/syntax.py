"""Where the parts of a SPARQL text are: keywords, the SELECT lists, the WHERE group and
every subquery's group. Each function reads `code`, the text with its strings, IRIs and
comments blanked (`blank_noise`: offsets and line breaks kept), so a keyword inside a
string or a `{` inside an IRI is never taken for syntax."""

from __future__ import annotations

import re

from diplograph.rdf.reading import blank_noise


def keyword(words: str) -> str:
    """A pattern for SPARQL keywords, not matching inside names (`?select`, `ex:where`)."""
    return rf"(?<![?$\w:.-])({words})(?![\w:.-])"


#: a SELECT list: group 2 is what lies between SELECT and WHERE (or the group's `{`)
PROJECTION = re.compile(keyword("SELECT") + r"(.*?)(?:" + keyword("WHERE") + r"|\{)",
                        re.I | re.S)
#: a `$name` parameter
PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_FORM = re.compile(keyword("SELECT|CONSTRUCT|DESCRIBE|ASK"), re.I)
_WHERE = re.compile(keyword("WHERE") + r"\s*\{", re.I)
_SELECT = re.compile(keyword("SELECT"), re.I)


def where_start(code: str) -> int | None:
    """Where the top-level WHERE group's content begins (just after its `{`): after the
    first WHERE keyword, else after the first `{` (a CONSTRUCT's template skipped)."""
    form = _FORM.search(code)
    if form is None:
        return None
    where = _WHERE.search(code, form.end())
    if where is not None:
        return where.end()
    start = code.find("{", form.end())
    if start >= 0 and form.group(1).upper() == "CONSTRUCT":
        start = code.find("{", group_end(code, start))
    return None if start < 0 else start + 1


def subquery_groups(code: str) -> list[tuple[int, int]]:
    """The (start, end) of each subquery's `{ ... }` group, `{` and `}` included."""
    starts = (code.rfind("{", 0, m.start()) for m in list(PROJECTION.finditer(code))[1:])
    return [(start, group_end(code, start)) for start in starts]


def group_end(code: str, start: int) -> int:
    """Where the `{ ... }` group opening at `start` closes (just after its `}`)."""
    depth = 0
    for at in range(start, len(code)):
        depth += {"{": 1, "}": -1}.get(code[at], 0)
        if depth == 0:
            return at + 1
    return len(code)


def where_groups(sparql: str) -> list[tuple[int, int]]:
    """The (start, end) of the content of the top-level WHERE group and of every
    subquery's group (its WHERE keyword being optional), last first; empty if the
    query has no WHERE group."""
    code = blank_noise(sparql)
    top = where_start(code)
    if top is None:
        return []
    braces = (code.find("{", m.end()) for m in _SELECT.finditer(code, top))
    starts = {top} | {at + 1 for at in braces if at >= 0}  # a projection holds no brace
    return sorted(((at, group_end(code, at - 1) - 1) for at in starts), reverse=True)
