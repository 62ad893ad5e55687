"""A lecture's claim as data: what is claimed, how it is measured, what would confirm it.

A `Claim` is frozen and validated on construction; `tests/unit/test_claims_schema.py` checks every
registered claim. The runner (benchmarks/) resolves one arm's config as

    base_config  <-  profile budget overrides  <-  arm overrides

and an unknown key at any level is an error, so a typo never silently runs the default.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

PROFILES = ("smoke", "quick", "full")
DEFAULT_SEEDS = {"smoke": 2, "quick": 5, "full": 10}  # a profile's seeds, where its Budget names none
# the fields that hold a claim's words, not what it computes or how it is judged: outside its definition hash
PROSE_FIELDS = frozenset({"statement", "lecture", "description", "note", "size_source"})
# how definition hashes are made: 1 hashed the words too (stores written before issue 30 carry it); 2 leaves the
# words out (PROSE_FIELDS) and takes in the sub-claim's multiplicity family, which its Holm correction depends on
DEFINITION_SCHEME = 2
HASHED_WHEN_SET = "hashed_when_set"  # a dataclass field's metadata: left out of definition hashes at its default
COMPARISONS = ("greater", "less", "within", "outside")
SCALES = ("linear", "log10")
TESTS = ("t", "binomial")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9.]+)*$")


class ClaimDefinitionError(ValueError):
    """A claim, arm, expectation or budget is malformed."""


SIZE_KINDS = ("lecture", "paper", "ours")


@dataclasses.dataclass(frozen=True)
class SizeSource:
    """Where a sub-claim's number (its margin, bound, tolerance or target) comes from (issue 32, DESIGN.md "Fair
    tests"): 'lecture', the lecture's words (quoted, with the seed file they are in); 'paper', a cited paper's
    *matched* comparison (the citation and the rows compared, which differ only in the claimed factor); 'ours', the
    project's own choice, with its reason (a non-inferiority or equivalence margin, a size the source never gives).
    Words only: outside the definition hash, like a statement (PROSE_FIELDS)."""

    kind: str
    text: str
    seed: str = ""  # 'lecture': the seed file(s) the words are in, e.g. "000" or "000, 003"

    def __post_init__(self):
        if self.kind not in SIZE_KINDS:
            raise ClaimDefinitionError(f"a size's source is one of {SIZE_KINDS}, not {self.kind!r}")
        if not self.text.strip():
            raise ClaimDefinitionError(f"a size from {self.kind!r} needs its words: the quote, the rows compared or the "
                                       "reason")
        if self.kind == "lecture" and not self.seed.strip():
            raise ClaimDefinitionError("a size from the lecture names the seed file its words are in")

    def describe(self) -> str:
        """One line for the report: "lecture (000): '… e.g. 6x …'", "paper: …", "ours: …"."""
        where = f" ({self.seed})" if self.seed else ""
        return f"{self.kind}{where}: {self.text}"


def _frozen(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclasses.dataclass(frozen=True)
class Arm:
    """One condition of an experiment: a small override of the claim's base config.

    With a claim's `Tuning`, `tuned=True` gives the arm its own best value of the tuned parameter on the
    claim's grid; `follows=(other_arm, factor)` gives it another arm's tuned value times a factor
    (e.g. batch norm at 5x the plain net's best learning rate).
    """

    name: str
    overrides: Mapping[str, Any]
    description: str = ""
    tuned: bool = False
    follows: tuple[str, float] | None = None

    def __post_init__(self):
        if not _ID.match(self.name):
            raise ClaimDefinitionError(f"arm name {self.name!r} must be lower-case words joined by '-'")
        if self.tuned and self.follows:
            raise ClaimDefinitionError(f"arm {self.name}: tuned on the grid or following another arm, not both")
        object.__setattr__(self, "overrides", _frozen(self.overrides))


@dataclasses.dataclass(frozen=True)
class Tuning:
    """Fair tuning: every tuned arm gets the same grid for `param` and is judged at its own best value.

    The best value minimises (direction 'less') or maximises ('greater') the median of `metric` over
    the profile's tuning seeds, which are separate from the seeds the verdict is judged on. Values whose
    median is within `tie_margin` of the best one's (in `metric`'s units; 0: exact ties only) are tied
    with it, and a tie goes to the better median `tiebreak` ('greater' or 'less' by
    `tiebreak_direction`: e.g. the higher final accuracy of runs that never reached a target, or the
    lower early loss among rates that end level); a tie there too goes to the better `metric`.
    A margin makes the choice stable where neighbouring values differ by less than the tuning seeds' noise.
    A best value on the grid's edge is flagged in the report. With `extend_edges=k` such a value extends the
    arm's grid instead, up to k times, by the next value past that edge, continuing the grid's pattern
    (`beyond`), run on the same tuning seeds before
    the choice is final: the rule is fixed with the claim, before its runs. With `relative=True` the grid multiplies
    each tuned arm's own value of `param` (its centre, e.g. 1e-3 for Adam and 0.02 for SGD): the same
    grid, in shape and size, around each arm's customary value.
    """

    param: str
    grid: tuple[float, ...]
    metric: str
    direction: str = "less"
    tiebreak: str | None = None
    relative: bool = False
    tie_margin: float = 0.0
    tiebreak_direction: str = "greater"
    # in a definition's hash only when set, so that claims which do not extend keep the hashes they had
    extend_edges: int = dataclasses.field(default=0, metadata={HASHED_WHEN_SET: True})

    def __post_init__(self):
        object.__setattr__(self, "grid", tuple(float(v) for v in self.grid))
        if not isinstance(self.extend_edges, int) or isinstance(self.extend_edges, bool) or self.extend_edges < 0:
            raise ClaimDefinitionError(f"tuning extend_edges {self.extend_edges!r} must be a whole number, 0 or more")
        if len(self.grid) < 3 or list(self.grid) != sorted(set(self.grid)):
            raise ClaimDefinitionError(f"tuning grid {self.grid} must hold at least 3 increasing values")
        for name in ("direction", "tiebreak_direction"):
            if getattr(self, name) not in ("less", "greater"):
                raise ClaimDefinitionError(f"tuning {name} {getattr(self, name)!r} must be 'less' or 'greater'")
        if not self.tie_margin >= 0:
            raise ClaimDefinitionError(f"tuning tie_margin {self.tie_margin!r} must be 0 or more")
        if self.tie_margin and not self.tiebreak:
            raise ClaimDefinitionError("a tuning tie_margin needs a tiebreak metric to break the ties it makes")


    def beyond(self, grid: Sequence[float], side: str) -> float:
        """The next value past one edge ('low' or 'high') of a sorted grid, continuing its pattern: with a, b, c
        the three values at that edge (c on it), b times c/a where the grid is positive, b + (c − a) where it is
        not. A geometric grid takes one more step (0.01, 0.02, 0.04 → 0.08; low: 0.005), a 1-3-10 grid keeps its
        pattern (1e-4, 3e-4, 1e-3 → 3e-3; low: 3e-5). Rounded to 12 significant digits, so that the value read
        back from a run's tag is the value computed here."""
        a, b, c = (grid[-3], grid[-2], grid[-1]) if side == "high" else (grid[2], grid[1], grid[0])
        value = b * (c / a) if min(grid) > 0 else b + (c - a)
        return float(f"{value:.12g}")


