"""A static HTML report of a results folder that reads like a short paper: title and
references, a table of key numbers, the selection, the simulated samples, numbered figures with
captions, the limit and signal tables with units, the HEPData tables.

Everything comes from files, so ``darkscan report DIR`` rebuilds the page at any time:
``summary.json`` (the runner's), ``limits.csv`` and ``signal.csv`` (DESIGN §5), ``plots/*.png``
and ``report_meta.json`` (written by :func:`darkscan.report.write_search_report`: captions,
labels, samples, selection). Without ``report_meta.json`` (a folder of the first version) the
page is built from ``summary.json`` alone, with plain captions.
"""

from __future__ import annotations

import csv
import html
import json
import math
import re
from pathlib import Path
from typing import Any

from darkscan.errors import InputFileError
from darkscan.report.style import html_text

META_FILE = "report_meta.json"
_SECTIONS = {"Limits": "Upper limits", "Signal": "Signal efficiency and resolution",
             "Distributions": "Distributions after the selection"}


# --------------------------------------------------------------------------- formatting
def fmt(value: Any, digits: int = 3) -> str:
    """A number for a table cell: ``digits`` significant digits, powers of ten written out,
    '—' for a missing or infinite value.

    >>> fmt(0.000123456), fmt(1234.5), fmt(float("inf")), fmt(12), fmt(0.5), fmt(2.5e6)
    ('1.23×10<sup>−4</sup>', '1230', '—', '12', '0.5', '2.5×10<sup>6</sup>')
    """
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, bool) or value is None:
        return html.escape(str(value)) if value is not None else "—"
    v = float(value)
    if not math.isfinite(v):
        return "—"
    if v == 0:
        return "0"
    if 1e-2 <= abs(v) < 1e5:
        rounded = float(f"{v:.{digits}g}")
        text = f"{rounded:.0f}" if rounded.is_integer() else f"{rounded:g}"
        return text.replace("-", "−")
    mant, exp = f"{v:.{digits - 1}e}".split("e")
    return f"{float(mant):g}×10<sup>{int(exp)}</sup>".replace("-", "−")


def fmt_count(value: float) -> str:
    """An event count: integers with thin-space thousands separators."""
    v = float(value)
    if not math.isfinite(v):
        return "—"
    if abs(v) >= 100:
        return f"{round(v):,}".replace(",", "\u2009")
    return fmt(v)


def _duration(seconds: float) -> str:
    s = float(seconds)
    if s < 120:
        return f"{s:.3g} s"
    if s < 7200:
        return f"{s / 60:.1f} min ({s:.0f} s)"
    return f"{s / 3600:.2f} h ({s:.0f} s)"


def _cell(tag: str, content: str, attrs: str = "") -> str:
    return f"<{tag}{attrs}>{content}</{tag}>"


def _table(caption: str, header: list[list[tuple[str, int]]], rows: list[list[str]],
           *, scroll: bool = False, number: int | None = None, cls: str = "") -> str:
    """``header``: rows of (HTML, colspan); ``rows``: cells already in HTML."""
    head = "".join("<tr>" + "".join(_cell("th", h, f" colspan='{n}'" if n > 1 else "")
                                    for h, n in hrow) + "</tr>" for hrow in header)
    body = "".join("<tr>" + "".join(_cell("td", c) for c in row) + "</tr>" for row in rows)
    label = f"<b>Table {number}.</b> " if number is not None else ""
    table = (f"<table class='{cls}'><caption>{label}{caption}</caption><thead>{head}</thead>"
             f"<tbody>{body}</tbody></table>")
    return f"<div class='scroll'>{table}</div>" if scroll else table


def _reference(ref: str) -> str:
    text = html.escape(ref)
    m = re.search(r"arXiv:\s*(\d{4}\.\d{4,5}|[a-z\-]+/\d{7})", ref, re.I)
    if m:
        return f"<a href='https://arxiv.org/abs/{m.group(1)}'>{text}</a>"
    m = re.search(r"(?:doi:\s*|https?://doi\.org/)(10\.\S+)", ref, re.I)
    if m:
        return f"<a href='https://doi.org/{html.escape(m.group(1))}'>{text}</a>"
    m = re.match(r"https?://\S+$", ref)
    if m:
        return f"<a href='{text}'>{text}</a>"
    return text


