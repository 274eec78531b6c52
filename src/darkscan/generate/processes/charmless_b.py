"""Generic B decays split by charm, for MC statistics where rare decays make the background.

A B decay without a charm quark among its products (Pythia's b → u and b → s, d channels:
charmless hadronic, radiative b → sγ, partonic b → s g; leptonic and semileptonic channels
excluded) happens in ~1.5% of B decays; a search whose background is such decays (B → K*γ,
B → K η′, B → K π⁰ π⁰ under B → K a, a → γγ) sees a handful of simulated events in a generic
Υ(4S) → B B̄ sample of tractable size. Pythia's channels are therefore split in two classes,
*charmless* (the above) and *charm* (every other channel, b → u ℓν included):

- ``charmless``: the first B (the particle) decays through a charmless channel, the second (the
  antiparticle) through a charm channel: σ = σ(Υ(4S)) · 2 f (1 − f) (either B may be the
  charmless one);
- ``charm``: both B through charm channels: σ = σ(Υ(4S)) · (1 − f)².

f is the charmless share of Pythia's own table (its branching ratios as Pythia normalises them),
per B⁺ and B⁰, weighted with B(Υ(4S) → B⁺B⁻), after one correction: Pythia 8.317's table gives
b → sγ 5.2·10⁻⁴ (its partonic b → s γ channels 4.9·10⁻⁴, K*γ 3.2·10⁻⁵), 1.5× the measured
B(B → X_s γ); the split samples scale the partonic channels to the measured rate
(:func:`radiative_scale`); the generic sample keeps Pythia's table. The two samples add up to
the generic sample but for the f² ≈ 2·10⁻⁴ of pairs in which both B decay without charm, which
neither simulates. Pythia's partonic b → sγ spectrum is its own: ~19% of the photons below
1.6 GeV in the B frame and ~30% of the decays B → Kγ, which angular momentum forbids (the
string of a light s q̄ collapsing to one kaon): ``darkscan validate``'s
``upsilon4s_charmless_b_to_xs_gamma`` reports both.
B⁰–B̄⁰ mixing is switched off in both (it would move a forced B⁰ into the other class; nothing
these samples serve reads the B flavour).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from darkscan.generate.pythia_bridge import decay_table_pythia

#: the B mesons whose channels are split (B⁺, B⁰; their antiparticles by conjugation)
B_IDS = (521, 511)
#: charged leptons and neutrinos: a channel with one is (semi)leptonic
LEPTONS = frozenset({11, 12, 13, 14, 15, 16})
#: the classes of :func:`split_settings`
B_DECAY_CLASSES = ("generic", "charmless", "charm")
#: B(B → X_s γ), E_γ > 1.6 GeV: PDG RPP 2024 (HFLAV average), (3.49 ± 0.19)·10⁻⁴ [RECALLED]
BF_B_TO_XS_GAMMA = 3.49e-4


def has_charm(pdg: int) -> bool:
    """Whether a PDG id holds a charm quark: the c quark itself, or a hadron or diquark with a 4
    among its quark digits (charmonium included)."""
    a = abs(pdg)
    return a == 4 or (a > 10 and "4" in str((a % 10_000) // 10))


def _products(channel: Any) -> tuple[int, ...]:  # a pythia8mc DecayChannel
    return tuple(channel.product(j) for j in range(channel.multiplicity()))


def is_charmless(products: tuple[int, ...]) -> bool:
    """A charmless hadronic or radiative channel: no charm, no lepton."""
    return not any(has_charm(p) or abs(p) in LEPTONS for p in products)


@cache
def _pythia_table(pid: int) -> tuple[tuple[tuple[int, ...], float], ...]:
    pythia = decay_table_pythia()
    entry = pythia.particleData.particleDataEntryPtr(pid)
    return tuple((_products(entry.channel(i)), float(entry.channel(i).bRatio()))
                 for i in range(entry.sizeChannels()))


def _partonic_radiative(products: tuple[int, ...]) -> bool:
    return 22 in products and any(abs(p) < 10 for p in products)


@cache
def radiative_scale(pid: int) -> float:
    """The factor on Pythia's partonic b → sγ channels that makes the radiative share of its
    table (partonic + exclusive, K*γ among them) :data:`BF_B_TO_XS_GAMMA`: Pythia 8.317 has
    5.2·10⁻⁴ (the partonic channels alone 4.9·10⁻⁴), 1.5× the measured rate."""
    table = _pythia_table(pid)
    total = sum(b for _, b in table)
    partonic = sum(b for p, b in table if _partonic_radiative(p))
    exclusive = sum(b for p, b in table
                    if 22 in p and is_charmless(p) and not _partonic_radiative(p))
    wanted = (BF_B_TO_XS_GAMMA * (total - partonic) - exclusive) / (1.0 - BF_B_TO_XS_GAMMA)
    return wanted / partonic


@cache
def _table(pid: int) -> tuple[tuple[tuple[int, ...], float], ...]:
    """Pythia's channels of ``pid`` with the b → sγ rate of :func:`radiative_scale`."""
    k = radiative_scale(pid)
    return tuple((p, b * k if _partonic_radiative(p) else b) for p, b in _pythia_table(pid))


