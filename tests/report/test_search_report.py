"""The report of a search run, drawn from synthetic ``SearchResult`` objects (conftest.py):
files, HEPData variables, the empty-MC stack, the HTML's tables and images, a headless
Chromium rendering."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from darkscan.report import build_html_report, plot_stack, write_search_report
from darkscan.report.style import BACKGROUND_COLOURS, html_text, mathtext
from darkscan.searches.result import SearchResult

Make = Callable[..., SearchResult]


class _Page(HTMLParser):
    """Tables (caption, rows of cell text and raw cell HTML), images, list items, figures."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self.imgs: list[str] = []
        self.selection: list[str] = []
        self.figcaptions: list[str] = []
        self._stack: list[str] = []
        self._cell: list[str] | None = None
        self._text: list[str] | None = None
        self._ul_selection = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self.tables.append({"caption": "", "rows": [], "cls": a.get("class", "")})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "img":
            self.imgs.append(a["src"] or "")
        elif tag == "ul" and a.get("class") == "selection":
            self._ul_selection = True
        elif tag in ("li", "caption", "figcaption"):
            self._text = []
        elif self._cell is not None:
            self._cell.append(f"<{tag}>")
        self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.tables:
            self.tables[-1]["rows"][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "ul":
            self._ul_selection = False
        elif tag == "li" and self._text is not None:
            if self._ul_selection:
                self.selection.append("".join(self._text))
            self._text = None
        elif tag == "caption" and self._text is not None:
            self.tables[-1]["caption"] = "".join(self._text)
            self._text = None
        elif tag == "figcaption" and self._text is not None:
            self.figcaptions.append("".join(self._text))
            self._text = None
        elif self._cell is not None:
            self._cell.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._text is not None:
            self._text.append(data)

    def table(self, caption_start: str) -> dict:
        found = [t for t in self.tables if t["caption"].startswith(caption_start)]
        assert found, [t["caption"] for t in self.tables]
        return found[0]


def _page(path: Path) -> _Page:
    p = _Page()
    p.feed(path.read_text())
    return p


def _assert_png(path: Path, min_size: tuple[int, int] = (400, 300)) -> None:
    with Image.open(path) as im:
        assert im.format == "PNG"
        assert im.size[0] >= min_size[0] and im.size[1] >= min_size[1]
        im.load()  # decodes the whole image: a truncated file raises here


def _assert_html_sound(report: Path) -> _Page:
    page = _page(report)
    plots = sorted(p.name for p in (report.parent / "plots").glob("*.png"))
    assert sorted(Path(s).name for s in page.imgs) == plots, "one <img> per plot"
    for src in page.imgs:
        assert src.startswith("plots/"), "images by relative path"
        _assert_png(report.parent / src)
    assert len(page.figcaptions) == len(plots)
    for k, cap in enumerate(page.figcaptions, 1):
        assert cap.startswith(f"Figure {k}.") and len(cap) > 40
    for t in page.tables:
        for row in t["rows"]:
            for cell in row:
                assert "{" not in cell and "}" not in cell, f"raw braces in a cell: {cell}"
    return page


# --------------------------------------------------------------------------- 1D grid
def test_1d_search_report(result_1d: Make, tmp_path: Path) -> None:
    out = tmp_path / "run1d"
    out.mkdir()
    # the runner's summary.json comes first and is kept as it is
    (out / "summary.json").write_text(json.dumps({"search": "zprime-invisible",
                                                  "wall_time_s": 99.0, "seed": 7}))
    result = result_1d(out)
    report = write_search_report(result)
    assert report == out / "report.html"
    assert json.loads((out / "summary.json").read_text())["wall_time_s"] == 99.0
    assert {p.name for p in (out / "plots").glob("*.png")} == {
        "limit_sigma.png", "limit_gprime_ul_vanilla.png", "efficiency.png", "resolution.png",
        "stack_recoil_mass2.png"}
    # limits.csv and signal.csv were missing: written from the result (DESIGN §5 columns)
    header = (out / "limits.csv").read_text().splitlines()[0].split(",")
    assert header[:3] == ["mass", "sigma_ul_obs", "sigma_ul_exp"]
    assert "gprime_ul_vanilla_exp_p2" in header

    # HEPData: one independent variable, the infinite limit (no selected signal) left out
    sigma = yaml.safe_load((out / "hepdata" / "cross-section_limits.yaml").read_text())
    assert [v["header"] for v in sigma["independent_variables"]] == [
        {"name": "$M_{Z'}$", "units": "GeV"}]
    x = [v["value"] for v in sigma["independent_variables"][0]["values"]]
    np.testing.assert_allclose(x, result.points["mass"][:-1], rtol=1e-4)  # 5 digits kept
    exp = next(d for d in sigma["dependent_variables"]
               if d["header"]["name"].startswith("expected $\\sigma"))
    assert exp["header"]["units"] == "pb"
    np.testing.assert_allclose([v["value"] for v in exp["values"]],
                               result.limits.expected[2][:-1], rtol=1e-4)
    assert {q["name"]: q["value"] for q in exp["qualifiers"]}["CL"] == "0.9"
    coupling = yaml.safe_load((out / "hepdata" / "coupling_limits_vanilla.yaml").read_text())
    assert len(coupling["dependent_variables"]) == 6
    eff = yaml.safe_load(
        (out / "hepdata" / "signal_efficiency_and_resolution.yaml").read_text())
    assert [d["header"].get("units", "") for d in eff["dependent_variables"]] == ["", "GeV²"]

    page = _assert_html_sound(report)
    key = {row[0]: row[1] for row in page.table("Table 1.")["rows"]}
    assert key["Integrated luminosity"] == "79.7 fb<sup>−1</sup>"
    assert key["Confidence level"] == "90%"
    assert key["Signal points (windows)"] == "12"
    best = key["Best expected limit on σ(e<sup>+</sup>e<sup>−</sup>→μ<sup>+</sup>μ<sup>−</sup>"
               "Z′) × B(Z′→inv.)"]
    # 2e-3 pb × 1.5^1.5 = 3.674 fb at the lowest mass
    assert best == "3.67 fb at M<sub>Z′</sub> = 0.5 GeV"
    assert key["Wall time"] == "99 s"  # from the runner's summary.json
    assert page.selection == list(result.selection)
    samples = page.table("Table 2.")["rows"]
    assert samples[0][:4] == ["Sample", "Process", "Events generated", "σ [pb]"]
    assert [r[1] for r in samples[1:]] == ["<code>ee_mumu</code>", "<code>ee_tautau</code>",
                                           "<code>ee_eemumu</code>"]
    assert samples[1][2] == "2\u2009000\u2009000" and samples[1][3] == "1.15"
    assert samples[1][4] == "1740"  # 2e6 events / 1.148 pb = 1742 fb⁻¹
    limits = page.table("Table 3.")
    assert limits["rows"][0][1] == "σ(e<sup>+</sup>e<sup>−</sup>→μ<sup>+</sup>μ<sup>−</sup>Z′)" \
        " × B(Z′→inv.) [fb]"
    assert limits["rows"][2][2] == "3.67"  # first point's median expected limit in fb
    assert limits["rows"][-1][2] == "—"  # the point without selected signal
    text = report.read_text()
    assert "arxiv.org/abs/2212.03066" in text
    assert "hatched regions" in text  # the empty-MC caption of the stack


# --------------------------------------------------------------------------- 2D grid
def test_2d_search_report(result_2d: Make, tmp_path: Path) -> None:
    result = result_2d(tmp_path / "run2d")
    report = write_search_report(result)
    out = report.parent
    names = {p.name for p in (out / "plots").glob("*.png")}
    for channel in ("combined", "mumu"):
        assert {f"map_sigma_{channel}.png", f"map_eps2_alphad_ul_darkhiggs_{channel}.png",
                f"slices_sigma_{channel}.png", f"efficiency_{channel}.png",
                f"resolution_{channel}.png"} <= names
    table = yaml.safe_load(
        (out / "hepdata" / "cross-section_limits_channel_combined.yaml").read_text())
    indep = table["independent_variables"]
    assert [v["header"] for v in indep] == [{"name": "$M_{A'}$", "units": "GeV"},
                                            {"name": "$M_{h'}$", "units": "GeV"}]
    combined = result.channel == "combined"
    np.testing.assert_allclose([v["value"] for v in indep[0]["values"]],
                               result.points["mass_darkphoton"][combined], rtol=1e-4)
    np.testing.assert_allclose([v["value"] for v in indep[1]["values"]],
                               result.points["mass_darkhiggs"][combined], rtol=1e-4)
    assert len(table["dependent_variables"]) == 6
    page = _assert_html_sound(report)
    key = {row[0]: row[1] for row in page.table("Table 1.")["rows"]}
    assert key["Signal points (windows)"].startswith("42 (2 channels: combined, mumu)")
    assert key["Wall time"] == "72.0 min (4321 s)"
    # the best expected limit is quoted in the combination: its smallest median
    best_fb = 1e3 * result.limits.expected[2][combined].min()
    best = next(v for k, v in key.items() if k.startswith("Best expected limit on σ"))
    assert best.startswith(f"{best_fb:.3g} fb at M<sub>A′</sub> = 1 GeV, M<sub>h′</sub> = 0.5 "
                           "GeV, channel combined")
    assert any("horizontally" in c and "vertically" in c for c in page.figcaptions)


# --------------------------------------------------------------------------- stack plots
def _background_pixels(path: Path, x_lo: float, x_hi: float) -> int:
    """Pixels of any background colour in a vertical band (fractions of the width), lower
    half of the image (the legend sits at the top)."""
    with Image.open(path) as im:
        rgb = np.asarray(im.convert("RGB"), dtype=int)
    h, w, _ = rgb.shape
    band = rgb[h // 2:, int(x_lo * w):int(x_hi * w)]
    count = 0
    for colour in BACKGROUND_COLOURS[:3]:
        target = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
        count += int(np.sum(np.all(np.abs(band - target) <= 12, axis=-1)))
    return count


def test_stack_says_where_the_simulation_has_no_events(tmp_path: Path) -> None:
    edges = np.linspace(0.0, 10.0, 11)
    bkg = {"μμ(γ)": np.full(10, 50.0), "ττ(γ)": np.full(10, 20.0), "ee→eeμμ": np.full(10, 5.0)}
    full = {k: np.full(10, 30.0) for k in bkg}
    empty = {k: np.where(np.arange(10) >= 7, 0.0, 30.0) for k in bkg}  # bins 7–9: no MC
    data = np.random.default_rng(1).poisson(75.0, 10).astype(float)
    kw = {"signals": {"Z′ 3 GeV": np.full(10, 10.0)}, "data": data, "xlabel": "M²_recoil [GeV²]",
          "lumi_label": "79.7 fb⁻¹"}
    a = plot_stack(tmp_path / "full.png", edges, bkg, mc_events=full, **kw)
    b = plot_stack(tmp_path / "empty.png", edges, bkg, mc_events=empty, **kw)
    _assert_png(a)
    _assert_png(b)
    # x = 8.5 of 0…10 lies near 85% of the image width: filled when simulated, bare when not
    assert _background_pixels(a, 0.80, 0.88) > 1000
    assert _background_pixels(b, 0.80, 0.88) == 0
    assert _background_pixels(b, 0.30, 0.40) > 1000


def test_empty_mc_caption_only_where_the_simulation_is_empty(result_2d: Make,
                                                             tmp_path: Path) -> None:
    result = result_2d(tmp_path / "r")
    report = write_search_report(result)
    caps = [c for c in _page(report).figcaptions if "Distribution of" in c]
    assert len(caps) == 1 and "hatched" not in caps[0]


# --------------------------------------------------------------------------- labels, import
@pytest.mark.parametrize(("text", "math", "html"), [
    ("g′", "$g'$", "g′"),
    ("M_Z′ [GeV]", "$M_{Z'}$ [GeV]", "M<sub>Z′</sub> [GeV]"),
    ("L_μ−L_τ", r"$L_{\mu}-L_{\tau}$", "L<sub>μ</sub>−L<sub>τ</sub>"),
    ("79.7 fb⁻¹", r"79.7 $\mathrm{fb}^{-1}$", "79.7 fb<sup>−1</sup>"),
    ("ε²α_D", r"$\varepsilon^{2}\alpha_{D}$", "ε<sup>2</sup>α<sub>D</sub>"),
    ("(g−2)_μ", r"$(g-2)_{\mu}$", "(g−2)<sub>μ</sub>"),
    ("σ(e⁺e⁻→A′h′)", r"$\sigma(e^{+}e^{-}\to A'h')$",
     "σ(e<sup>+</sup>e<sup>−</sup>→A′h′)"),
    ("$M_{h'}$ [GeV]", "$M_{h'}$ [GeV]", "M<sub>h′</sub> [GeV]"),
    ("90% CL", "90% CL", "90% CL"),
])
def test_physics_notation(text: str, math: str, html: str) -> None:
    assert mathtext(text) == math
    assert html_text(text) == html


def test_report_modules_doctests() -> None:
    import doctest

    import darkscan.report.html as report_html
    import darkscan.report.style as style

    for module in (style, report_html):
        failed, tried = doctest.testmod(module)
        assert tried > 0 and failed == 0


def test_import_and_drawing_change_no_global_matplotlib_state(result_1d: Make,
                                                               tmp_path: Path) -> None:
    code = """
import sys, matplotlib
raw = lambda: dict(dict.items(matplotlib.rcParams))
before = raw()
import darkscan.report
assert "matplotlib.pyplot" not in sys.modules, "pyplot imported at import"
assert raw() == before, "rcParams changed at import"
from darkscan.report import plot_curves
import numpy as np
from pathlib import Path
plot_curves(Path(sys.argv[1]), np.arange(3.0), {"a": np.arange(3.0)}, xlabel="M_Z′ [GeV]",
            ylabel="ε", lumi_label="1 fb⁻¹")
after = raw()
assert after == before, sorted(k for k in after if after[k] != before[k])
print("ok")
"""
    run = subprocess.run([sys.executable, "-c", code, str(tmp_path / "c.png")],
                         capture_output=True, text=True, timeout=300,
                         env={k: v for k, v in os.environ.items() if k != "MPLBACKEND"})
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"


# --------------------------------------------------------------------------- Chromium
def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").is_file()
                                      else None)
        if path:
            return path
    return None


def _chromium_args(profile: Path) -> list[str]:
    return ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}"]