# --------------------------------------------------------------------------- reading files
def _read_json(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise InputFileError(f"'{path}' is not valid JSON ({exc})") from None
    return data if isinstance(data, dict) else None


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    if not path.is_file():
        return [], []
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def _num(text: str) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


class _Folder:
    """What the report needs from a results folder, meta first, then summary.json."""

    def __init__(self, d: Path) -> None:
        self.dir = d
        summary = _read_json(d / "summary.json")
        meta = _read_json(d / META_FILE)
        if summary is None and meta is None:
            raise InputFileError(f"'{d}' holds no summary.json; run 'darkscan run SEARCH --out "
                                 f"{d}' first")
        self.summary: dict[str, Any] = summary or {}
        self.meta: dict[str, Any] = meta or {}
        self.limit_cols, self.limits = _read_csv(d / "limits.csv")
        self.signal_cols, self.signal = _read_csv(d / "signal.csv")

    def get(self, key: str, default: Any = None) -> Any:
        if self.meta.get(key) not in (None, "", []):
            return self.meta[key]
        value = self.summary.get(key)
        return default if value in (None, "", []) else value

    def run_info(self) -> dict[str, Any]:
        """Scalars describing the run: the runner's summary.json first (its record of the
        run), then what ``write_search_report`` copied from ``SearchResult.summary``."""
        run = {k: v for k, v in self.summary.items()
               if isinstance(v, str | int | float | bool) or v is None}
        for k, v in self.meta.get("run", {}).items():
            run.setdefault(k, v)
        return run

    # ------------------------------------------------------------------ columns
    def axes(self) -> list[dict[str, str]]:
        if self.meta.get("axes"):
            return list(self.meta["axes"])
        # a folder without meta: the columns before 'channel' and the limits are the axes
        axes = []
        for c in self.limit_cols:
            if c == "channel" or "_ul_" in c or c.endswith("_ul"):
                break
            unit = (self.summary.get("units") or {}).get(c, "")
            axes.append({"name": c, "label": c, "unit": unit if isinstance(unit, str) else ""})
        return axes

    def quantity(self) -> dict[str, Any]:
        q = str(self.get("quantity", "sigma"))
        stem = f"{q}_ul"
        if self.meta:
            return {"stem": stem, "label": self.meta.get("quantity_label", q),
                    "unit": self.meta.get("quantity_unit", ""),
                    "scale": float(self.meta.get("quantity_scale", 1.0))}
        sigma = q == "sigma"
        return {"stem": stem, "label": "σ × B" if sigma else "B", "unit": "fb" if sigma else "",
                "scale": 1e3 if sigma else 1.0}

    def couplings(self) -> list[dict[str, Any]]:
        if self.meta.get("couplings") is not None:
            return [{"stem": c["column"], "label": c["label"], "model": c.get("model", ""),
                     "description": c.get("description", ""), "unit": "", "scale": 1.0}
                    for c in self.meta["couplings"]]
        q = self.quantity()["stem"]
        stems = [c[:-4] for c in self.limit_cols if c.endswith("_obs") and c[:-4] != q]
        return [{"stem": s, "label": s.replace("_ul_", " (") + ")" if "_ul_" in s else s,
                 "model": "", "description": "", "unit": "", "scale": 1.0} for s in stems]

    def figures(self) -> list[dict[str, str]]:
        listed = [f for f in self.meta.get("figures", []) if (self.dir / f["file"]).is_file()]
        known = {f["file"] for f in listed}
        extra = [{"file": f"plots/{p.name}", "section": "Other figures",
                  "caption": p.stem.replace("_", " ").capitalize() + "."}
                 for p in sorted((self.dir / "plots").glob("*.png"))
                 if f"plots/{p.name}" not in known]
        return listed + extra

    def samples(self) -> list[dict[str, Any]]:
        samples = self.meta.get("samples")
        if samples:
            return list(samples)
        old = self.summary.get("samples")
        if isinstance(old, dict):  # the first version's summary.json: name → numbers
            return [{"label": name, "process": s.get("process", ""),
                     "n_generated": s.get("n_generated", math.nan),
                     "sigma_pb": s.get("sigma_pb", math.nan),
                     "mc_lumi_per_fb": s.get("mc_lumi_per_fb", math.nan),
                     "weight": math.nan, "selected": s.get("selected_weighted", math.nan),
                     "filter": ""} for name, s in old.items() if isinstance(s, dict)]
        return []


# --------------------------------------------------------------------------- sections
def _axis_header(a: dict[str, str]) -> str:
    return html_text(a["label"]) + (f" [{html_text(a['unit'])}]" if a.get("unit") else "")


def _where(f: _Folder, row: dict[str, str]) -> str:
    parts = [f"{html_text(a['label'])} = {fmt(_num(row.get(a['name'], '')))}"
             + (f" {html_text(a['unit'])}" if a.get("unit") else "") for a in f.axes()]
    if row.get("channel"):
        parts.append(f"channel {html.escape(row['channel'])}")
    return ", ".join(parts)


def _best(f: _Folder, stem: str) -> tuple[float, dict[str, str]] | None:
    """Smallest finite median expected limit, in the combination where there is one."""
    rows = f.limits
    if rows and "channel" in rows[0] and any(r["channel"] == "combined" for r in rows):
        rows = [r for r in rows if r["channel"] == "combined"]
    best: tuple[float, dict[str, str]] | None = None
    for r in rows:
        v = _num(r.get(f"{stem}_exp", ""))
        if math.isfinite(v) and (best is None or v < best[0]):
            best = (v, r)
    return best


#: how the method names of ``darkscan.stats`` read in the report (others are shown as given)
_METHODS = {"cls": "CLs (modified frequentist)", "bayes": "Bayesian (flat prior)"}


def _key_numbers(f: _Folder) -> list[list[str]]:
    rows: list[list[str]] = []
    search = f.get("search", "")
    title = f.get("title", "")
    if title or search:
        rows.append(["Search", html_text(str(title)) + (f" (<code>{html.escape(str(search))}"
                                                        "</code>)" if search else "")])
    if f.get("luminosity"):
        rows.append(["Integrated luminosity", html_text(str(f.get("luminosity")))])
    cl = f.get("cl")
    if cl is not None:
        rows.append(["Confidence level", f"{100 * float(cl):g}%"])
    if f.get("method"):
        method = str(f.get("method"))
        rows.append(["Statistical method", html.escape(_METHODS.get(method.lower(), method))])
    n_points = f.get("n_points", len(f.limits) or None)
    if n_points:
        channels = f.get("channels", [])
        chan = (f" ({len(channels)} channels: " + ", ".join(html.escape(c) for c in channels)
                + ")") if channels else ""
        rows.append(["Signal points (windows)", f"{int(n_points)}{chan}"])
    q = f.quantity()
    for item, what in ((q, "Best expected limit on "),
                       *((c, "Best expected limit on ") for c in f.couplings())):
        best = _best(f, item["stem"])
        if best is None:
            continue
        unit = f" {html_text(item['unit'])}" if item["unit"] else ""
        model = f" ({html.escape(item['model'])})" if item.get("model") else ""
        rows.append([what + html_text(str(item["label"])) + model,
                     f"{fmt(best[0] * item['scale'])}{unit} at {_where(f, best[1])}"])
    run = f.run_info()
    if run.get("wall_time_s") is not None:
        rows.append(["Wall time", _duration(float(run["wall_time_s"]))])
    if run.get("seed") is not None:
        rows.append(["Random seed", html.escape(str(run["seed"]))])
    if run.get("quick"):
        rows.append(["Mode", "quick (reduced samples and grid)"])
    if run.get("projection"):
        rows.append(["Projection", html_text(str(run["projection"]))])
    return rows


_KEY_RUN = {"search", "title", "luminosity", "cl", "method", "wall_time_s", "seed", "quick",
            "projection", "n_points", "quantity", "quantity_label"}


def _run_details(f: _Folder) -> list[list[str]]:
    rows = []
    for k, v in f.run_info().items():
        if k in _KEY_RUN or v is None or isinstance(v, dict | list):
            continue
        name = html.escape(k.replace("_", " "))
        value = fmt(v) if isinstance(v, int | float) and not isinstance(v, bool) else \
            html_text(str(v))
        rows.append([name, value])
    return rows


def _samples_table(samples: list[dict[str, Any]], number: int, lumi: str) -> str:
    has_filter = any(s.get("filter") for s in samples)
    header = [[("Sample", 1), ("Process", 1), ("Events generated", 1), ("σ [pb]", 1),
               ("MC luminosity [fb<sup>−1</sup>]", 1), ("Weight per event", 1),
               ("Selected events (weighted)", 1)] + ([("Generator-level filter", 1)]
                                                     if has_filter else [])]
    rows = []
    for s in samples:
        row = [html_text(str(s.get("label", s.get("id", "")))),
               f"<code>{html.escape(str(s.get('process', '')))}</code>",
               fmt_count(s.get("n_generated", math.nan)), fmt(s.get("sigma_pb", math.nan)),
               fmt(s.get("mc_lumi_per_fb", math.nan)), fmt(s.get("weight", math.nan)),
               fmt_count(s.get("selected", math.nan))]
        if has_filter:
            row.append(html_text(str(s.get("filter", ""))) or "—")
        rows.append(row)
    caption = ("Simulated samples: cross section, events generated and the luminosity they "
               f"amount to, the weight of one event at {html_text(lumi)}, and the weighted "
               "events left after the selection. For an importance-sampled sample (forced "
               "decays or detector effects, the events weighted by their probability) the "
               "luminosity and the weight are those of its selected events: the data in which "
               "they occur as often as in the simulation.")
    return _table(caption, header, rows, number=number)


def _limits_table(f: _Folder, number: int) -> str:
    axes = f.axes()
    has_channel = "channel" in f.limit_cols
    groups = [f.quantity(), *f.couplings()]
    groups = [g for g in groups if f"{g['stem']}_exp" in f.limit_cols]
    top: list[tuple[str, int]] = [(_axis_header(a), 1) for a in axes]
    sub: list[tuple[str, int]] = [("", 1) for _ in axes]
    if has_channel:
        top.append(("Channel", 1))
        sub.append(("", 1))
    for g in groups:
        unit = f" [{html_text(g['unit'])}]" if g["unit"] else ""
        model = f" ({html.escape(g['model'])})" if g.get("model") else ""
        top.append((f"{html_text(str(g['label']))}{model}{unit}", 4))
        sub += [("observed", 1), ("expected", 1), ("expected ±1σ", 1), ("expected ±2σ", 1)]
    rows = []
    for r in f.limits:
        row = [fmt(_num(r.get(a["name"], ""))) for a in axes]
        if has_channel:
            row.append(html.escape(r.get("channel", "")))
        for g in groups:
            s, k = g["scale"], g["stem"]
            v = {q: _num(r.get(f"{k}{q}", "")) * s
                 for q in ("_obs", "_exp", "_exp_m1", "_exp_p1", "_exp_m2", "_exp_p2")}
            row += [fmt(v["_obs"]), fmt(v["_exp"]), f"{fmt(v['_exp_m1'])} – {fmt(v['_exp_p1'])}",
                    f"{fmt(v['_exp_m2'])} – {fmt(v['_exp_p2'])}"]
        rows.append(row)
    cl = f.get("cl")
    pct = f"{100 * float(cl):g}% CL " if cl is not None else ""
    observed = "the data ntuples" if f.summary.get("ntuples") else "seeded pseudo-data"
    caption = (f"{pct}upper limits per signal point: observed ({observed}), median "
               "expected and the ranges containing 68% and 95% of the expected limits. "
               "'—': no selected signal at that point.")
    return _table(caption, [top, sub], rows, scroll=len(rows) > 25, number=number, cls="num")


def _signal_table(f: _Folder, number: int) -> str:
    axes = f.axes()
    axis_names = {a["name"] for a in axes}
    res_label = f.get("resolution_label", "Resolution")
    names = {"efficiency": "Efficiency", "resolution": html_text(str(res_label)),
             "channel": "Channel"}
    cols = [c for c in f.signal_cols if c not in axis_names]
    header = [[(_axis_header(a), 1) for a in axes]
              + [(names.get(c, f"<code>{html.escape(c)}</code>"), 1) for c in cols]]
    rows = []
    for r in f.signal:
        row = [fmt(_num(r.get(a["name"], ""))) for a in axes]
        for c in cols:
            v = _num(r.get(c, ""))
            row.append(fmt(v) if math.isfinite(v) or r.get(c, "") in ("inf", "nan", "-inf")
                       else html.escape(r.get(c, "")))
        rows.append(row)
    caption = ("Signal efficiency, resolution and the numbers of the signal extraction per "
               "signal point (as in <code>signal.csv</code>).")
    return _table(caption, header, rows, scroll=len(rows) > 25, number=number, cls="num")


_STYLE = """
body{font-family:"Georgia","Times New Roman",serif;max-width:1060px;margin:2em auto;
 padding:0 1.2em;color:#1a1a1a;line-height:1.45;background:#fff}
h1{font-size:1.7em;margin-bottom:.2em}h2{font-size:1.3em;border-bottom:1px solid #bbb;
 padding-bottom:.15em;margin-top:1.6em}h3{font-size:1.1em}
.byline{color:#555;margin-top:0}.abstract{background:#f6f6f3;border-left:3px solid #999;
 padding:.6em 1em;font-size:.97em}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-family:"Helvetica Neue",Arial,
 sans-serif;font-size:13px}
caption{caption-side:top;text-align:left;padding:.3em 0;font-family:"Georgia",serif;
 font-size:14px}
th,td{border-top:1px solid #ddd;border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;
 vertical-align:top}
thead th{border-bottom:2px solid #555;background:#fafafa}
table.num td{text-align:right;white-space:nowrap}
table.key td:first-child{color:#333;width:38%}
.scroll{max-height:520px;overflow:auto;border:1px solid #eee}
.figures{display:grid;grid-template-columns:1fr 1fr;gap:1.2em 1.6em}
figure{margin:0}figure img{width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:14px;margin-top:.3em}
code{font-family:"DejaVu Sans Mono",monospace;font-size:.9em;background:#f3f3f3;
 padding:0 .2em}
ul.selection li{margin:.15em 0}
.note{color:#555;font-size:.92em}
"""

# sets data-images-loaded="k/n" on <body> once the page has loaded (a check for headless
# browsers; the page reads the same without it)
_SCRIPT = ("<script>window.addEventListener('load',function(){var i=document.images,k=0;"
           "for(var j=0;j<i.length;j++){if(i[j].complete&&i[j].naturalWidth>0){k++;}}"
           "document.body.setAttribute('data-images-loaded',k+'/'+i.length);});</script>")


def build_html_report(directory: str | Path) -> Path:
    """Write ``DIR/report.html`` from ``summary.json``, ``report_meta.json``, ``limits.csv``,
    ``signal.csv`` and ``plots/`` (images by relative path ``plots/NAME.png``)."""
    d = Path(directory)
    f = _Folder(d)
    title = str(f.get("title") or f.get("search") or d.name)
    lumi = str(f.get("luminosity", ""))
    cl = f.get("cl")
    pct = f"{100 * float(cl):g}% CL " if cl is not None else ""
    q = f.quantity()
    couplings = f.couplings()
    parts: list[str] = [f"<h1>{html_text(title)}</h1>",
                        f"<p class='byline'>darkscan simulation · <code>"
                        f"{html.escape(str(f.get('search', '')))}</code>"
                        + (f" · {html_text(lumi)}" if lumi else "") + "</p>"]
    coupling_text = ""
    if couplings:
        coupling_text = " and on " + ", ".join(
            html_text(str(c["label"])) + (f" ({html.escape(c['model'])})" if c["model"] else "")
            for c in couplings)
    parts.append(
        "<p class='abstract'>This report gives the " + pct + "upper limits on "
        + html_text(str(q["label"])) + coupling_text
        + (f" from a darkscan simulation of this search at {html_text(lumi)}" if lumi else "")
        + ", with the selection, the simulated samples, the signal efficiency and resolution "
        "and the distributions after the selection. "
        + ("The samples and the data are the analyst's ntuples ("
           + html_text(str(f.summary["ntuples"].get("directory", ""))) + "): the 'observed' "
           "limits count the data.</p>" if isinstance(f.summary.get("ntuples"), dict) else
           "All events are simulated: the 'observed' limits use a seeded pseudo-dataset drawn "
           "from the background model. They are not Belle II results.</p>"))
    refs = f.get("references", [])
    n_table = 0
    n_table += 1
    parts += ["<h2>1. Key numbers</h2>",
              _table("Key numbers of the run.", [], _key_numbers(f), number=n_table,
                     cls="key")]
    selection = f.get("selection", [])
    parts.append("<h2>2. Selection</h2>")
    if selection:
        parts.append("<p>Events are kept when they pass every one of these requirements, in "
                     "this order:</p>"
                     "<ul class='selection'>"
                     + "".join(f"<li><code>{html.escape(str(s))}</code></li>" for s in selection)
                     + "</ul>")
    else:
        parts.append("<p class='note'>The results folder lists no selection.</p>")
    samples = f.samples()
    parts.append("<h2>3. Simulated samples</h2>")
    if samples:
        n_table += 1
        parts.append(_samples_table(samples, n_table, lumi))
    else:
        parts.append("<p class='note'>The results folder lists no samples.</p>")
    figures = f.figures()
    parts.append("<h2>4. Figures</h2>")
    section = None
    n_fig = 0
    for fig in figures:
        if fig["section"] != section:
            if section is not None:
                parts.append("</div>")
            section = fig["section"]
            parts.append(f"<h3>{html.escape(_SECTIONS.get(section, section))}</h3>"
                         "<div class='figures'>")
        n_fig += 1
        src = html.escape(fig["file"], quote=True)
        parts.append(f"<figure id='fig{n_fig}'><a href='{src}'><img src='{src}' "
                     f"alt='Figure {n_fig}' loading='eager'></a><figcaption><b>Figure "
                     f"{n_fig}.</b> {html_text(fig['caption'])}</figcaption></figure>")
    if section is not None:
        parts.append("</div>")
    if not figures:
        parts.append("<p class='note'>No plots in this folder.</p>")
    parts.append("<h2>5. Tables</h2>")
    if f.limits:
        n_table += 1
        parts.append(_limits_table(f, n_table))
    if f.signal:
        n_table += 1
        parts.append(_signal_table(f, n_table))
    if not f.limits and not f.signal:
        parts.append("<p class='note'>No limits.csv or signal.csv in this folder.</p>")
    files = [p for p in ("limits.csv", "signal.csv", "summary.json",
                         "hepdata/submission.yaml", "hepdata.tar.gz", "pyhf/BkgOnly.json",
                         "pyhf/patchset.json", "pyhf/normalisation.csv") if (d / p).is_file()]
    if files:
        parts.append("<p>Machine-readable: " + ", ".join(
            f"<a href='{p}'><code>{p}</code></a>" for p in files) + ".")
        hep = f.meta.get("hepdata", [])
        if hep:
            parts.append(" HEPData tables: " + "; ".join(html_text(str(t)) for t in hep) + ".")
        parts.append("</p>")
    notes = f.meta.get("notes", [])
    details = _run_details(f)
    if notes or details:
        parts.append("<h2>6. Notes and run details</h2>")
        if notes:
            parts.append("<ul>" + "".join(f"<li>{html_text(str(n))}</li>" for n in notes)
                         + "</ul>")
        if details:
            n_table += 1
            parts.append(_table("Further run information.", [], details, number=n_table,
                                cls="key"))
    if refs:
        parts.append("<h2>References</h2><ol>"
                     + "".join(f"<li>{_reference(str(r))}</li>" for r in refs) + "</ol>")
    out = d / "report.html"
    out.write_text("<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
                   f"<title>{html.escape(_plain(title))}</title><style>{_STYLE}</style>"
                   f"</head>\n<body>\n" + "\n".join(parts) + f"\n{_SCRIPT}\n</body></html>\n",
                   encoding="utf-8")
    return out


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", html_text(text)))
