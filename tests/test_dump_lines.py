"""A dump's lines as streams of runs (`dumps.lines`, `export._batches`), against what
plain sorted sets of lines give."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from unittest.mock import patch

from hypothesis import given
from hypothesis import strategies as st

from diplograph.dumps import export, lines
from diplograph.dumps.lines import merged, read_runs, spill_file, spilled

# short lines over a few bytes: streams share lines and prefixes often
LINE = st.text(alphabet="ab <_", min_size=1, max_size=4).map(lambda s: s.encode() + b"\n")
SORTED = st.lists(LINE, max_size=25, unique=True).map(sorted)


def in_runs(data: st.DataObject, sorted_lines: list[bytes]) -> list[bytes]:
    """The lines cut into runs of whole lines where the test asks, empty runs among them."""
    cuts = sorted(data.draw(st.lists(st.integers(0, len(sorted_lines)), max_size=6)))
    edges = [0, *cuts, len(sorted_lines)]
    return [b"".join(sorted_lines[a:b]) for a, b in pairwise(edges)]


@given(st.data(), st.lists(SORTED, min_size=1, max_size=5))
def test_merged_streams_give_each_line_once_in_order(data: st.DataObject,
                                                     streams: list[list[bytes]]) -> None:
    repeated: list[bytes] = []
    runs = list(merged([iter(in_runs(data, s)) for s in streams], repeated))
    every = [line for stream in streams for line in stream]
    assert b"".join(runs) == b"".join(sorted(set(every)))
    assert all(run.endswith(b"\n") for run in runs)
    assert Counter(repeated) == Counter(every) - Counter(set(every))


@given(st.data(), SORTED, LINE, st.integers(1, 9))
def test_spilled_lines_are_those_from_the_key_on(data: st.DataObject, sorted_lines: list[bytes],
                                                 key: bytes, read: int) -> None:
    with spill_file() as spill, patch.object(lines, "_READ", read):
        kept = b"".join(spilled(iter(in_runs(data, sorted_lines)), key, spill))
        back = list(read_runs(spill))
    assert kept == b"".join(line for line in sorted_lines if line < key)
    assert b"".join(back) == b"".join(line for line in sorted_lines if line >= key)
    assert all(run.endswith(b"\n") for run in back)


TRIPLE = st.tuples(st.sampled_from("abc"), st.sampled_from("pq"), st.sampled_from("xyz")).map(
    lambda t: f"<{t[0]}> <{t[1]}> <{t[2]}> .\n".encode())


@given(st.data(), st.lists(TRIPLE, unique=True, max_size=18).map(sorted), st.integers(1, 90))
def test_batches_hold_the_lines_and_cut_only_between_subjects(
        data: st.DataObject, triples: list[bytes], size: int) -> None:
    with patch.object(export, "_BATCH", size):
        batches = list(export._batches(iter(in_runs(data, triples))))
    assert b"".join(batches) == b"".join(triples)
    subjects = [[line.split(b" ", 1)[0] for line in batch.splitlines()] for batch in batches]
    for before, after in pairwise(subjects):
        assert not before or not after or before[-1] != after[0]
    assert all(batches)
