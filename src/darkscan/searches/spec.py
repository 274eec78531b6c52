"""The declarative pieces a search is written with (DESIGN §4.1): samples, the signal grid,
channels, inference and interpretations, bundled in one frozen :class:`Search`.

Everything is validated when the declaration is built, so a typo in a method name, a variable
or a parameter fails when the search module is imported, not after the simulation.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from darkscan.errors import ParameterError
from darkscan.searches.result import COMBINED

if TYPE_CHECKING:
    from darkscan.reco.lists import ListDef
    from darkscan.searches.extraction import Extraction
    from darkscan.searches.factorised import FactorisedCuts, FactorisedID
    from darkscan.select.bdt import ContinuumBDT
    from darkscan.select.mva import MassBinnedMLP
    from darkscan.select.punzinet import PunziNet

#: A truth-level filter: (truth particles of a chunk) -> boolean mask per event. It runs before
#: the detector simulation, so that only events that can pass the selection are simulated; the
#: sample keeps its generated count, so its luminosity equivalent is unchanged.
#: It sees τ leptons of darkscan's own processes undecayed (they are decayed after it).
TruthFilter = Callable[[Any], np.ndarray]

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
#: channel names may carry particle names, as the papers write them (``K+_ee``, ``K*0_mumu``)
_CHANNEL = re.compile(r"^[A-Za-z][A-Za-z0-9_+*-]*$")


def _fail(where: str, what: str) -> ParameterError:
    return ParameterError(f"{where}: {what}")


@dataclass(frozen=True)
class SampleSpec:
    """A simulated sample: process, parameters and how many events to generate.

    ``id`` is stable and ASCII: random seeds and cache keys derive from it, never from the
    display ``label``, so renaming a label changes no event. ``filter_is_decay``: the truth
    filter selects the decay the search measures (e.g. A′ → μ⁺μ⁻ among all A′ decays), so
    efficiencies are per kept event and the limits are on σ × B of that decay."""

    id: str
    process: str
    n_events: int
    n_quick: int
    label: str
    params: Mapping[str, float] = field(default_factory=dict)
    truth_filter: TruthFilter | None = None
    filter_label: str = ""
    filter_is_decay: bool = False
    #: events per cached chunk: smaller for samples whose events are large (B B̄ events with
    #: many reconstructions hold ~40 kB each while a chunk is processed)
    chunk_size: int = 100_000
    #: detector parameters this sample is simulated with instead of the experiment's
    #: (importance sampling of a rare detector effect, e.g. ``ecl_force_deep_conversion``,
    #: whose probability then weights the events)
    detector: Mapping[str, float] = field(default_factory=dict)
    #: a weight per generated event from its truth (after the truth filter), multiplying the
    #: event weights: a correction to the generator's physics (e.g. the full matrix element
    #: over an approximation); ``weight_label`` says what it is and keys the cache
    truth_weight: TruthFilter | None = None
    weight_label: str = ""

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise _fail(f"sample {self.id!r}", "id must be lower-case ASCII (a-z, 0-9, _)")
        from darkscan.generate.registry import process_names

        if self.process not in process_names():
            raise _fail(f"sample {self.id!r}", f"unknown process {self.process!r}; known: "
                        + ", ".join(process_names()))
        if self.n_events <= 0 or self.n_quick <= 0 or self.chunk_size <= 0:
            raise _fail(f"sample {self.id!r}", "event counts and chunk_size must be positive")
        if self.truth_filter is not None and not self.filter_label:
            raise _fail(f"sample {self.id!r}", "a truth filter needs a filter_label saying "
                        "what it keeps")
        if self.truth_weight is not None and not self.weight_label:
            raise _fail(f"sample {self.id!r}", "a truth weight needs a weight_label saying "
                        "what it is")
        if self.filter_is_decay and self.truth_filter is None:
            raise _fail(f"sample {self.id!r}", "filter_is_decay needs a truth filter")
        from darkscan.detector.parameters import DetectorParameters

        if unknown := set(self.detector) - set(DetectorParameters.__dataclass_fields__):
            raise _fail(f"sample {self.id!r}", "unknown detector parameter(s) "
                        f"{', '.join(sorted(unknown))}")

    def n(self, quick: bool, scale: float = 1.0) -> int:
        return max(1000, int((self.n_quick if quick else self.n_events) * scale))


@dataclass(frozen=True)
class Axis:
    """A named axis of the signal grid: a model parameter (DESIGN §5), its values, a quick
    subset, and its label in physics notation (mathtext) for plots."""

    name: str
    values: tuple[float, ...]
    quick: tuple[float, ...]
    label: str
    unit: str = "GeV"

    def __post_init__(self) -> None:
        from darkscan.models.params import PARAMETERS, validate_param

        if self.name not in PARAMETERS:
            raise _fail(f"axis {self.name!r}", "not a model parameter; known: "
                        + ", ".join(PARAMETERS))
        if not self.values or not self.quick:
            raise _fail(f"axis {self.name!r}", "needs values and a quick subset")
        validate_param(self.name, np.asarray(self.values + self.quick))


@dataclass(frozen=True)
class LifetimeReweighting:
    """The signal simulated at a few proper decay lengths and reweighted to every value of the
    ``axis`` (a cτ axis, cm) with :func:`darkscan.interpret.lifetime.lifetime_weights`: a point
    takes the shortest generated cτ₀ at or above its own cτ₁ (the weights then stay below
    cτ₀/cτ₁; reweighting to a longer lifetime would lean on the sample's rare long decays; the
    longest generated one beyond them all), and its events the density ratio of the long-lived
    particle's proper decay length (``column``, an event-level truth variable of the ntuple)."""

    generated: tuple[float, ...]
    axis: str = "ctau"
    column: str = "mc_llp_proper_length"

    def __post_init__(self) -> None:
        if not self.generated or any(not c > 0 for c in self.generated):
            raise _fail("lifetime reweighting", f"generated cτ values must be > 0 cm, got "
                        f"{self.generated}")

    def source(self, point: Mapping[str, float]) -> dict[str, float]:
        """The generated point whose events serve ``point``."""
        c = float(point[self.axis])
        above = [g for g in sorted(self.generated) if g >= c * (1.0 - 1e-9)]
        return {**point, self.axis: float(above[0] if above else max(self.generated))}


