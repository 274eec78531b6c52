"""The manifest of an analyst's ntuples, ``darkscan-ntuples.json`` (its schema is documented in
:mod:`darkscan.searches.ntuples`), and basf2's ROOT branch names. Light on imports: the command
line checks a manifest before it loads a search."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from darkscan.errors import InputFileError

MANIFEST = "darkscan-ntuples.json"
FORMAT = "darkscan-ntuples/1"
#: basf2's candidate weight branch (VariablesToNtuple's sampling weight)
WEIGHT_BRANCH = "__weight__"
#: basf2's count of the candidates of the event a row belongs to
CANDIDATES_BRANCH = "__ncandidates__"
#: basf2's MakeROOTCompatible replacements of the characters that occur in the alias table's
#: names (the rest of its table concerns characters no variable here uses)
_ROOT_COMPATIBLE = (("(", "__bo"), (")", "__bc"), (",", "__cm"), (" ", "__sp"), (":", "__cl"))


def root_branch(basf2_name: str) -> str:
    """The branch name basf2's ``VariablesToNtuple`` gives a variable:
    ``daughter(0, p)`` → ``daughter__bo0__cm__spp__bc``."""
    for char, code in _ROOT_COMPATIBLE:
        basf2_name = basf2_name.replace(char, code)
    return basf2_name


# --------------------------------------------------------------------------- manifest
class Entry(BaseModel):
    """One tree of one file and what it stands for (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str = Field(min_length=1)
    tree: str = "ntuple"
    role: Literal["signal", "background", "data"]
    channel: str | None = None
    sample: str | None = None
    point: dict[str, float] | None = None
    training: bool = False
    sigma_pb: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    n_generated: int | None = Field(default=None, gt=0)
    mc_luminosity: str | float | None = None
    luminosity: str | float | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Entry:
        mc = self.role != "data"
        if self.role == "background" and self.sample is None:
            raise ValueError("a background entry needs 'sample' (a background sample id of "
                             "the search)")
        if self.role == "signal" and self.point is None:
            raise ValueError("a signal entry needs 'point' (a value for every axis)")
        if mc and self.luminosity is not None:
            raise ValueError("'luminosity' belongs to data; an MC sample gives sigma_pb with "
                             "n_generated or mc_luminosity")
        if mc and self.sigma_pb is None:
            raise ValueError("an MC entry needs sigma_pb (the generated sample's cross section "
                             "in pb) to be normalised")
        if mc and (self.n_generated is None) == (self.mc_luminosity is None):
            raise ValueError("an MC entry needs exactly one of n_generated and mc_luminosity")
        if not mc and self.luminosity is None:
            raise ValueError("a data entry needs its integrated 'luminosity', e.g. \"20/fb\"")
        if not mc and (self.sigma_pb is not None or self.n_generated is not None
                       or self.mc_luminosity is not None or self.training):
            raise ValueError("a data entry takes no sigma_pb, n_generated, mc_luminosity or "
                             "training")
        return self

    def where(self) -> str:
        return f"'{self.file}' (tree '{self.tree}')"


class Manifest(BaseModel):
    """``darkscan-ntuples.json``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["darkscan-ntuples/1"] = FORMAT
    search: str
    files: list[Entry] = Field(min_length=1)
    #: what a run on these ntuples should say about them (``ntuples export`` writes one: its
    #: data are pseudo-data drawn from the simulation)
    note: str | None = None


def read_manifest(directory: Path) -> Manifest:
    """The manifest of ``directory``, validated; every problem as an :class:`InputFileError`."""
    path = directory / MANIFEST
    if not directory.is_dir():
        raise InputFileError(f"--ntuples '{directory}' is not a folder; give the folder holding "
                             f"the ntuples and {MANIFEST}")
    if not path.is_file():
        raise InputFileError(f"'{directory}' has no {MANIFEST}; write one with 'darkscan "
                             "ntuples template SEARCH' and fill it in")
    try:
        return Manifest.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        first = exc.errors()[0]
        at = ".".join(str(x) for x in first["loc"])
        raise InputFileError(f"{path}: {at + ': ' if at else ''}{first['msg']} "
                             f"({exc.error_count()} problem(s); the schema is in "
                             "'darkscan ntuples template --help')") from None


def write_manifest(directory: Path, manifest: dict[str, Any]) -> Path:
    path = directory / MANIFEST
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    return path
