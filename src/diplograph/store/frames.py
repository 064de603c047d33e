"""A graph's sorted N-Triples lines (see `delta`) kept in frames: runs of whole lines of
about `FRAME_BYTES`, each compressed apart (Zstandard), behind an index of each frame's
first line. An update that changes a hundred lines of a graph of a million decompresses,
edits and compresses again only the frames they fall in, and copies the others' bytes.

The file is a Zstandard file (`zstd -d` gives the lines): the index is held in a
skippable frame at its start, its CRC-32 in hex on the first line, then one line per
frame, `<compressed length> <first line>`. Each frame carries its own checksum."""

from __future__ import annotations

import struct
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox

from diplograph.store import delta
from diplograph.store.folder import COMPRESSION_LEVEL, DamagedFile, lines_file

FRAME_BYTES = 1 << 18  # 256 KiB of lines: 100 new facts at 1M touch a sixth of the frames
_SKIPPABLE = 0x184D2A50  # a Zstandard skippable frame's magic number: decoders pass over it
_HEADER = struct.Struct("<II")  # the skippable frame's magic number and size

Run = bytes | bytearray | memoryview  # lines that make a frame


class FramedLines:
    """Sorted N-Triples lines in compressed frames; a frame's lines are decompressed when
    first looked into and kept (those of the frames an edit made are kept from the
    start)."""

    def __init__(self, firsts: list[bytes], frames: Sequence[Run],
                 texts: dict[int, bytes] | None = None, name: str = "lines") -> None:
        self.firsts, self.frames, self.name = firsts, frames, name
        self._texts = texts or {}
        self._whole: bytes | None = None

    @classmethod
    def of(cls, lines: bytes) -> FramedLines:
        """The lines (sorted, each once) in frames."""
        firsts, runs = _runs(lines)
        return cls(firsts, _compressed(runs))

    @classmethod
    def read(cls, file: Path) -> FramedLines:
        """The framed lines written to `file` (see `from_bytes`)."""
        return cls.from_bytes(file.read_bytes(), file.name)

    @classmethod
    def from_bytes(cls, data: bytes, name: str = "lines") -> FramedLines:
        """The framed lines `to_bytes` gave (DamagedFile if their index is unreadable; a
        frame whose bytes changed is found when it is decompressed)."""
        view = memoryview(data)
        try:
            magic, size = _HEADER.unpack_from(view)
            if magic != _SKIPPABLE:
                raise ValueError("no index")
            firsts, frames, at = [], [], _HEADER.size + size
            crc, index = data[_HEADER.size:at].split(b"\n", 1)
            if int(crc, 16) != zlib.crc32(index):
                raise ValueError("its checksum differs")
            for entry in index.split(b"\n")[:-1]:
                length, first = entry.split(b" ", 1)
                firsts.append(first + b"\n")
                frames.append(view[at:at + int(length)])
                at += int(length)
            if at != len(data):
                raise ValueError("the frames do not fill the file")
        except (struct.error, ValueError) as exc:
            raise DamagedFile(f"{name} does not decompress (its index: {exc})") from exc
        return cls(firsts, frames, name=name)

    def write(self, file: Path) -> None:
        """Write the lines to `file`."""
        file.write_bytes(self.to_bytes())

    def to_bytes(self) -> bytes:
        """The index, then the frames."""
        index = b"".join(b"%d %s" % (len(frame), first)
                         for frame, first in zip(self.frames, self.firsts, strict=True))
        index = b"%08x\n%s" % (zlib.crc32(index), index)
        return b"".join([_HEADER.pack(_SKIPPABLE, len(index)), index, *self.frames])

    def whole(self) -> bytes:
        """Every line, in order (joined once, then kept)."""
        if self._whole is None:
            self._whole = b"".join(self.runs())
        return self._whole

    def runs(self) -> Iterator[bytes]:
        """The lines a frame at a time, in order, none kept: a reader of a graph of ten
        million lines holds one frame of it."""
        for i in range(len(self.frames)):
            yield self._texts.get(i) or self._decompressed(i)

    def holds(self, line: bytes) -> bool:
        """Whether `line` (with its line break) is one of the lines."""
        return bool(self.frames) and delta.holds(self._text(self._frame_of(line)), line)

    def starting_with(self, prefix: bytes) -> list[bytes]:
        """The lines that start with `prefix` (a subject and a space: its triples)."""
        if not self.frames:
            return []
        at = max(0, bisect_left(self.firsts, prefix) - 1)  # the last frame below it
        found = delta.starting_with(self._text(at), prefix)
        for i in range(at + 1, len(self.frames)):
            if not self.firsts[i].startswith(prefix):
                break
            found += delta.starting_with(self._text(i), prefix)
        return found

    def edited(self, gone: Iterable[bytes], came: Iterable[bytes]) -> FramedLines:
        """These lines less the lines `gone` (each one of them) and with the lines that
        `came` (none of them already there): only the frames they fall in change."""
        changes: dict[int, tuple[list[bytes], list[bytes]]] = {}
        for kind, lines in enumerate((gone, came)):
            for line in lines:
                changes.setdefault(self._frame_of(line), ([], []))[kind].append(line)
        firsts: list[bytes] = []
        frames: list[Run] = []
        texts: dict[int, bytes] = {}
        for i in range(max(len(self.frames), 1 if changes else 0)):
            if i not in changes:
                firsts.append(self.firsts[i])
                frames.append(self.frames[i])
                continue
            text = delta.edited(self._text(i) if self.frames else b"", *changes[i])
            for first, run in zip(*_runs(text, 2 * FRAME_BYTES), strict=True):
                texts[len(frames)] = bytes(run)
                firsts.append(first)
                frames.append(b"")
        fresh = sorted(texts)
        runs: list[Run] = [texts[i] for i in fresh]
        for i, frame in zip(fresh, _compressed(runs), strict=True):
            frames[i] = frame
        return FramedLines(firsts, frames, texts, self.name)

    def _frame_of(self, line: bytes) -> int:
        """The frame where `line` is or would go (the first, if it is below every line)."""
        return max(0, bisect_right(self.firsts, line) - 1)

    def _text(self, i: int) -> bytes:
        if i not in self._texts:
            self._texts[i] = self._decompressed(i)
        return self._texts[i]

    def _decompressed(self, i: int) -> bytes:
        import zstandard

        try:
            return zstandard.ZstdDecompressor().decompress(self.frames[i])
        except zstandard.ZstdError as exc:
            raise DamagedFile(f"{self.name} does not decompress ({exc})") from exc