@dataclass(frozen=True)
class SignalGrid:
    """Signal points: the product of the axes' values where ``allowed`` holds (e.g. M_h′ <
    M_A′), each a sample of ``sample`` with the axis values as parameters.

    ``by_channel``: channel name → the signal sample of that channel, where channels see
    different signal processes (the e and μ channels of τ → ℓα: τ → eα and τ → μα); a channel
    not named there uses ``sample`` (which may then be None: every channel has its own)."""

    sample: SampleSpec | None
    axes: tuple[Axis, ...]
    allowed: Callable[[Mapping[str, float]], bool] | None = None
    allowed_label: str = ""
    by_channel: Mapping[str, SampleSpec] = field(default_factory=dict)
    #: (channel, point) → whether the channel's signal exists there (e.g. S → π⁺π⁻ only below
    #: the mass where the model's hadronic width ends); elsewhere the channel is blind (+inf)
    in_channel: Callable[[str, Mapping[str, float]], bool] | None = None
    in_channel_label: str = ""
    lifetime: LifetimeReweighting | None = None

    def __post_init__(self) -> None:
        names = [a.name for a in self.axes]
        if self.in_channel is not None and not self.in_channel_label:
            raise _fail("signal grid", "a channel-restricted grid needs in_channel_label")
        if self.lifetime is not None and self.lifetime.axis not in names:
            raise _fail("signal grid", f"lifetime reweighting along {self.lifetime.axis!r}, "
                        f"which is not an axis ({names})")
        if not names or len(set(names)) != len(names):
            raise _fail("signal grid", f"axes must be distinct and non-empty, got {names}")
        if self.allowed is not None and not self.allowed_label:
            raise _fail("signal grid", "a restricted grid needs allowed_label")
        if self.sample is None and not self.by_channel:
            raise _fail("signal grid", "needs a sample, or one per channel (by_channel)")
        if not self.points(quick=True):
            raise _fail("signal grid", "the quick grid has no allowed point")

    def points(self, quick: bool) -> list[dict[str, float]]:
        values = [a.quick if quick else a.values for a in self.axes]
        out = [dict(zip((a.name for a in self.axes), map(float, combo), strict=True))
               for combo in itertools.product(*values)]
        return [p for p in out if self.allowed is None or self.allowed(p)]

    def exists(self, channel: str, point: Mapping[str, float]) -> bool:
        """Whether ``channel`` has a signal at ``point`` (:attr:`in_channel`)."""
        return self.in_channel is None or bool(self.in_channel(channel, point))

    def source(self, point: Mapping[str, float]) -> dict[str, float]:
        """The simulated point whose events serve ``point`` (itself without reweighting)."""
        return dict(point) if self.lifetime is None else self.lifetime.source(point)

    def sample_for(self, channel: str) -> SampleSpec:
        """The signal sample of ``channel``."""
        spec = self.by_channel.get(channel, self.sample)
        if spec is None:
            raise _fail("signal grid", f"channel {channel!r} has no signal sample: give "
                        "sample or by_channel[{channel!r}]")
        return spec


