"""Dates at the precision the source gives: a day is a point, a month or a year (or an
interval between two dates) is a span from its first day to the day after its last."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2}))?(?:-([0-9]{2}))?")


@dataclass(frozen=True)
class When:
    """A date or interval: `start` inclusive, `end` exclusive (the day after the last)."""

    start: datetime.date
    end: datetime.date
    text: str

    @property
    def is_day(self) -> bool:
        """A single day, drawn as a point."""
        return self.end - self.start == datetime.timedelta(days=1)


def _period(text: str) -> tuple[datetime.date, datetime.date]:
    match = _DATE.match(text)
    if match is None:
        raise ValueError(f"not a date: {text!r}")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    if month is None:
        return datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    if day is None:
        start = datetime.date(year, month, 1)
        return start, (start + datetime.timedelta(days=31)).replace(day=1)
    start = datetime.date(year, month, day)
    return start, start + datetime.timedelta(days=1)


def when(start: str, end: str | None = None) -> When:
    """The span of an xsd:date, xsd:gYearMonth or xsd:gYear value, to the end of `end`."""
    first, last = _period(start)
    if end:
        last = max(last, _period(end)[1])
    text = start if not end or end == start else f"{start} – {end}"
    return When(first, last, text)
