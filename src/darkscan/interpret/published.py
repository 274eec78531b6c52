"""The database of published limits: one JSON file per result in ``data/published/``, validated
by a pydantic schema when loaded, with provenance for every number.

A record is either a ``curve`` (the limit at each point of its axes, e.g. a digitised figure) or
a ``range`` (what an abstract quotes: the lowest and highest limit over a stated span of the
axis, either of which may be missing); a range is never turned into a curve. Quantities use the
search layer's vocabulary, so a record names the ``limits.csv`` column it compares with:
``sigma`` (σ × B, in pb or fb), ``br`` (B(B → K(*)X) × B(X → …)), ``br_ratio`` (over a SM decay),
or a coupling (``gprime``, ``gs``, ``epsilon``, ``eps2_alphad``, ``gagg``, ``gaw``, …), whose
column is ``<coupling>_ul_<model>``.

>>> get("belle2-2024-zprime-mumu-sigma").span
(0.212, 9.0)
"""

from __future__ import annotations

import difflib
import json
import math
import re
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from darkscan.errors import InputFileError, UnknownNameError

if TYPE_CHECKING:
    from darkscan.searches.spec import Published

#: the search layer's own limit quantities (``searches.spec.QUANTITIES``); the rest are couplings
SEARCH_QUANTITIES = ("sigma", "br", "br_ratio")
#: units a quantity may be stored in, with the factor to the unit of ``limits.csv``
UNITS: dict[str, dict[str, float]] = {
    "sigma": {"pb": 1.0, "fb": 1e-3},
    "gagg": {"GeV^-1": 1.0},
    "gaw": {"GeV^-1": 1.0},
}
AXIS_UNITS = {"mass": "GeV", "mass_darkphoton": "GeV", "mass_darkhiggs": "GeV", "ctau": "cm",
              "sin_theta": ""}
_ID = r"^[a-z0-9][a-z0-9-]*$"
_NAME = r"^[a-z][a-z0-9_]*$"


class _Reference(BaseModel):
    model_config = ConfigDict(extra="forbid")
    journal: str = Field(min_length=3)
    arxiv: str | None = Field(default=None, pattern=r"^\d{4}\.\d{4,5}$")


class _Axis(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=_NAME)
    unit: str

    @model_validator(mode="after")
    def _known_unit(self) -> _Axis:
        if self.name in AXIS_UNITS and self.unit != AXIS_UNITS[self.name]:
            raise ValueError(f"axis {self.name!r} is in {AXIS_UNITS[self.name]!r}, "
                             f"got {self.unit!r}")
        return self