@dataclass(frozen=True)
class BestCandidate:
    """basf2's rankByHighest/rankByLowest on a cut-language expression: one candidate per
    event is kept, so an event is counted once."""

    expression: str
    highest: bool = True


@dataclass(frozen=True)
class AllCandidates:
    """Every candidate of an event enters the extraction, as when an analysis fits all the
    pairings of identical particles (the four μ⁺μ⁻ pairings of a 4μ event): efficiencies and
    fitted yields then count candidates, not events. ``why`` says why the analysis does so (it
    is written to the run's summary)."""

    why: str
    expression: None = None  #: no ranking: the reconstruction keeps every candidate
    highest: bool = False

    def __post_init__(self) -> None:
        if not self.why.strip():
            raise _fail("AllCandidates", "say why every candidate is kept (why=...)")


@dataclass(frozen=True)
class Channel:
    """A reconstructed final state: decay string, best-candidate rule, selection (cut strings
    of the restricted language, all required), the extra ntuple columns it keeps, and the
    particle lists the decay string uses (basf2-style :class:`darkscan.reco.ListDef`: cuts,
    vertex and mass fits, e.g. ``S:mumu -> mu+:id mu-:id`` with a vertex fit).

    A search may have several: each reconstructs the shared background samples (and its own
    signal sample, :attr:`SignalGrid.by_channel`) with its own decay string and selection and
    gets its own limits; ``name`` is ASCII, as the paper writes it (``K+_ee``): it names rows of
    ``limits.csv``, and file names use a slug of it."""

    name: str
    decay: str
    best_candidate: BestCandidate | AllCandidates
    selection: tuple[str, ...]
    keep: tuple[str, ...] = ()
    lists: tuple[ListDef, ...] = ()
    #: an MVA step after the selection: networks or trees trained on independent samples
    mva: MassBinnedMLP | PunziNet | ContinuumBDT | None = None
    #: the backgrounds reconstructed without the ID requirements and weighted by their tracks'
    #: pass rates (:mod:`darkscan.searches.factorised`), where the simulation is too small to
    #: show the background after them; the signal keeps ``lists``
    background_id: FactorisedID | None = None
    #: cuts of ``selection`` whose efficiency on some backgrounds is measured in a looser region
    #: (:class:`darkscan.searches.factorised.FactorisedCuts`: continuum suppression on qq̄)
    factorised_cuts: FactorisedCuts | None = None

    def __post_init__(self) -> None:
        from darkscan.reco.lists import resolve

        resolve(self.decay, self.lists)  # parses every decay string, checks names and order
        if self.background_id is not None:
            resolve(self.decay, self.background_id.lists)
        mva = self.mva.columns if self.mva is not None else ()
        region = ()
        if self.factorised_cuts is not None:
            region = self.factorised_cuts.region
            if missing := set(self.factorised_cuts.cuts) - set(self.selection):
                raise ParameterError(f"channel {self.name}: factorised cuts "
                                     f"{', '.join(sorted(missing))} are not in its selection")
        for expr in (*self.selection, self.best_candidate.expression, *self.keep, *mva,
                     *region):
            if expr is not None:
                variable_names(expr)

    def columns(self, observables: tuple[str, ...], *, ranking: bool = True
                ) -> tuple[str, ...]:
        """Every variable the selection, ranking and extraction read, in first-use order
        (without ``ranking``: not the best-candidate rule's, for ntuples already ranked)."""
        names: list[str] = []
        mva = self.mva.columns if self.mva is not None else ()
        region = self.factorised_cuts.region if self.factorised_cuts is not None else ()
        for expr in (*observables, *self.keep, *mva, *self.selection, *region,
                     self.best_candidate.expression if ranking else None):
            if expr is not None:
                names += [n for n in variable_names(expr) if n not in names]
        return tuple(names)


