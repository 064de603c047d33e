"""Country shapes and positions from the bundled Natural Earth data, and UN M49 regions.

Shapes are Natural Earth's 1:110m Admin 0 countries as TopoJSON (world-atlas 2.0.2);
points (`geodata/points.json`) place every state the 1:50m edition knows, small
islands included, at the centroid of its largest polygon. Regenerate the points from
world-atlas's `countries-50m.json` with
``python -m diplograph.plots.geometry countries-50m.json > geodata/points.json``.
Nothing is fetched at run time; licences in `geodata/NOTICE.md`.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
import numpy.typing as npt

Ring = npt.NDArray[np.float64]  # (n, 2) longitude, latitude


@dataclass(frozen=True)
class Region:
    """A state's UN M49 region and subregion (`Asia`, `Central Asia`)."""

    region: str
    subregion: str


def _data(name: str) -> str:
    return files("diplograph.plots").joinpath("geodata", name).read_text(encoding="utf-8")


def _alpha2(numeric: str | None) -> str | None:
    import pycountry  # only here: the map needs it, the network's regions do not

    found = pycountry.countries.get(numeric=numeric) if numeric and numeric.isdigit() else None
    return found.alpha_2 if found else None


def _arcs(topology: dict[str, Any]) -> list[Ring]:
    """Decode the quantised, delta-encoded arcs to longitude/latitude."""
    scale = np.array(topology["transform"]["scale"])
    translate = np.array(topology["transform"]["translate"])
    return [np.cumsum(np.array(arc, dtype=np.float64), axis=0) * scale + translate
            for arc in topology["arcs"]]


def _ring(arcs: list[Ring], indexes: Sequence[int]) -> Ring:
    parts = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in indexes]
    return np.concatenate([parts[0], *(p[1:] for p in parts[1:])])


def _polygons(topology: dict[str, Any]) -> Iterator[tuple[str | None, list[list[Ring]]]]:
    """(alpha-2 code or None, polygons as lists of rings, outer first) per country."""
    arcs = _arcs(topology)
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("type") == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry.get("type") == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        yield (_alpha2(geometry.get("id")),
               [[_ring(arcs, ring) for ring in polygon] for polygon in polygons])


@cache
def shapes() -> tuple[tuple[str | None, tuple[Ring, ...]], ...]:
    """Every country's rings at 1:110m (alpha-2 code, or None for the few areas
    without one, such as Kosovo or Northern Cyprus)."""
    topology = json.loads(_data("countries-110m.json"))
    return tuple((code, tuple(ring for polygon in polygons for ring in polygon))
                 for code, polygons in _polygons(topology))


@cache
def points() -> dict[str, tuple[float, float]]:
    """A (longitude, latitude) inside or near each state, by alpha-2 code."""
    return {code: (lon, lat) for code, (lon, lat) in json.loads(_data("points.json")).items()}


@cache
def regions() -> dict[str, Region]:
    """Each state's UN M49 region, by alpha-2 code."""
    rows = csv.DictReader(_data("regions.tsv").splitlines(), delimiter="\t")
    return {row["alpha2"]: Region(row["region"], row["subregion"]) for row in rows}


def _area_centroid(ring: Ring) -> tuple[float, tuple[float, float]]:
    x, y = np.unwrap(ring[:, 0], period=360), ring[:, 1]  # whole across the antimeridian
    cross = x[:-1] * y[1:] - x[1:] * y[:-1]
    area = cross.sum() / 2
    if area == 0:
        return 0.0, (float(x.mean()), float(y.mean()))
    return abs(area), (float(((x[:-1] + x[1:]) * cross).sum() / (6 * area)),
                       float(((y[:-1] + y[1:]) * cross).sum() / (6 * area)))


def representative_points(topology: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """The centroid of each coded country's largest outer ring."""
    found: dict[str, tuple[float, tuple[float, float]]] = {}
    for code, polygons in _polygons(topology):
        for polygon in polygons:
            area, centre = _area_centroid(polygon[0])
            if code and area >= found.get(code, (-1.0, centre))[0]:
                found[code] = (area, centre)
    return {code: (round((c[0] + 180) % 360 - 180, 2), round(c[1], 2))
            for code, (_, c) in sorted(found.items())}


def main(argv: list[str] | None = None) -> int:
    """Print `points.json` made from a world-atlas TopoJSON file."""
    args = sys.argv[1:] if argv is None else argv
    with open(args[0], encoding="utf-8") as source:
        print(json.dumps(representative_points(json.load(source)), separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