class _Provenance(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: Literal["abstract range", "hepdata", "digitised", "paper table"]
    detail: str = Field(min_length=10)
    url: str = Field(pattern=r"^https?://")


class RecordSchema(BaseModel):
    """The JSON schema of one record (pydantic validates each file against it when loaded).
    ``values`` holds the first axis and the quantity; further axes are named because the result
    spans them (e.g. M_h′ < M_A′, or cτ) but are not tabulated. ``method``: "unrecorded" where
    the source darkscan read does not say. ``searches``: the searches that overlay it."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=_ID)
    experiment: str = Field(min_length=2)
    title: str = Field(min_length=5)
    reference: _Reference
    year: int = Field(ge=1980, le=2100)
    luminosity: str
    cl: float = Field(gt=0.5, lt=1.0)
    method: Literal["CLs", "Bayesian", "frequentist", "unrecorded"]
    limit: Literal["observed", "expected"]
    model: str = Field(pattern=_NAME)
    quantity: str = Field(pattern=_NAME)
    unit: str
    channel: str | None = None
    axes: list[_Axis] = Field(min_length=1)
    kind: Literal["curve", "range"]
    values: dict[str, list[float | None]]
    provenance: _Provenance
    searches: list[str] = Field(default_factory=list)
    notes: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> RecordSchema:
        from darkscan.physics import parse_luminosity

        parse_luminosity(self.luminosity)
        allowed = UNITS.get(self.quantity, {"": 1.0})
        if self.unit not in allowed:
            raise ValueError(f"unit of {self.quantity!r} must be one of {sorted(allowed)}, got "
                             f"{self.unit!r}")
        first = self.axes[0].name
        if set(self.values) != {first, self.quantity}:
            raise ValueError(f"values must hold the first axis {first!r} and the quantity "
                             f"{self.quantity!r}, got {sorted(self.values)}")
        x, y = self.values[first], self.values[self.quantity]
        if len(x) != len(y):
            raise ValueError(f"values: {first!r} has {len(x)} entries, {self.quantity!r} "
                             f"{len(y)}")
        if self.kind == "range":
            self._check_range(x, y)
        else:
            self._check_curve(x, y)
        for name in self.searches:
            if not re.match(_ID, name):
                raise ValueError(f"searches: {name!r} is not a search name")
        return self

    def _check_range(self, x: list[float | None], y: list[float | None]) -> None:
        if len(x) != 2:
            raise ValueError("a range has two entries per value: [low, high]")
        if all(v is None for v in y):
            raise ValueError("a range needs its lowest or its highest limit")
        if None not in x and not x[0] <= x[1]:  # type: ignore[operator]
            raise ValueError(f"axis range must be increasing, got {x}")
        if None not in y and not y[0] <= y[1]:  # type: ignore[operator]
            raise ValueError(f"limit range must be [lowest, highest], got {y}")
        _positive(self.quantity, [v for v in y if v is not None])

    def _check_curve(self, x: list[float | None], y: list[float | None]) -> None:
        if len(x) < 2:
            raise ValueError("a curve needs at least two points")
        if None in x or None in y:
            raise ValueError("a curve has no missing values (null is for ranges)")
        if not all(math.isfinite(v) for v in x):  # type: ignore[arg-type]
            raise ValueError(f"values of axis {self.axes[0].name!r} must be finite")
        _positive(self.quantity, y)  # type: ignore[arg-type]


def _positive(name: str, values: list[float]) -> None:
    if not all(math.isfinite(v) and v > 0 for v in values):
        raise ValueError(f"limits on {name!r} must be positive and finite")


@dataclass(frozen=True)
class Record:
    """One published result, validated. ``x``/``y``: the first axis and the limit in the
    record's units (a range: [low, high] of each, ``None`` where not quoted)."""

    id: str
    experiment: str
    title: str
    journal: str
    arxiv: str | None
    year: int
    luminosity: str
    cl: float
    method: str
    limit: str
    model: str
    quantity: str
    unit: str
    channel: str | None
    axes: tuple[tuple[str, str], ...]
    kind: str
    x: tuple[float | None, ...]
    y: tuple[float | None, ...]
    provenance_source: str
    provenance_detail: str
    provenance_url: str
    searches: tuple[str, ...]
    notes: str

    @property
    def axis(self) -> str:
        """The axis the values run along (the first of ``axes``)."""
        return self.axes[0][0]

    @property
    def column(self) -> str:
        """The search layer's name of what is limited: a ``Quantity`` name or
        ``<coupling>_ul_<model>`` (the ``limits.csv`` column without ``_obs``/``_exp``)."""
        if self.quantity in SEARCH_QUANTITIES:
            return self.quantity
        return f"{self.quantity}_ul_{self.model}"

    @property
    def to_search_unit(self) -> float:
        """Factor from the record's unit to the unit of ``limits.csv`` (fb → pb: 10⁻³)."""
        return UNITS.get(self.quantity, {"": 1.0})[self.unit]

    @property
    def span(self) -> tuple[float | None, float | None]:
        """Lowest and highest value of the axis the record covers (``None``: not quoted)."""
        known = [v for v in self.x if v is not None]
        if self.kind == "range":
            return self.x[0], self.x[1]
        return min(known), max(known)

    @property
    def reference(self) -> str:
        arxiv = f", arXiv:{self.arxiv}" if self.arxiv and self.arxiv not in self.journal else ""
        year = "" if str(self.year) in self.journal else f" ({self.year})"
        return f"{self.experiment}, {self.journal}{year}{arxiv}"

    @property
    def label(self) -> str:
        """Short legend text: experiment, journal, year, luminosity (and channel)."""
        value, unit = self.luminosity.split("/")
        channel = f", {self.channel}" if self.channel else ""
        year = "" if str(self.year) in self.journal else f" ({self.year})"
        return f"{self.experiment}, {self.journal}{year}, {value} {unit}⁻¹{channel}"

    def to_published(self) -> tuple[Published, ...]:
        """The search layer's overlay lines, in the units of ``limits.csv``: a curve as it
        is; a range as a flat line at its lowest and one at its highest limit over its span
        (an unquoted lower edge of the span drawn from 0). A range without any quoted span
        draws nothing."""
        from darkscan.searches.spec import Published

        scale = self.to_search_unit
        if self.kind == "curve":
            return (Published(self.column, self.axis, tuple(v for v in self.x if v is not None),
                              tuple(scale * v for v in self.y if v is not None),
                              f"{self.label} ({self.limit})"),)
        lo, hi = self.span
        if hi is None:
            return ()
        xs = (lo if lo is not None else 0.0, hi)
        lines = (("limit level", self.y[0]),) if self.y[0] == self.y[1] else \
            tuple(zip(("lowest limit", "highest limit"), self.y, strict=True))
        return tuple(Published(self.column, self.axis, xs, (scale * v, scale * v),
                               f"{self.label}: {which}")
                     for which, v in lines if v is not None)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def data_folder() -> Path:
    """Where the package's records live (inside the installed package)."""
    return Path(str(resources.files("darkscan.interpret") / "data" / "published"))


def load_file(path: Path) -> Record:
    """One record from a JSON file; a damaged file raises :class:`InputFileError` naming the
    file and the field."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(f"published limit file {path}: cannot be read as JSON ({exc}); "
                             "restore it from the darkscan package") from exc
    try:
        s = RecordSchema.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise InputFileError(f"published limit file {path}: field '{where}': {first['msg']} "
                             f"({exc.error_count()} problem(s)); fix the file or restore it "
                             "from the darkscan package") from exc
    if s.id != path.stem:
        raise InputFileError(f"published limit file {path}: field 'id' is {s.id!r} but the "
                             f"file is named {path.name}; name the file <id>.json")
    first = s.axes[0].name
    return Record(
        id=s.id, experiment=s.experiment, title=s.title, journal=s.reference.journal,
        arxiv=s.reference.arxiv, year=s.year, luminosity=s.luminosity, cl=s.cl,
        method=s.method, limit=s.limit, model=s.model, quantity=s.quantity, unit=s.unit,
        channel=s.channel, axes=tuple((a.name, a.unit) for a in s.axes), kind=s.kind,
        x=tuple(s.values[first]), y=tuple(s.values[s.quantity]),
        provenance_source=s.provenance.source, provenance_detail=s.provenance.detail,
        provenance_url=s.provenance.url, searches=tuple(s.searches), notes=s.notes)


def load_folder(folder: Path) -> dict[str, Record]:
    """Every ``*.json`` record of a folder by id, sorted by id."""
    records = [load_file(p) for p in sorted(folder.glob("*.json"))]
    return {r.id: r for r in records}


@cache
def load_all() -> dict[str, Record]:
    """The package's records by id (read once per process)."""
    return load_folder(data_folder())


def get(record_id: str) -> Record:
    """The record ``record_id``; an unknown id raises with the closest ids."""
    records = load_all()
    if record_id not in records:
        close = difflib.get_close_matches(record_id, list(records), n=3, cutoff=0.4)
        hint = f"; did you mean {', '.join(close)}?" if close else \
            "; 'darkscan limits list' shows them all"
        raise UnknownNameError(f"unknown published limit '{record_id}'{hint}")
    return records[record_id]


def for_search(search_name: str) -> tuple[Record, ...]:
    """The records a search overlays on its plots (and compares with), by year then id."""
    return tuple(sorted((r for r in load_all().values() if search_name in r.searches),
                        key=lambda r: (r.year, r.id)))


def published_for(search_name: str) -> tuple[Published, ...]:
    """The search layer's ``Search.published`` of a search, from the database."""
    return tuple(p for r in for_search(search_name) for p in r.to_published())


def value_near(record_id: str, at: float, window: float = 0.05) -> float:
    """The median of a curve's limits within ±``window`` (relative) of ``at`` on its axis:
    one number for a jittery digitised curve (e.g. the ALP → γγ limit at a grid mass)."""
    import numpy as np

    r = get(record_id)
    if r.kind != "curve":
        raise ValueError(f"{record_id} is a range: it has no value at {at}")
    x, y = np.asarray(r.x, float), np.asarray(r.y, float)
    sel = np.abs(x - at) <= window * abs(at)
    if not sel.any():
        raise ValueError(f"{record_id} has no point within {window:.0%} of {at}")
    return float(np.median(y[sel]))


def provenance(record_id: str) -> str:
    """A check's provenance line for a record: reference, luminosity, CL and where its numbers
    come from."""
    r = get(record_id)
    return (f"{r.reference}, {r.luminosity.replace('/', ' ')}⁻¹, {r.cl:.0%} CL {r.limit}: "
            f"{r.provenance_detail}")