def variable_names(expression: str) -> tuple[str, ...]:
    """The reco variables an expression reads; raises on an unknown variable or bad syntax."""
    from darkscan.detector.trigger import TRIGGER_BITS
    from darkscan.reco import variables as V
    from darkscan.select import Cut

    names = tuple(Cut.parse(expression).names)
    for n in names:
        if n not in TRIGGER_BITS:  # trigger bits pass through reconstruction as they are
            V.describe(n)
    return names


@dataclass(frozen=True)
class Inference:
    """How counts become limits: ``method`` of :func:`darkscan.stats.upper_limits` at ``cl``;
    ``cross_check``: another method whose limits are reported beside (e.g. CLs beside a
    published Bayesian result). ``combine``: a search with several channels also gives the
    limits of their combination (rows ``channel = combined``): one signal in independent
    channels, the product of their counting likelihoods
    (:func:`darkscan.stats.combined_upper_limits`: CLs, asymptotic or from toys, so ``method``
    must be "cls" or "toys"). The channels must not share events (disjoint selections)."""

    cl: float
    method: str = "cls"
    cross_check: str | None = None
    combine: bool = False

    def __post_init__(self) -> None:
        from darkscan.stats import METHODS

        for m in (self.method, self.cross_check or self.method):
            if m not in METHODS:
                raise _fail("inference", f"method must be one of {', '.join(METHODS)}, got "
                            f"{m!r}")
        if not 0.0 < self.cl < 1.0:
            raise _fail("inference", f"cl must lie in (0, 1), got {self.cl}")
        if self.combine and self.method not in ("cls", "toys"):
            raise _fail("inference", "the combination of channels is a CLs limit, asymptotic "
                        "or from toys (stats.combined_upper_limits): combine needs method "
                        f"'cls' or 'toys', got {self.method!r}")


#: what the first limit columns of ``limits.csv`` are on (DESIGN §5)
QUANTITIES = ("sigma", "br", "br_ratio")


