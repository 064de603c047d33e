"""What a VoID description counts of a graph: its triples, triples per property, distinct
subjects and the members of each class. The compiler profiles each graph's N-Triples
lines once; an export adds up the profiles of the graphs it dumps instead of reading
every line again (1M lines: 0.75 s)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from diplograph.store.frames import FramedLines

_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_COUNTS, _SUBJECT, _MEMBER = "c ", "s ", "t "  # what a profile's line holds, in this order


@dataclass
class Profile:
    """The VoID counts of some N-Triples lines; `typed` holds `<class> <member>` pairs,
    `blank` counts the lines with a blank node (a dump relabels only graphs that have
    some)."""

    triples: int
    predicates: Counter[str]
    subjects: set[str]
    typed: set[str]
    blank: int = 0

    @classmethod
    def of(cls, ntriples: bytes) -> Profile:
        """The profile of an N-Triples document as Oxigraph writes it."""
        predicates: Counter[str] = Counter()
        subjects: set[str] = set()
        typed: set[str] = set()
        blank = 0
        lines = [line for line in ntriples.decode().split("\n") if line]  # U+2028 is no break
        for line in lines:
            s, p, rest = line.split(" ", 2)
            subjects.add(s)
            predicates[p] += 1
            if p == _RDF_TYPE and rest[0] == "<":
                typed.add(f"{rest.split(' ', 1)[0]} {s}")
            blank += s[0] == "_" or rest[0] == "_"
        return cls(len(lines), predicates, subjects, typed, blank)

    @classmethod
    def total(cls, profiles: Iterable[Profile], repeated: Iterable[bytes] = ()) -> Profile:
        """The profile of several graphs' lines together, less the `repeated` lines (those
        a merged dump writes once although several graphs hold them)."""
        total = cls(0, Counter(), set(), set())
        for profile in profiles:
            total.triples += profile.triples
            total.predicates.update(profile.predicates)
            total.subjects |= profile.subjects
            total.typed |= profile.typed
            total.blank += profile.blank
        for line in repeated:
            s, p, rest = line.split(b" ", 2)
            total.triples -= 1
            total.predicates[p.decode()] -= 1
            total.blank -= s[:1] == b"_" or rest[:1] == b"_"
        return total

    def members(self) -> Counter[str]:
        """The number of members of each class."""
        return Counter(pair.split(" ", 1)[0] for pair in self.typed)

    def to_lines(self) -> bytes:
        """The profile as sorted lines, for `from_lines` and `edited`: `c` and its counts
        as JSON, then `s` and each subject, then `t` and each class member. Kept framed
        (see `frames`), an update edits them where they change."""
        return b"".join([_counts_line(self.triples, self.predicates, self.blank),
                         *sorted(_lines(_SUBJECT, self.subjects)),
                         *sorted(_lines(_MEMBER, self.typed))])

    @classmethod
    def from_lines(cls, lines: bytes) -> Profile:
        """The profile `to_lines` gave."""
        counts, rest = lines.decode().split("\n", 1)
        saved = json.loads(counts.removeprefix(_COUNTS))
        subjects: set[str] = set()
        typed: set[str] = set()
        for line in rest.split("\n")[:-1]:
            (subjects if line.startswith(_SUBJECT) else typed).add(line[2:])
        return cls(saved["triples"], Counter(saved["predicates"]), subjects, typed,
                   saved["blank"])


def edited(profile: FramedLines, went: bytes, came: bytes,
           still_subject: Callable[[str], bool]) -> FramedLines:
    """The lines of a profile (`Profile.to_lines`) of some lines, changed to the profile
    of those lines less the lines that `went` (each one of them) plus those that `came`
    (none of them already there); `still_subject(s)` tells whether a subject some lines
    went from has lines left. Only the frames of the lines that change are read."""
    counts = profile.starting_with(_COUNTS.encode())[0]
    saved, gone, new = json.loads(counts[len(_COUNTS):]), Profile.of(went), Profile.of(came)
    now = _counts_line(saved["triples"] - gone.triples + new.triples,
                       Counter(saved["predicates"]) - gone.predicates + new.predicates,
                       saved["blank"] - gone.blank + new.blank)
    leaving = _lines(_SUBJECT, {s for s in gone.subjects if not still_subject(s)}) + \
        _lines(_MEMBER, gone.typed - new.typed)
    coming = _lines(_SUBJECT, new.subjects) + _lines(_MEMBER, new.typed - gone.typed)
    return profile.edited([counts, *(line for line in leaving if profile.holds(line))],
                          [now, *(line for line in coming if not profile.holds(line))])


def _counts_line(triples: int, predicates: Counter[str], blank: int) -> bytes:
    counts = json.dumps({"triples": triples, "predicates": dict(predicates), "blank": blank})
    return f"{_COUNTS}{counts}\n".encode()


def _lines(kind: str, terms: set[str]) -> list[bytes]:
    return [f"{kind}{term}\n".encode() for term in terms]