@dataclasses.dataclass(frozen=True)
class Expectation:
    """One falsifiable sub-claim, judged over seeds.

    The per-seed *effect* is `metric` of `arm` or, when `baseline` is set, the paired difference
    `metric(arm) - metric(baseline)` on the same seed (after `scale`: 'log10' compares ratios).
    The claim is that the effect is

    - 'greater' than `margin` (the direction alone holds when it only clears `null`, the no-effect value),
    - 'less' than `margin` (mirrored),
    - 'within' `margin` of `target` (equivalence, two one-sided tests),
    - 'outside' `margin` of `target` (the inverse of 'within').

    How it is judged (benchmarks/judge.py), at level `alpha` with the matching (1 − 2·alpha) interval:
    - `test='t'`: Student's t on the per-seed effects;
    - `test='binomial'`: the metric is a 0/1 outcome: an exact binomial test and a Clopper–Pearson
      interval on one arm's rate, or an exact McNemar test on the discordant pairs of two arms;
    - `censored_by`: a 0/1 metric flagging a value that is only a lower bound (a run that never reached
      its target counts the step budget): each pair's effect is then a bound, and an exact signed-rank test
      decides with every pair at its end least favourable to the claim (benchmarks/judge.py);
    - `exact=True`: the quantity is computed, not sampled (a count, a formula, a measured receptive field):
      it holds when every seed's value satisfies the comparison, and is reported apart from the statistics.
    Direction is declared, never guessed.
    """

    id: str
    statement: str
    metric: str
    arm: str
    comparison: str
    margin: float
    baseline: str | None = None
    null: float | None = None
    target: float = 0.0
    scale: str = "linear"
    test: str = "t"
    alpha: float = 0.05
    lecture: str = ""  # what the lecture says or shows for this sub-claim, in its own numbers
    exact: bool = False
    censored_by: str | None = None
    size_source: SizeSource | None = None  # where the number comes from (has_size): lecture, paper or ours

    def __post_init__(self):
        if self.size_source is not None and not isinstance(self.size_source, SizeSource):
            raise ClaimDefinitionError(f"{self.id}: size_source must be a SizeSource (expect.from_lecture, from_paper, "
                                       "ours)")
        if not _ID.match(self.id):
            raise ClaimDefinitionError(f"expectation id {self.id!r} must be lower-case words joined by '-'")
        for field, value, allowed in (
            ("comparison", self.comparison, COMPARISONS),
            ("scale", self.scale, SCALES),
            ("test", self.test, TESTS),
        ):
            if value not in allowed:
                raise ClaimDefinitionError(f"{self.id}: {field} {value!r} is not one of {allowed}")
        if not 0 < self.alpha < 0.5:
            raise ClaimDefinitionError(f"{self.id}: alpha {self.alpha} must be in (0, 0.5)")
        if not math.isfinite(self.margin):
            raise ClaimDefinitionError(f"{self.id}: margin must be finite")
        if self.comparison in ("within", "outside") and self.margin <= 0:
            raise ClaimDefinitionError(f"{self.id}: a tolerance (margin) must be > 0")
        if self.null is not None and self.comparison in ("greater", "less"):
            wrong = self.null > self.margin if self.comparison == "greater" else self.null < self.margin
            if wrong:
                raise ClaimDefinitionError(
                    f"{self.id}: the no-effect value {self.null} lies beyond the claimed margin {self.margin}"
                )
        if self.baseline is not None and self.baseline == self.arm:
            raise ClaimDefinitionError(f"{self.id}: an arm cannot be its own baseline")
        if self.exact and (self.censored_by or self.test != "t"):
            raise ClaimDefinitionError(f"{self.id}: an exact quantity has no test and no censoring")
        if (self.censored_by or self.test == "binomial") and self.comparison not in ("greater", "less"):
            raise ClaimDefinitionError(f"{self.id}: a censored or binary outcome is judged 'greater' or 'less'")
        if self.test == "binomial" and (self.censored_by or self.scale != "linear"):
            raise ClaimDefinitionError(f"{self.id}: a binary outcome is a 0/1 value, on a linear scale, never censored")
        if self.test == "binomial" and self.baseline is None and not 0 <= self.effective_null <= self.margin <= 1 \
                and not 0 <= self.margin <= self.effective_null <= 1:
            raise ClaimDefinitionError(f"{self.id}: a rate's margin and no-effect value lie in [0, 1]")
        if self.test == "binomial" and self.baseline is not None and (self.margin != 0 or self.effective_null != 0):
            raise ClaimDefinitionError(f"{self.id}: two arms' binary outcomes are compared by McNemar's test, "
                                       "which decides the direction only: margin and no-effect value 0")

    @property
    def has_size(self) -> bool:
        """Whether the sub-claim states a number that needs a source: a tolerance (and its target), a bound on one
        arm's value, a margin between two arms other than 0 (a non-inferiority margin included), a computed fact's
        bound. A bare direction (two arms, margin 0) has none."""
        return self.comparison in ("within", "outside") or self.margin != 0

    @property
    def effective_null(self) -> float:
        """The no-effect value: the declared null; else 0 for a paired comparison (or the margin, when 0
        lies beyond it, as in a non-inferiority claim); else the margin (no direction-only band)."""
        if self.null is not None:
            return self.null
        if self.baseline is not None and self.comparison == "greater":
            return min(0.0, self.margin)
        if self.baseline is not None and self.comparison == "less":
            return max(0.0, self.margin)
        return self.margin

    @property
    def has_placebo(self) -> bool:
        """Whether an A/A comparison (the baseline against itself on independent seeds, a true effect of 0)
        can falsely confirm this sub-claim: a paired, sampled claim that a zero effect contradicts, i.e. a
        claimed difference (not a non-inferiority or equivalence claim, which a zero effect satisfies)."""
        if self.baseline is None or self.exact:
            return False
        if self.comparison == "greater":
            return self.margin > 0 and self.effective_null >= 0
        if self.comparison == "less":
            return self.margin < 0 and self.effective_null <= 0
        return self.comparison == "outside" and abs(self.target) < self.margin

    def inverted(self) -> Expectation:
        """The complement of the claim, for the judge's unit-level consistency checks (never a control:
        on the same runs it cannot fail independently of the claim; placebos are the controls).

        'effect > m' becomes 'effect < m' (and vice versa) with no direction-only band; 'within' becomes 'outside'.
        """
        opposite = {"greater": "less", "less": "greater", "within": "outside", "outside": "within"}[self.comparison]
        null = self.null if self.comparison in ("within", "outside") else self.margin
        return dataclasses.replace(self, id=f"{self.id}-inverted", comparison=opposite, null=null,
                                   statement=f"NOT: {self.statement}")

    @property
    def arms(self) -> tuple[str, ...]:
        return (self.arm,) if self.baseline is None else (self.arm, self.baseline)