@dataclass(frozen=True)
class Quantity:
    """What the search sets its limits on, naming the columns ``<name>_ul_obs``, … (DESIGN §5):
    ``sigma``, σ × B of the decay searched for in pb (the default); ``br``, a branching fraction
    (e.g. B(B → K(*)X) × B(X → …)); ``br_ratio``, a branching fraction over that of a SM decay the
    paper normalises to (B(τ → ℓα)/B(τ → ℓνν̄)).

    A limit is set on the signal sample's cross section, σ_UL = N_UL/(ε L); ``per_unit(channel,
    axes)`` gives, per signal point (axis values as arrays), the cross section in pb that one
    unit of the quantity puts into that channel's signal sample (e.g. 2 σ(e⁺e⁻ → τ⁺τ⁻) B(τ →
    3 prongs) B(τ → ℓνν̄) for the ratio), so the limit is σ_UL / per_unit; ``normalisation``
    says so in words (it is written to the run's summary)."""

    name: str = "sigma"
    per_unit: Callable[[str, Mapping[str, np.ndarray]], np.ndarray] | None = None
    normalisation: str = ""

    def __post_init__(self) -> None:
        if self.name not in QUANTITIES:
            raise _fail("quantity", f"name must be one of {', '.join(QUANTITIES)}, got "
                        f"{self.name!r}")
        if (self.name == "sigma") != (self.per_unit is None):
            raise _fail(f"quantity {self.name!r}", "a branching fraction needs per_unit (the "
                        "signal cross section per unit of it); sigma takes none")
        if self.per_unit is not None and not self.normalisation.strip():
            raise _fail(f"quantity {self.name!r}", "say what per_unit is (normalisation=...)")

    def scale(self, channel: str, axes: Mapping[str, np.ndarray]) -> np.ndarray:
        """σ (pb) per unit of the quantity in ``channel`` at each point (ones for ``sigma``)."""
        n = len(next(iter(axes.values())))
        if self.per_unit is None:
            return np.ones(n)
        out = np.broadcast_to(np.asarray(self.per_unit(channel, axes), float), (n,)).copy()
        if not np.all(np.isfinite(out) & (out > 0)):
            raise _fail(f"quantity {self.name!r}", f"per_unit must be positive and finite, got "
                        f"{out} in channel {channel!r}")
        return out


SIGMA = Quantity()


@dataclass(frozen=True)
class CouplingLifetime:
    """The coupling of an :class:`Interpretation` also sets the lifetime of a long-lived
    particle of the signal, cτ ∝ coupling^(−``ctau_power``) (the χ₂ of inelastic dark matter:
    every width ∝ ε²), so the efficiency changes with the coupling. ``column``: that particle's
    proper decay length per event (a truth variable of the ntuple); ``ctau``: its cτ (cm) at
    the simulated parameters. The limit is then the lowest coupling g of a log scan
    (``scan``: from/to times the reference, points) where (g/g_ref)^power · ε(cτ(g))/ε_ref
    reaches σ_UL/(σ_ref B), ε(cτ) the window's efficiency with the events reweighted to cτ
    (:func:`darkscan.interpret.lifetime.truncated_efficiency`, the shortest decays pooled) and
    counted up to ``max_ctaus`` simulated cτ of proper decay length: a lower bound of the
    efficiency, so a conservative limit (where the efficiency is a fit's yield, the yield
    scaled by the reweighted ±2σ core's ratio to its count at the simulated cτ). A combination
    of channels takes the channels' ε(cτ)/ε_ref weighted by their signal at the simulated
    cτ."""

    column: str
    ctau: Callable[[Mapping[str, float]], float]
    ctau_power: float = 2.0
    max_ctaus: float = 3.0
    scan: tuple[float, float, int] = (0.01, 100.0, 801)

    def __post_init__(self) -> None:
        if not self.ctau_power > 0 or not self.max_ctaus > 0:
            raise _fail("coupling lifetime", "ctau_power and max_ctaus must be positive")
        lo, hi, k = self.scan
        if not 0 < lo < 1 < hi or k < 3:
            raise _fail("coupling lifetime", f"scan must run from below to above the "
                        f"reference (0 < from < 1 < to, ≥ 3 points), got {self.scan}")

    def couplings(self, reference: float) -> np.ndarray:
        """The scanned couplings."""
        lo, hi, k = self.scan
        return reference * np.geomspace(lo, hi, int(k))