def radiative_fraction(pid: int) -> float:
    """B(B → X_s γ) of the table the split samples decay with (partonic and exclusive)."""
    table = _table(pid)
    return sum(b for p, b in table if 22 in p and is_charmless(p)) / sum(b for _, b in table)


@cache
def charmless_fraction(pid: int) -> float:
    """f: the share of ``pid``'s decays (Pythia's table, normalised as Pythia does) through
    charmless hadronic and radiative channels."""
    table = _table(pid)
    return sum(b for p, b in table if is_charmless(p)) / sum(b for _, b in table)


def charmless_channels(pid: int) -> tuple[tuple[int, ...], ...]:
    """The distinct product lists of ``pid``'s charmless channels (Pythia matches channels by
    products, so channels that share them share the class)."""
    return tuple(sorted({p for p, _ in _table(pid) if is_charmless(p)}))


def split_settings(b_decays: str) -> list[str]:
    """Pythia settings for a class of :data:`B_DECAY_CLASSES`: ``charmless`` lets the particle
    (B⁺, B⁰) decay through charmless channels only and its antiparticle through charm channels
    only; ``charm`` switches the charmless channels off for both."""
    if b_decays not in B_DECAY_CLASSES:
        raise ValueError(f"b_decays must be one of {', '.join(B_DECAY_CLASSES)}")
    if b_decays == "generic":
        return []
    out = ["ParticleDecays:mixB = off"]
    for pid in B_IDS:
        out += [f"{pid}:{i}:bRatio = {b * radiative_scale(pid):.8g}"
                for i, (p, b) in enumerate(_pythia_table(pid)) if _partonic_radiative(p)]
        channels = [" ".join(map(str, p)) for p in charmless_channels(pid)]
        if b_decays == "charmless":
            # every channel for the antiparticle only (3), then the charmless ones for the
            # particle only (Pythia sets them to 2: off for the antiparticle)
            out += [f"{pid}:onMode = 3", *(f"{pid}:onPosIfMatch = {c}" for c in channels)]
        else:
            out += [f"{pid}:onMode = 1", *(f"{pid}:offIfMatch = {c}" for c in channels)]
    return out


def sigma_fraction(b_decays: str, charged_fraction: float) -> float:
    """The class's share of σ(Υ(4S) → B B̄): 2f(1 − f) (charmless), (1 − f)² (charm), 1
    (generic), f per B flavour weighted with B(Υ(4S) → B⁺B⁻) = ``charged_fraction``."""
    if b_decays == "generic":
        return 1.0
    out = 0.0
    for pid, share in zip(B_IDS, (charged_fraction, 1.0 - charged_fraction), strict=True):
        f = charmless_fraction(pid)
        out += share * (2.0 * f * (1.0 - f) if b_decays == "charmless" else (1.0 - f) ** 2)
    return out