@dataclasses.dataclass(frozen=True)
class Budget:
    """What one profile spends: number of seeds (default: DEFAULT_SEEDS of the profile) and config overrides
    (sizes, epochs)."""

    seeds: int | None = None
    overrides: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    note: str = ""
    tuning_seeds: int = 1  # seeds per grid point when the claim tunes (separate from `seeds`)
    # with `"dataset": "auto"` in the config, the dataset found on this machine (see
    # common.data.resolve_dataset) and these overrides for it, e.g. {"cifar10": {"target": 0.75}}
    dataset_overrides: Mapping[str, Mapping[str, Any]] = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        if (self.seeds is not None and self.seeds < 1) or self.tuning_seeds < 1:
            raise ClaimDefinitionError("a budget needs at least one seed (and one tuning seed)")
        object.__setattr__(self, "overrides", _frozen(self.overrides))
        object.__setattr__(self, "dataset_overrides",
                           _frozen({name: _frozen(o) for name, o in self.dataset_overrides.items()}))


@dataclasses.dataclass(frozen=True)
class PlotSpec:
    """A plot the report draws from stored runs.

    kind 'series': the metric's history (x = its step) per arm, mean with a min–max band over seeds,
    `reference` (arm -> values at steps 1..n) overlaid as the lecture's numbers.
    kind 'bar': a scalar metric per arm, mean with its confidence interval; `reference` (label -> value)
    drawn as horizontal lines.
    kind 'images': the metric is a series whose step i (from 0) is pixel i of images of `image_shape`
    (H, W), concatenated and flattened row-major (e.g. first-layer filters); the first seed of each arm
    is drawn as a row of tiles, each scaled to its own range.
    kind 'scatter': a search's trials as points. Step i of the series `x_metric` (and `y_metric`, if
    given) is trial i's hyperparameter value(s); step i of `metric` is its score. Without `y_metric` the
    score is the y axis (all seeds of an arm in its colour); with it, each arm gets a panel of the
    (x, y) points coloured by score. `best` ('greater' or 'less') marks each seed's best trial with a
    star; `reference` (label -> x value) is drawn as vertical lines (e.g. the edge of a search range).
    """

    name: str
    kind: str
    metric: str
    title: str
    xlabel: str = ""
    ylabel: str = ""
    log_y: bool = False
    reference: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    reference_label: str = "lecture"
    line_param: str | None = None  # a config key whose value (read from the runs) is drawn as a horizontal line
    image_shape: tuple[int, int] | None = None  # kind 'images': the (height, width) of each image
    x_metric: str | None = None  # kind 'scatter': the series of each trial's x value
    y_metric: str | None = None  # kind 'scatter': the series of each trial's y value (else the score is y)
    log_x: bool = False
    best: str | None = None  # kind 'scatter': 'greater' or 'less' marks each seed's best score

    def __post_init__(self):
        if self.kind not in ("series", "bar", "images", "scatter"):
            raise ClaimDefinitionError(f"plot {self.name!r}: kind must be 'series', 'bar', 'images' or 'scatter'")
        if (self.kind == "scatter") != (self.x_metric is not None):
            raise ClaimDefinitionError(f"plot {self.name!r}: a 'scatter' plot, and only one, needs x_metric")
        if self.kind != "scatter" and (self.y_metric is not None or self.best is not None or self.log_x):
            raise ClaimDefinitionError(f"plot {self.name!r}: y_metric, best and log_x are for 'scatter' plots")
        if self.best not in (None, "greater", "less"):
            raise ClaimDefinitionError(f"plot {self.name!r}: best must be 'greater' or 'less'")
        if (self.kind == "images") != (self.image_shape is not None):
            raise ClaimDefinitionError(f"plot {self.name!r}: an 'images' plot, and only one, needs image_shape (H, W)")
        if self.image_shape is not None:
            shape = tuple(int(n) for n in self.image_shape)
            if len(shape) != 2 or min(shape) < 1:
                raise ClaimDefinitionError(f"plot {self.name!r}: image_shape {self.image_shape} must be (H, W)")
            object.__setattr__(self, "image_shape", shape)
        object.__setattr__(self, "reference", _frozen(self.reference))