@dataclass(frozen=True)
class Interpretation:
    """σ × B limits read as limits on a coupling in one model.

    The signal is simulated at the grid sample's parameters, where the coupling (or the
    combination the cross section is proportional to, e.g. ε²·α_D) has the value
    ``reference(params)``; σ ∝ coupling^``power``, so the limit is
    ``reference · (σ_UL / (σ_ref · B))^(1/power)``
    (:func:`darkscan.interpret.coupling_upper_limit`).
    ``branching``: B(decay searched for) per signal point, from the axis values (arrays); or
    ``channel_branching``, (channel, axis values) → B, where the decay searched for differs
    between the channels (h′ → μ⁺μ⁻, π⁺π⁻, K⁺K⁻): one of the two. A combination's rows get a
    coupling only from ``branching`` (one B in every channel); with ``channel_branching`` they
    get NaN, the combined limit being on one σ × B shared by channels whose B differ.
    ``excluded_along``: an axis along which the model at its reference coupling is read as an
    excluded range (:func:`darkscan.interpret.excluded_axis_range`; columns
    ``<axis>_excluded_low|high_<model>``), for an axis the cross section does not depend on
    but the acceptance does (a lifetime set by another coupling); it compares the limit with
    the model at the simulated parameters, so the lifetime there is the simulated one.
    ``lifetime``: the coupling sets a lifetime too (:class:`CouplingLifetime`); the
    extraction must say which events it counts (:meth:`Extraction.counted`)."""

    model: str  #: column suffix, e.g. "vanilla"
    column: str  #: coupling name in the column, e.g. "gprime", "eps2_alphad"
    label: str  #: physics notation for plots, e.g. "$g'$", "$\\varepsilon^2\\alpha_D$"
    description: str
    reference: Callable[[Mapping[str, float]], float]
    power: float
    branching: Callable[[Mapping[str, np.ndarray]], np.ndarray] | None = None
    bands: Mapping[str, Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]] = field(
        default_factory=dict)
    channel_branching: Callable[[str, Mapping[str, np.ndarray]], np.ndarray] | None = None
    excluded_along: str = ""
    lifetime: CouplingLifetime | None = None

    def __post_init__(self) -> None:
        if not _ID.match(self.model) or not _ID.match(self.column):
            raise _fail(f"interpretation {self.model!r}", "model and column must be ASCII ids")
        if self.power <= 0:
            raise _fail(f"interpretation {self.model!r}", "power must be positive")
        if (self.branching is None) == (self.channel_branching is None):
            raise _fail(f"interpretation {self.model!r}", "give branching (one B for every "
                        "channel) or channel_branching (B per channel), exactly one")

    def branching_in(self, channel: str, axes: Mapping[str, np.ndarray]) -> np.ndarray:
        """B(decay searched for) in ``channel`` at each point (``axes``: the axis values as
        arrays); NaN for the combination where B is per channel."""
        n = len(next(iter(axes.values())))
        if self.channel_branching is not None:
            if channel == COMBINED:
                return np.full(n, np.nan)
            out = self.channel_branching(channel, axes)
        else:
            assert self.branching is not None
            out = self.branching(axes)
        return np.broadcast_to(np.asarray(out, float), (n,)).copy()


@dataclass(frozen=True)
class Published:
    """A published limit to compare with (and overlay): along one axis, with provenance."""

    quantity: str  #: the search's :class:`Quantity` name ("sigma") or "<column>_ul_<model>"
    axis: str
    x: tuple[float, ...]
    y: tuple[float, ...]
    label: str