def test_report_renders_in_headless_chromium(result_1d: Make, tmp_path: Path) -> None:
    chromium = _chromium()
    if chromium is None:
        pytest.skip("chromium is not installed (CI installs it: .ci/run)")
    report = write_search_report(result_1d(tmp_path / "run"))
    url = report.resolve().as_uri()
    shot = tmp_path / "shot.png"
    subprocess.run([chromium, *_chromium_args(tmp_path / "p1"), f"--screenshot={shot}",
                    "--window-size=1200,2000", url], capture_output=True, timeout=180,
                   check=True)
    with Image.open(shot) as im:
        assert im.size == (1200, 2000)
        grey = np.asarray(im.convert("L"), dtype=float)
    assert grey.std() > 20, "the screenshot is blank"
    # the page's own check: every <img> complete with a non-zero natural width
    dom = subprocess.run([chromium, *_chromium_args(tmp_path / "p2"), "--dump-dom", url],
                         capture_output=True, text=True, timeout=180, check=True).stdout
    n = len(list((report.parent / "plots").glob("*.png")))
    assert f'data-images-loaded="{n}/{n}"' in dom
    # a missing image is noticed; rebuilt from the folder, the page lists what is there
    (report.parent / "plots" / "efficiency.png").unlink()
    dom = subprocess.run([chromium, *_chromium_args(tmp_path / "p3"), "--dump-dom", url],
                         capture_output=True, text=True, timeout=180, check=True).stdout
    assert f'data-images-loaded="{n - 1}/{n}"' in dom
    build_html_report(report.parent)
    assert "plots/efficiency.png" not in report.read_text()
