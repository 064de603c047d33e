"""Term checks the parsers leave out: ill-typed XSD literals and unknown XSD datatypes.

Oxigraph already refuses malformed IRIs, relative IRIs and malformed language
tags; it keeps `"2008-02-30"^^xsd:date` as it is written. These checks catch those."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"


def _fullmatch(pattern: str, text: str) -> re.Match[str] | None:
    """`re.fullmatch` with `\\d` as XSD means it: the ASCII digits only (Python's `\\d`
    also matches Arabic-Indic and fullwidth digits, which no XSD lexical form allows)."""
    return re.fullmatch(pattern, text, flags=re.ASCII)


def _search(pattern: str, text: str) -> re.Match[str] | None:
    """`re.search`, ASCII as `_fullmatch`."""
    return re.search(pattern, text, flags=re.ASCII)


_TZ = r"(Z|[+-](\d\d):(\d\d))?"
_YEAR = r"-?([1-9]\d{4,}|\d{4})"


def _timezone_ok(match: re.Match[str], group: int) -> bool:
    hours, minutes = match.group(group), match.group(group + 1)
    if hours is None:
        return True
    return (int(hours), int(minutes)) <= (14, 0) and int(minutes) < 60


def _day_ok(year: str, month: str, day: str) -> bool:
    y, m, d = abs(int(year)), int(month), int(day)
    return 1 <= m <= 12 and 1 <= d <= calendar.monthrange(y or 2000, m)[1]


def _date(text: str) -> bool:
    m = _fullmatch(_YEAR + r"-(\d\d)-(\d\d)" + _TZ, text)
    return m is not None and _day_ok(m[1], m[2], m[3]) and _timezone_ok(m, 5)


def _date_time(text: str) -> bool:
    m = _fullmatch(_YEAR + r"-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?" + _TZ, text)
    if not m or not _day_ok(m[1], m[2], m[3]) or not _timezone_ok(m, 9):
        return False
    clock = (int(m[4]), int(m[5]), float(m[6] + (m[7] or "")))
    return clock < (24, 0, 0) or clock == (24, 0, 0.0)


def _time(text: str) -> bool:
    m = _fullmatch(r"(\d\d):(\d\d):(\d\d)(\.\d+)?" + _TZ, text)
    return (m is not None and int(m[1]) < 24 and int(m[2]) < 60 and int(m[3]) < 60
            and _timezone_ok(m, 6))


def _year_month(text: str) -> bool:
    m = _fullmatch(_YEAR + r"-(\d\d)" + _TZ, text)
    return m is not None and 1 <= int(m[2]) <= 12 and _timezone_ok(m, 4)


def _year(text: str) -> bool:
    m = _fullmatch(_YEAR + _TZ, text)
    return m is not None and _timezone_ok(m, 3)


def _month_day(text: str) -> bool:
    m = _fullmatch(r"--(\d\d)-(\d\d)" + _TZ, text)
    return m is not None and _day_ok("2000", m[1], m[2]) and _timezone_ok(m, 4)


def _integer(low: int | None = None, high: int | None = None) -> Callable[[str], bool]:
    def check(text: str) -> bool:
        if not _fullmatch(r"[+-]?\d+", text):
            return False
        value = int(text)
        return (low is None or value >= low) and (high is None or value <= high)

    return check


_FLOAT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN", re.ASCII)
CHECKS: dict[str, Callable[[str], bool]] = {
    "string": lambda text: True,
    "normalizedString": lambda text: not _search(r"[\r\n\t]", text),
    "token": lambda text: text == " ".join(text.split()),
    "anyURI": lambda text: not _search(r"[\s<>\"{}|\\^`]", text),
    "boolean": lambda text: text in ("true", "false", "1", "0"),
    "decimal": lambda text: bool(_fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text)),
    "double": lambda text: bool(_FLOAT.fullmatch(text)),
    "float": lambda text: bool(_FLOAT.fullmatch(text)),
    "integer": _integer(),
    "nonNegativeInteger": _integer(0),
    "positiveInteger": _integer(1),
    "nonPositiveInteger": _integer(None, 0),
    "negativeInteger": _integer(None, -1),
    "long": _integer(-(2**63), 2**63 - 1),
    "int": _integer(-(2**31), 2**31 - 1),
    "short": _integer(-(2**15), 2**15 - 1),
    "byte": _integer(-(2**7), 2**7 - 1),
    "unsignedLong": _integer(0, 2**64 - 1),
    "unsignedInt": _integer(0, 2**32 - 1),
    "unsignedShort": _integer(0, 2**16 - 1),
    "unsignedByte": _integer(0, 2**8 - 1),
    "date": _date,
    "dateTime": _date_time,
    "dateTimeStamp": lambda text: _date_time(text) and bool(_search(r"(Z|[+-]\d\d:\d\d)$", text)),
    "time": _time,
    "gYear": _year,
    "gYearMonth": _year_month,
    "gMonthDay": _month_day,
    "gMonth": lambda text: bool(_fullmatch(r"--(0[1-9]|1[0-2])" + _TZ, text)),
    "gDay": lambda text: bool(_fullmatch(r"---(0[1-9]|[12]\d|3[01])" + _TZ, text)),
    "hexBinary": lambda text: bool(_fullmatch(r"([0-9a-fA-F]{2})*", text)),
    "base64Binary": lambda text: bool(_fullmatch(r"[A-Za-z0-9+/= ]*", text)),
    "language": lambda text: bool(_fullmatch(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*", text)),
}


@dataclass(frozen=True)
class TermProblem:
    """A literal that does not fit its datatype."""

    literal: ox.Literal
    problem: str


def term_problems(triples: Iterable[ox.Triple]) -> list[TermProblem]:
    """Every ill-typed literal among the triples' objects, once each."""
    problems: dict[ox.Literal, TermProblem] = {}
    for t in triples:
        literal = t.object
        if not isinstance(literal, ox.Literal) or literal in problems:
            continue
        datatype = literal.datatype.value
        if not datatype.startswith(XSD) or literal.language:
            continue
        name = datatype[len(XSD):]
        check = CHECKS.get(name)
        if check is None:
            problems[literal] = TermProblem(literal, f"xsd:{name} is not an XSD datatype")
        elif not check(literal.value):
            problems[literal] = TermProblem(
                literal, f"{literal.value!r} is not a valid xsd:{name}"
            )
    return list(problems.values())
