"""Sorted N-Triples lines (one triple a line, in byte order, each once, as
`folder.sorted_lines` makes them) looked up and edited by binary search on their bytes:
an update that changes a hundred lines of a graph of a million finds them without
splitting, sorting or hashing the rest."""

from __future__ import annotations

from collections.abc import Iterable


def first_at_or_after(lines: bytes, key: bytes) -> int:
    """The offset of the first line of `lines` that is not below `key` (len if none)."""
    low, high = 0, len(lines)  # both at the start of a line
    while low < high:
        start = lines.rfind(b"\n", low, (low + high) // 2) + 1 or low
        end = lines.find(b"\n", start) + 1 or len(lines)
        if lines[start:end] < key:
            low = end
        else:
            high = start
    return low


def holds(lines: bytes, line: bytes) -> bool:
    """Whether `line` (with its line break) is one of `lines`."""
    at = first_at_or_after(lines, line)
    return lines.startswith(line, at)


def starting_with(lines: bytes, prefix: bytes) -> list[bytes]:
    """The lines that start with `prefix` (a subject and a space: its triples)."""
    at, found = first_at_or_after(lines, prefix), []
    while lines.startswith(prefix, at):
        end = lines.find(b"\n", at) + 1 or len(lines)
        found.append(lines[at:end])
        at = end
    return found


def edited(lines: bytes, gone: Iterable[bytes], came: Iterable[bytes]) -> bytes:
    """`lines` less the lines `gone` (each one of them) and with the lines that `came`
    (none of them already there), still sorted."""
    cuts = sorted((first_at_or_after(lines, line), len(line), b"") for line in gone)
    cuts += [(first_at_or_after(lines, line), 0, line) for line in came]
    whole, at = memoryview(lines), 0  # slices of a view copy nothing until joined
    parts: list[bytes | memoryview] = []
    for offset, length, line in sorted(cuts):
        parts += [whole[at:offset], line]
        at = offset + length
    parts.append(whole[at:])
    return b"".join(parts)

