"""The look of every darkscan figure and label, with no global state.

Figures are :class:`matplotlib.figure.Figure` objects on their own Agg canvas, drawn inside an
``rc_context``: nothing here selects a backend or changes ``rcParams`` for the caller, at import
or later. Labels are written once, in physics notation: :func:`mathtext` turns the Unicode a
search declares (``g′``, ``M_Z′``, ``L_μ−L_τ``, ``fb⁻¹``) into matplotlib mathtext, and
:func:`html_text` turns the same text into HTML for the report, so a plot and its caption agree.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

#: expected-limit bands: the familiar green (±1σ) and yellow (±2σ)
BAND_1S, BAND_2S = "#4daf4a", "#ffd92f"
#: muted colours for stacked backgrounds (Petroff's accessible palette)
BACKGROUND_COLOURS = ("#5790fc", "#f89c20", "#964a8b", "#9c9ca1", "#7a21dd", "#92dadd",
                      "#a96b59", "#b9ac70", "#717581", "#e76300")
#: strong, distinct colours and line styles for signals drawn over the stack
SIGNAL_STYLES = (("#d7191c", "-"), ("#1a1aff", "--"), ("#00a000", "-."), ("#ff00ff", ":"),
                 ("#000000", (0, (5, 1, 1, 1))))
#: colours for families of curves (efficiency per second-axis value, limit slices, …)
CURVE_COLOURS = ("#1f4e9c", "#d7191c", "#2ca02c", "#ff7f0e", "#7b3294", "#8c564b", "#17becf")
#: published curves overlaid on a limit plot
PUBLISHED_STYLES = (("#c00000", "-"), ("#0050a0", "-"), ("#7b3294", "-."), ("#8c564b", ":"))

DPI = 110
FIGSIZE = (8.0, 6.0)


def _rc() -> dict[str, Any]:
    import mplhep  # lazily: importing this module must stay cheap and side-effect free

    rc = dict(mplhep.style.ROOT)
    rc.update({"figure.figsize": FIGSIZE, "font.size": 17, "legend.fontsize": 13,
               "legend.frameon": False, "axes.labelsize": 17, "xtick.labelsize": 15,
               "ytick.labelsize": 15, "savefig.dpi": DPI, "hatch.linewidth": 0.8,
               "axes.unicode_minus": True})
    return rc


@contextmanager
def figure(path: Path, *, figsize: tuple[float, float] = FIGSIZE
           ) -> Iterator[tuple[Figure, Axes]]:
    """A styled figure with one axes on its own Agg canvas; written to ``path`` (PNG) when
    the block ends without an error."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    with matplotlib.rc_context(_rc()):
        fig = Figure(figsize=figsize)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        yield fig, ax
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.tight_layout()
        fig.savefig(path, dpi=DPI)


def experiment_label(ax: Axes, lumi_label: str) -> None:
    """"darkscan simulation" above the left corner, the luminosity above the right one: no
    title (the report's caption says what the figure shows)."""
    ax.text(0.0, 1.015, "darkscan simulation", transform=ax.transAxes, fontsize=16,
            va="bottom", ha="left", style="italic")
    if lumi_label:
        ax.text(1.0, 1.015, mathtext(lumi_label), transform=ax.transAxes, fontsize=16,
                ha="right", va="bottom")