@dataclasses.dataclass(frozen=True)
class ArmResult:
    """What one arm × seed produced: scalar metrics and step-indexed series (step -> value)."""

    scalars: Mapping[str, float]
    series: Mapping[str, Mapping[int, float]] = dataclasses.field(default_factory=dict)
    notes: str = ""


RunFunction = Callable[[Mapping[str, Any], int, "RunContext"], ArmResult]


@dataclasses.dataclass(frozen=True)
class RunContext:
    """What the suite hands an experiment besides its config and seed."""

    data_dir: str | None = None
    profile: str = "quick"
    step_cap: int | None = None  # at most this many training steps per run: full shapes, no verdict
    stage: str = "eval"  # 'tuning' (a choice is made on it), 'eval' or 'placebo' (a verdict is read on it)

    @property
    def validation_pool(self) -> str:
        """Where a run validates: tuning on a split of the training images, every other run on held-out
        images that no choice has seen (common.data.image_split)."""
        return "train" if self.stage.endswith("tuning") else "test"


@dataclasses.dataclass(frozen=True)
class Claim:
    id: str
    title: str  # one line, for `reprobench list` and the summary table
    statement: str  # the lecture's words
    source: str  # seed file(s) and slide
    base_config: Mapping[str, Any]
    arms: tuple[Arm, ...]
    expectations: tuple[Expectation, ...]
    budgets: Mapping[str, Budget]
    run: RunFunction
    plots: tuple[PlotSpec, ...] = ()
    lecture_number: str = ""  # the lecture's (or paper's) own headline number
    setup: str = ""  # how the experiment is done, for the report
    check: str = ""  # one line: how the quick profile checks it (README's claims table, `reprobench list --markdown`)
    tuning: Tuning | None = None
    summary_metrics: tuple[str, ...] = ()  # shown per arm in the report (mean, min–max over seeds)
    # the lecture's headline statement: the claim's verdict is its primary sub-claims' (the weakest of them);
    # the others are secondary findings, each with its own verdict
    primary: tuple[str, ...] = ()
    # secondary sub-claims judged as a multiplicity family of their own (name -> ids), apart from the other
    # secondaries: a group of findings added later (new arms) then leaves the earlier ones' Holm correction as it was
    families: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    # the regime the claim's mechanism needs, measured in its own runs (DESIGN.md "Fair tests"): precondition sub-claim
    # id -> the sub-claims it guards (empty: every sub-claim that is not a precondition). A precondition is judged like
    # any sub-claim (statistics at alpha, or exact), never Holm-corrected (every one must hold: an intersection); when
    # one is not established, the sub-claims it guards read NOT TESTABLE HERE, never NOT REPRODUCED. It is about the
    # regime (a target beyond the linear ceiling, nets converged, units died at some rate), never the claim's effect.
    preconditions: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "primary", tuple(self.primary))
        object.__setattr__(self, "families", _frozen({k: tuple(v) for k, v in self.families.items()}))
        object.__setattr__(self, "preconditions", _frozen({k: tuple(v) for k, v in self.preconditions.items()}))
        object.__setattr__(self, "base_config", _frozen(self.base_config))
        object.__setattr__(self, "budgets", _frozen({
            profile: dataclasses.replace(budget, seeds=DEFAULT_SEEDS.get(profile, 1))
            if isinstance(budget, Budget) and budget.seeds is None else budget
            for profile, budget in self.budgets.items()}))
        object.__setattr__(self, "arms", tuple(self.arms))
        object.__setattr__(self, "expectations", tuple(self.expectations))
        object.__setattr__(self, "plots", tuple(self.plots))
        object.__setattr__(self, "summary_metrics", tuple(self.summary_metrics))
        self.validate()

    def validate(self) -> None:
        if not _ID.match(self.id):
            raise ClaimDefinitionError(f"claim id {self.id!r} must be lower-case words joined by '-'")
        for text, name in ((self.title, "title"), (self.statement, "statement"), (self.source, "source")):
            if not text.strip():
                raise ClaimDefinitionError(f"{self.id}: {name} is empty")
        if "\n" in self.title or "\n" in self.check:
            raise ClaimDefinitionError(f"{self.id}: the title and the check are one line each")
        if not self.arms:
            raise ClaimDefinitionError(f"{self.id}: no arms")
        names = [arm.name for arm in self.arms]
        if len(set(names)) != len(names):
            raise ClaimDefinitionError(f"{self.id}: duplicate arm names {names}")
        if set(self.budgets) != set(PROFILES):
            raise ClaimDefinitionError(f"{self.id}: budgets must cover exactly {PROFILES}, got {sorted(self.budgets)}")
        for where, overrides in [(f"arm {a.name}", a.overrides) for a in self.arms] + [
            (f"profile {p}", b.overrides) for p, b in self.budgets.items()
        ] + [(f"profile {p} on {d}", o) for p, b in self.budgets.items() for d, o in b.dataset_overrides.items()]:
            unknown = set(overrides) - set(self.base_config)
            if unknown:
                raise ClaimDefinitionError(f"{self.id}: {where} sets unknown config keys {sorted(unknown)}")
        if not self.expectations:
            raise ClaimDefinitionError(f"{self.id}: nothing to judge (no expectations)")
        ids = [e.id for e in self.expectations]
        if len(set(ids)) != len(ids):
            raise ClaimDefinitionError(f"{self.id}: duplicate expectation ids")
        for expectation in self.expectations:
            missing = set(expectation.arms) - set(names)
            if missing:
                raise ClaimDefinitionError(f"{self.id}: expectation {expectation.id} names unknown arms {sorted(missing)}")
        for plot in self.plots:
            unknown = set(plot.reference) - set(names) if plot.kind == "series" else set()
            if unknown:
                raise ClaimDefinitionError(f"{self.id}: plot {plot.name} references unknown arms {sorted(unknown)}")
        if not callable(self.run):
            raise ClaimDefinitionError(f"{self.id}: run is not callable")
        tuned = [a.name for a in self.arms if a.tuned]
        if (self.tuning is None) != (not tuned):
            raise ClaimDefinitionError(f"{self.id}: a tuning spec needs tuned arms, and tuned arms need a tuning spec")
        for arm in self.arms:
            if self.tuning and (arm.tuned or arm.follows) and self.tuning.param in arm.overrides and not (
                    arm.tuned and self.tuning.relative):
                raise ClaimDefinitionError(f"{self.id}: arm {arm.name} both overrides and tunes {self.tuning.param}")
            if arm.follows and arm.follows[0] not in tuned:
                raise ClaimDefinitionError(f"{self.id}: arm {arm.name} follows {arm.follows[0]!r}, which is not a tuned arm")
        if self.tuning and self.tuning.param not in self.base_config:
            raise ClaimDefinitionError(f"{self.id}: the tuned parameter {self.tuning.param!r} is not a config key")
        unsourced = [e.id for e in self.expectations if e.has_size and e.size_source is None]
        if unsourced:
            raise ClaimDefinitionError(
                f"{self.id}: {', '.join(unsourced)} state(s) a number with no source: say where it comes from with "
                "size=from_lecture(…), from_paper(…) or ours(…) (reproductions/expect.py)")
        if not self.primary:
            raise ClaimDefinitionError(f"{self.id}: declare the primary sub-claim(s), the lecture's headline")
        unknown = set(self.primary) - set(ids)
        if unknown:
            raise ClaimDefinitionError(f"{self.id}: primary names unknown sub-claims {sorted(unknown)}")
        grouped = [i for members in self.families.values() for i in members]
        if set(grouped) - set(ids) or set(grouped) & set(self.primary) or len(set(grouped)) != len(grouped):
            raise ClaimDefinitionError(f"{self.id}: each family lists secondary sub-claims of this claim, each once")
        for condition, guarded in self.preconditions.items():
            if condition not in ids or condition in self.primary or condition in grouped:
                raise ClaimDefinitionError(f"{self.id}: precondition {condition!r} must be a sub-claim of this claim, "
                                           "neither primary nor in a family")
            wrong = set(guarded) - (set(ids) - set(self.preconditions))
            if wrong:
                raise ClaimDefinitionError(f"{self.id}: precondition {condition} guards {sorted(wrong)}, which are not "
                                           "sub-claims of this claim (or are preconditions themselves)")
        if self.tuning and self.tuning.tie_margin:
            self._validate_tie_rule()

    def guards(self, expectation_id: str) -> tuple[str, ...]:
        """The preconditions a sub-claim is guarded by (none for a precondition itself)."""
        if expectation_id in self.preconditions:
            return ()
        return tuple(c for c, guarded in self.preconditions.items() if not guarded or expectation_id in guarded)

    def family(self, expectation_id: str) -> str:
        """The multiplicity family a sub-claim is Holm-corrected in: 'primary', 'secondary' or a named one
        ('precondition': each judged alone)."""
        if expectation_id in self.preconditions:
            return "precondition"
        if expectation_id in self.primary:
            return "primary"
        return next((name for name, members in self.families.items() if expectation_id in members), "secondary")

    def _validate_tie_rule(self) -> None:
        """A tie rule must not decide what is judged: its tie-break is no judged metric, and its margin is no
        wider than the margin of any sub-claim on the tuning metric (a wider tie would pick, among rates the
        tuning cannot tell apart, the ones that settle that sub-claim)."""
        judged = {e.metric for e in self.expectations}
        if self.tuning.tiebreak in judged:
            raise ClaimDefinitionError(f"{self.id}: the tie-break {self.tuning.tiebreak!r} is a judged metric")
        for e in self.expectations:
            if e.metric == self.tuning.metric and e.comparison in ("greater", "less") and e.margin \
                    and self.tuning.tie_margin > abs(e.margin):
                raise ClaimDefinitionError(f"{self.id}: the tie margin {self.tuning.tie_margin:g} exceeds the margin "
                                           f"{abs(e.margin):g} of sub-claim {e.id}, which it influences")

    def definition_hash(self, expectation_id: str, profile: str, scheme: int = DEFINITION_SCHEME) -> str:
        """The pre-registered definition of one sub-claim at one profile: what computes and judges it. The
        expectation itself (metric, arms, comparison, margin, test, …), whether it is primary, the other members
        of its multiplicity family (Holm's correction depends on them), the arms it compares (and the tuned arms
        they follow), the base config, the tuning rule and the profile's budget. Any change to these gives a new
        hash; the words (PROSE_FIELDS: statements, the lecture's quotes, arm descriptions, budget notes) do not.
        `scheme` 1 is the hash of stores written before the words were left out (the words included, no
        family), kept so that their definitions can still be compared."""
        e = next(x for x in self.expectations if x.id == expectation_id)
        names = set(e.arms)
        names |= {a.follows[0] for a in self.arms if a.name in names and a.follows}
        budget = self.budgets[profile]
        payload = {"expectation": e, "primary": e.id in self.primary, "arms": [a for a in self.arms if a.name in names],
                   "base_config": self.base_config, "tuning": self.tuning, "budget": budget}
        if scheme >= 2:
            family = self.family(e.id)
            payload["family"] = sorted(x.id for x in self.expectations if self.family(x.id) == family)
        if self.preconditions:  # only where a claim declares some: other claims' hashes stay as they were
            payload["guarded_by"] = [next(x for x in self.expectations if x.id == c) for c in self.guards(e.id)]
            payload["guards"] = sorted(self.preconditions.get(e.id, ())) if e.id in self.preconditions else None
        prose = PROSE_FIELDS if scheme >= 2 else frozenset()
        text = json.dumps(_plain(payload, prose), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def arm(self, name: str) -> Arm:
        for arm in self.arms:
            if arm.name == name:
                return arm
        raise KeyError(f"claim {self.id} has no arm {name!r}")

    def tuning_grid(self, arm: str, profile: str, dataset: str | None = None) -> tuple[float, ...]:
        """The values of the tuned parameter one tuned arm is tried at."""
        if self.tuning is None:
            return ()
        if not self.tuning.relative:
            return self.tuning.grid
        centre = float(self.resolve_config(arm, profile, dataset=dataset)[self.tuning.param])
        return tuple(float(m * centre) for m in self.tuning.grid)

    def uses_dataset_choice(self, profile: str) -> bool:
        """Whether this profile's config says `"dataset": "auto"` (the runner then picks the dataset)."""
        return {**self.base_config, **self.budgets[profile].overrides}.get("dataset") == "auto"

    def resolve_config(self, arm: str, profile: str, tuned: Mapping[str, float] | None = None,
                       dataset: str | None = None) -> dict[str, Any]:
        """The whole config one arm runs with at one profile (logged in full with every run).

        `tuned` maps tuned arms to their chosen value of the tuned parameter; an arm that is tuned or
        follows a tuned arm takes its value from there (a tuning run passes its grid value the same way).
        `dataset` replaces a `"dataset": "auto"` with the dataset found, and applies the profile's
        overrides for it (base <- profile <- dataset <- arm).
        """
        if profile not in self.budgets:
            raise ClaimDefinitionError(f"unknown profile {profile!r}; choose one of {PROFILES}")
        spec = self.arm(arm)
        budget = self.budgets[profile]
        config = dict(self.base_config)
        config.update(budget.overrides)
        if dataset is not None and config.get("dataset") == "auto":
            config["dataset"] = dataset
            config.update(budget.dataset_overrides.get(dataset, {}))
        config.update(spec.overrides)
        if self.tuning and tuned is not None and (spec.tuned or spec.follows):
            source, factor = (arm, 1.0) if spec.tuned else spec.follows
            if source in tuned:
                config[self.tuning.param] = float(tuned[source]) * factor
        return config


def _plain(value, leave_out: frozenset = frozenset()):
    """Dataclasses, mappings and sequences as plain JSON-able data (for hashing definitions), without the
    dataclass fields named in `leave_out`."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name), leave_out) for f in dataclasses.fields(value)
                if not callable(getattr(value, f.name)) and f.name not in leave_out
                and not (f.metadata.get(HASHED_WHEN_SET) and getattr(value, f.name) == f.default)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v, leave_out) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, leave_out) for v in value]
    return value
