"""HEPData submission folders written with hepdata-lib: every table carries units, CL and a
description saying the numbers come from a darkscan simulation."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from hepdata_lib import Submission, Table, Variable


@dataclass(frozen=True)
class HepDataTable:
    """One HEPData table: independent variable(s) and dependent columns, all with units."""

    name: str
    description: str
    x_name: str
    x_unit: str
    x: np.ndarray
    columns: dict[str, tuple[str, np.ndarray]]  #: header → (unit, values)
    keywords: dict[str, list[str]] = field(default_factory=dict)
    qualifiers: dict[str, str] = field(default_factory=dict)
    #: further independent variables (name, unit, values), e.g. the second axis of a 2D grid
    more_x: tuple[tuple[str, str, np.ndarray], ...] = ()
    #: where the numbers are shown (hepdata-lib's ``location``)
    location: str = "darkscan simulation"


def write_hepdata(out_dir: Path, tables: list[HepDataTable], comment: str) -> Path:
    """Write ``submission.yaml`` and one YAML per table under ``out_dir``, and the upload
    archive beside it (``<out_dir>.tar.gz``: inside, the validator would count it as an
    unreferenced file of the submission)."""
    sub = Submission()
    sub.comment = comment
    for t in tables:
        table = Table(t.name)
        table.description = t.description
        table.location = t.location
        for key, values in t.keywords.items():
            table.keywords[key] = values
        for name, unit, values in ((t.x_name, t.x_unit, t.x), *t.more_x):
            x = Variable(name, is_independent=True, is_binned=False, units=unit)
            x.values = [float(v) for v in values]
            table.add_variable(x)
        for header, (unit, values) in t.columns.items():
            y = Variable(header, is_independent=False, is_binned=False, units=unit)
            y.values = [float(v) for v in values]
            for qname, qvalue in t.qualifiers.items():
                y.add_qualifier(qname, qvalue)
            table.add_variable(y)
        sub.add_table(table)
    out_dir = out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    # hepdata-lib writes submission.tar.gz into the working directory: confine it to out_dir
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
        sub.create_files(str(out_dir), validate=False, remove_old=True)
        tarball = Path(tmp) / "submission.tar.gz"
        if tarball.is_file():
            shutil.move(str(tarball), out_dir.with_name(f"{out_dir.name}.tar.gz"))
    return out_dir