def log_scale_suits(values: np.ndarray) -> bool:
    """An axis spanning more than a factor 30 in positive values reads better in log."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    return bool(v.size > 1 and np.all(v > 0) and v.max() / v.min() > 30)


# --------------------------------------------------------------------------- Unicode → mathtext
_GREEK = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon",
    "ϵ": r"\epsilon", "ζ": r"\zeta", "η": r"\eta", "θ": r"\theta", "ι": r"\iota",
    "κ": r"\kappa", "λ": r"\lambda", "μ": r"\mu", "µ": r"\mu", "ν": r"\nu", "ξ": r"\xi",
    "π": r"\pi", "ρ": r"\rho", "σ": r"\sigma", "τ": r"\tau", "υ": r"\upsilon", "φ": r"\phi",
    "ϕ": r"\phi", "χ": r"\chi", "ψ": r"\psi", "ω": r"\omega", "Γ": r"\Gamma", "Δ": r"\Delta",
    "Θ": r"\Theta", "Λ": r"\Lambda", "Ξ": r"\Xi", "Π": r"\Pi", "Σ": r"\Sigma", "Φ": r"\Phi",
    "Ψ": r"\Psi", "Ω": r"\Omega",
}
_SYMBOLS = {
    "→": r"\to", "×": r"\times", "±": r"\pm", "∓": r"\mp", "≤": r"\leq", "≥": r"\geq",
    "·": r"\cdot", "∞": r"\infty", "≈": r"\approx", "∼": r"\sim", "ℓ": r"\ell", "ħ": r"\hbar",
    "−": "-", "′": "'", "″": "''", "√": r"\sqrt{}", "%": r"\%", "#": r"\#", "&": r"\&",
}
_SUPER = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ", "0123456789+-=()n", strict=True))
_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎", "0123456789+-=()", strict=True))
_MACRON = "\u0304"
_MATH_TRIGGERS = set(_GREEK) | set(_SUPER) | set(_SUB) | {"_", "^", _MACRON} | (
    set(_SYMBOLS) - {"%", "#", "&"})


def _atom_end(word: str, i: int) -> int:
    """End of the subscript atom starting at ``i``: an alphanumeric/Greek run with primes, or a
    braced group."""
    if i < len(word) and word[i] == "{":
        depth = 0
        for j in range(i, len(word)):
            depth += {"{": 1, "}": -1}.get(word[j], 0)
            if depth == 0:
                return j + 1
        return len(word)
    j = i
    while j < len(word) and (word[j].isalnum() or word[j] in _GREEK or word[j] in "′'"
                             or word[j] == _MACRON):
        j += 1
    return max(j, min(i + 1, len(word)))


def _math_body(word: str) -> str:
    """One whitespace-free word in mathtext (without the dollars)."""
    out: list[str] = []
    i = 0
    while i < len(word):
        ch = word[i]
        if ch in "_^" and i + 1 < len(word):
            end = _atom_end(word, i + 1)
            inner = word[i + 1:end]
            if inner.startswith("{") and inner.endswith("}"):
                inner = inner[1:-1]
            out.append(f"{ch}{{{_math_body(inner)}}}")
            i = end
        elif ch in _SUPER or ch in _SUB:
            table, mark = (_SUPER, "^") if ch in _SUPER else (_SUB, "_")
            j = i
            while j < len(word) and word[j] in table:
                j += 1
            out.append(f"{mark}{{{''.join(table[c] for c in word[i:j])}}}")
            i = j
        elif ch == _MACRON and out:
            out[-1] = rf"\bar{{{out[-1]}}}"
            i += 1
        elif ch in _GREEK or ch in _SYMBOLS:
            command = _GREEK.get(ch) or _SYMBOLS[ch]
            # a control word swallows the letters after it: keep them apart
            apart = command[-1].isalpha() and i + 1 < len(word) and word[i + 1].isalpha()
            out.append(command + (" " if apart else ""))
            i += 1
        elif ch.isalpha():
            j = i
            while j < len(word) and word[j].isascii() and word[j].isalpha():
                j += 1
            j = max(j, i + 1)
            run = word[i:j]
            # a word (inv., vis, UL) upright; a symbol (e, g, M, Z) as the style sets it
            out.append(rf"\mathrm{{{run}}}" if len(run) > 1 else run)
            i = j
        else:
            out.append(ch)
            i += 1
    return "".join(out).replace(" }", "}").strip()


def mathtext(text: str) -> str:
    """Physics notation in matplotlib mathtext: each word holding Greek letters, primes,
    arrows, super- or subscripts becomes a ``$…$`` group; other words stay text, and parts
    already between dollars are kept as they are.

    >>> mathtext("M_Z′ [GeV]")
    "$M_{Z'}$ [GeV]"
    >>> mathtext("79.7 fb⁻¹")
    '79.7 $\\\\mathrm{fb}^{-1}$'
    >>> mathtext("L_μ−L_τ")
    '$L_{\\\\mu}-L_{\\\\tau}$'
    """
    parts = text.split("$")
    for k in range(0, len(parts), 2):  # outside the dollars: Unicode words to convert
        parts[k] = "".join(f"${_math_body(w)}$" if any(c in _MATH_TRIGGERS for c in w) else w
                           for w in re.split(r"(\s+)", parts[k]))
    return "$".join(parts)


# --------------------------------------------------------------------------- mathtext → HTML
_COMMANDS = {v.lstrip("\\"): k for k, v in _GREEK.items() if v.startswith("\\")}
_COMMANDS.update({"epsilon": "ϵ", "varepsilon": "ε", "to": "→", "rightarrow": "→",
                  "times": "×", "pm": "±", "mp": "∓", "leq": "≤", "geq": "≥", "cdot": "·",
                  "infty": "∞", "approx": "≈", "sim": "∼", "ell": "ℓ", "hbar": "ħ",
                  "prime": "′", "%": "%", "#": "#", "&": "&", ",": "\u2009", " ": " ",
                  ";": " ", "!": "", "gamma": "γ", "mu": "μ"})
_WRAPPERS = {"mathrm", "mathit", "mathbf", "mathsf", "text", "rm", "operatorname"}


def _html_math(s: str) -> str:
    out: list[str] = []
    i = 0

    def group(k: int) -> tuple[str, int]:
        """Parse one argument (a braced group, a command or a character) from ``k``."""
        if k >= len(s):
            return "", k
        if s[k] == "{":
            depth, j = 0, k
            while j < len(s):
                depth += {"{": 1, "}": -1}.get(s[j], 0)
                if depth == 0:
                    break
                j += 1
            return _html_math(s[k + 1:j]), j + 1
        if s[k] == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", s[k:])
            assert m is not None
            return _html_math(m.group(0)), k + len(m.group(0))
        return _html_math(s[k]), k + 1

    while i < len(s):
        ch = s[i]
        if ch == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", s[i:])
            assert m is not None
            name = m.group(1)
            i += len(m.group(0))
            if name in _WRAPPERS:
                arg, i = group(i)
                out.append(arg)
            elif name in ("bar", "overline"):
                arg, i = group(i)
                out.append(arg + _MACRON)
            elif name in _COMMANDS:
                out.append(_COMMANDS[name])
                if name.isalpha() and i < len(s) and s[i] == " ":
                    i += 1
            else:
                out.append(html.escape(name))
        elif ch in "^_":
            arg, i = group(i + 1)
            tag = "sup" if ch == "^" else "sub"
            out.append(f"<{tag}>{arg}</{tag}>")
        elif ch in "{}":
            i += 1
        elif ch == "'":
            out.append("′")
            i += 1
        elif ch == "-":
            out.append("−")
            i += 1
        elif ch == " ":
            i += 1  # spaces in math mode are not printed
        else:
            out.append(html.escape(ch))
            i += 1
    return "".join(out)


def html_text(text: str) -> str:
    """The same label as HTML (escaped; sub- and superscripts as tags).

    >>> html_text("M_Z′ [GeV]")
    'M<sub>Z′</sub> [GeV]'
    >>> html_text("$\\\\varepsilon^2\\\\alpha_D$")
    'ε<sup>2</sup>α<sub>D</sub>'
    """
    parts = mathtext(text).split("$")
    return "".join(_html_math(p) if k % 2 else html.escape(p) for k, p in enumerate(parts))