def read_lines(folder: Path, graph: ox.NamedNode) -> bytes:
    """Every line a store in `folder` keeps of `graph`."""
    return FramedLines.read(lines_file(folder, graph)).whole()


def graphs_runs(folder: Path, graphs: Iterable[ox.NamedNode]) -> Iterator[bytes]:
    """The lines a store in `folder` keeps of `graphs`, a frame at a time."""
    return (run for graph in graphs for run in FramedLines.read(lines_file(folder, graph)).runs())


def _runs(lines: bytes, most: int = 0) -> tuple[list[bytes], list[Run]]:
    """`lines` cut after a line break every `FRAME_BYTES` or so (once over `most`
    bytes, if given): each run's first line, and the runs (views: nothing copied)."""
    whole, at = memoryview(lines), 0
    firsts: list[bytes] = []
    runs: list[Run] = []
    while at < len(lines):
        end = len(lines) if len(lines) - at <= (most or FRAME_BYTES) else \
            lines.find(b"\n", at + FRAME_BYTES - 1) + 1 or len(lines)
        firsts.append(lines[at:lines.find(b"\n", at) + 1 or end])
        runs.append(whole[at:end])
        at = end
    return firsts, runs


def _compressed(runs: list[Run]) -> list[bytes]:
    """Each run compressed into a frame of its own, on every core."""
    import zstandard  # here: a query never reads kept files, nor this import

    if not runs:
        return []
    compressor = zstandard.ZstdCompressor(level=COMPRESSION_LEVEL, write_checksum=True)
    frames = compressor.multi_compress_to_buffer(runs, threads=-1)
    return [frames[i].tobytes() for i in range(len(frames))]
