"""A dump's lines as streams of runs: sorted N-Triples lines, a run (whole lines) at a
time. Each graph's runs are a frame of its kept file each, its blank nodes relabelled
canonically (RDFC-1.0) over all the dumped graphs together; several graphs' runs merge
into one sorted stream that holds each line once. A dump of ten million triples is then
written holding about a frame of each graph, and the lines that hold a blank node."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import pairwise
from typing import BinaryIO

import pyoxigraph as ox

from diplograph.store.cache import KnowledgeGraph

Runs = Iterator[bytes]  # runs of sorted N-Triples lines, each run whole lines
_READ = 1 << 20  # bytes read at a time from a file of lines


def relabelled(graph: KnowledgeGraph, names: Iterable[ox.NamedNode]) -> dict[str, list[bytes]]:
    """The lines with a blank node of each graph (by IRI), relabelled canonically over
    all the graphs together, sorted: the same store always gives the same labels."""
    blank = ox.Dataset()
    for name in names:
        for text in graph.runs(name):
            if b"_:" in text:
                lines = b"".join(_with_blank(text, True))
                for t in ox.parse(lines, format=ox.RdfFormat.N_TRIPLES):
                    blank.add(ox.Quad(t.subject, t.predicate, t.object, name))
    blank.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    found: defaultdict[str, list[bytes]] = defaultdict(list)
    for q in blank:
        found[str(q.graph_name.value)].append(f"{q.subject} {q.predicate} {q.object} .\n".encode())
    return {name: sorted(lines) for name, lines in found.items()}


def graph_runs(graph: KnowledgeGraph, name: ox.NamedNode, blank: Sequence[bytes]) -> Runs:
    """A graph's lines, those with a blank node replaced by `blank` (its lines from
    `relabelled`)."""
    if not blank:
        return graph.runs(name)
    kept = (text if b"_:" not in text else b"".join(_with_blank(text, False))
            for text in graph.runs(name))
    return merged([kept, iter([b"".join(blank)])], [])


def merged(streams: Sequence[Runs], repeated: list[bytes]) -> Runs:
    """Several streams of sorted lines as one, each line once; a line held by more than
    one stream is also added to `repeated`. Each step takes from every stream its lines
    up to the lowest of the streams' current last lines, so it uses up at least one run:
    one stream's lines go on as they are (graphs mostly hold different subjects), several
    streams' are sorted together (Timsort merges sorted runs)."""
    heads = [head for head in map(_Head, streams) if head.text]
    while len(heads) > 1:
        above = min(head.last for head in heads) + b"\0"  # the lowest line above them all
        parts = [part for head in heads if (part := head.below(above))]
        if len(parts) == 1:
            yield parts[0]
        else:
            lines = b"".join(parts).splitlines(keepends=True)
            lines.sort()
            if len(set(lines)) < len(lines):
                unique = dict.fromkeys(lines)
                repeated += _repeats(lines)
                lines = list(unique)
            yield b"".join(lines)
        heads = [head for head in heads if head.more()]
    for head in heads:
        yield head.text[head.at:]
        yield from filter(None, head.stream)


def spilled(runs: Runs, below: bytes, spill: BinaryIO) -> Runs:
    """The lines that sort below `below`; the others (the rest of the stream) are
    written to `spill`, to follow once what must go between them is known."""
    spilling = False
    for text in runs:
        cut = 0 if spilling else first_not_below(text, below)
        if cut:
            yield text[:cut]
        spill.write(memoryview(text)[cut:])
        spilling = spilling or cut < len(text)


def read_runs(file: BinaryIO) -> Runs:
    """The lines written to `file`, read from its start a megabyte at a time."""
    file.seek(0)
    left = b""
    while block := file.read(_READ):
        end = block.rfind(b"\n") + 1
        if end:
            yield left + block[:end]
            left = block[end:]
        else:
            left += block
    if left:
        yield left


def spill_file() -> BinaryIO:
    """A temporary file for `spilled` lines, gone once closed."""
    return tempfile.TemporaryFile(prefix="diplograph-")


def first_not_below(text: bytes, key: bytes, low: int = 0) -> int:
    """Where the first line from `low` on that does not sort below `key` starts (the end
    of the text if none): a binary search over the sorted lines' bytes."""
    high = len(text)
    while low < high:
        middle = (low + high) // 2
        start = text.rfind(b"\n", low, middle) + 1 or low
        end = text.index(b"\n", start) + 1
        if text[start:end] < key:
            low = end
        else:
            high = start
    return low


def last_line(text: bytes) -> bytes:
    """The last line of lines (with its line break)."""
    return text[text.rfind(b"\n", 0, len(text) - 1) + 1:]


class _Head:
    """A stream's current run, and how far into it the merge has come."""

    def __init__(self, stream: Runs) -> None:
        self.stream, self.text, self.at, self.last = stream, b"", 0, b""
        self.more()

    def below(self, key: bytes) -> bytes:
        """The lines not yet taken that sort below `key`, now taken."""
        end = first_not_below(self.text, key, self.at)
        part, self.at = self.text[self.at:end], end
        return part

    def more(self) -> bool:
        """Whether lines are left, reading the next run once this one is used up."""
        while self.at == len(self.text):
            text = next(self.stream, None)
            if text is None:
                return False
            self.text, self.at = text, 0
            self.last = last_line(text)
        return True


def _with_blank(text: bytes, wanted: bool) -> list[bytes]:
    """The lines of `text` whose subject or object is a blank node (or, not `wanted`, the
    others)."""
    return [line for line in text.splitlines(keepends=True)
            if (line.startswith(b"_:") or line.split(b" ", 2)[2].startswith(b"_:")) is wanted]


def _repeats(lines: list[bytes]) -> list[bytes]:
    """Each sorted line that equals the one before it."""
    return [line for before, line in pairwise(lines) if line == before]