@dataclass(frozen=True)
class Search:
    """One search, declared: what is simulated, how it is selected, how the signal is
    extracted, how limits are set and interpreted. :func:`darkscan.run_search` runs it."""

    name: str
    title: str
    references: tuple[str, ...]
    signal: SignalGrid
    backgrounds: tuple[SampleSpec, ...]
    channels: tuple[Channel, ...]
    extraction: Extraction
    inference: Inference
    default_lumi: str
    quantity_label: str  #: what the σ limit is on, physics notation
    interpretations: tuple[Interpretation, ...] = ()
    published: tuple[Published, ...] = ()
    summary: str = ""
    quantity: Quantity = SIGMA
    #: which of the search's selections this is (``SELECTIONS`` of its module), if it has several
    variant: str = ""
    #: keep the truth of what the detector lost (``mc_lost_*``) and map where the selected
    #: background's lost particles went (a search whose background is what escapes detection)
    lost_particle_map: bool = False

    def __post_init__(self) -> None:
        from darkscan.physics import parse_luminosity
        from darkscan.searches.extraction import Extraction

        where = f"search {self.name!r}"
        if not re.match(r"^[a-z][a-z0-9-]*$", self.name):
            raise _fail(where, "name must be lower-case with dashes")
        if not isinstance(self.extraction, Extraction):
            raise _fail(where, f"extraction must be an Extraction, got {self.extraction!r}")
        self._check_channels(where)
        ids = [s.id for s in (*self.signal_samples, *self.backgrounds)]
        if len(set(ids)) != len(ids):
            raise _fail(where, f"sample ids must be unique, got {ids}")
        self.extraction.check(self)
        parse_luminosity(self.default_lumi)
        axes = {a.name for a in self.signal.axes}
        quantities = {self.quantity.name} | {f"{i.column}_ul_{i.model}"
                                             for i in self.interpretations}
        for i in self.interpretations:
            if i.lifetime is not None and type(self.extraction).counted is Extraction.counted:
                raise _fail(where, f"interpretation {i.model!r}: a coupling-dependent lifetime "
                            f"needs an extraction that says which events it counts; "
                            f"{type(self.extraction).__name__} does not")
            if i.excluded_along and i.excluded_along not in axes:
                raise _fail(where, f"interpretation {i.model!r}: excluded_along "
                            f"{i.excluded_along!r} is not an axis ({sorted(axes)})")
        for p in self.published:
            if p.axis not in axes or p.quantity not in quantities or len(p.x) != len(p.y):
                raise _fail(where, f"published limit {p.label!r}: axis must be one of {axes}, "
                            f"quantity one of {quantities}, x and y of equal length")

    def _check_channels(self, where: str) -> None:
        names = [c.name for c in self.channels]
        if not names or len(set(names)) != len(names):
            raise _fail(where, f"channels must be distinct and non-empty, got {names}")
        for name in names:
            if not _CHANNEL.match(name) or name == COMBINED:
                raise _fail(where, f"channel name {name!r} must be ASCII (letters, digits, "
                            f"_ + * -, starting with a letter), not {COMBINED!r}")
            self.signal.sample_for(name)
        if unknown := sorted(set(self.signal.by_channel) - set(names)):
            raise _fail(where, f"signal by_channel names unknown channels {unknown}; channels: "
                        + ", ".join(names))
        # (in_channel is fine: the step trains on the points a channel simulates)
        if self.signal.lifetime is not None and any(c.mva is not None for c in self.channels):
            raise _fail(where, "an MVA step trains on every signal point's own sample: it "
                        "cannot be combined with lifetime reweighting")
        if self.inference.combine and len(names) < 2:
            raise _fail(where, "inference combine=True needs several channels")

    @property
    def signal_samples(self) -> tuple[SampleSpec, ...]:
        """The distinct signal samples of the channels, in channel order."""
        specs = {id(s): s for s in (self.signal.sample_for(c.name) for c in self.channels)}
        return tuple(specs.values())

    @property
    def axes(self) -> tuple[Axis, ...]:
        return self.signal.axes

    @property
    def cl(self) -> float:
        return self.inference.cl
