"""The words a claim's sub-claims are written in: each name builds one `reproductions.claim.Expectation`.

A sub-claim says what one arm shows, or how it compares with another arm (`than`) seed by seed, the two
having run on the same seeds. The name says which way; the numbers say how much, as sizes in the units of the
effect (the metric's, or its log10 with scale='log10'; `null`, the no-effect value, too).

Two arms, seed by seed (the effect is metric(arm) − metric(than)):

- `higher(id, arm, metric, than=…, by=m)`: arm's metric is above `than`'s by more than m ("raises … by m";
  by=0: by any amount); `lower(…)` mirrors it (below by more than m). No difference (0) is the no-effect value.
- `not_lower(id, arm, metric, than=…, by=m)`: non-inferiority, arm is below `than` by less than m, if at all
  ("costs less than m"); `not_higher(…)` mirrors it. A zero effect satisfies these: they have no placebo.
- `near(id, arm, metric, than=…, tolerance=t)`: the two differ by less than t (equivalence: "no effect").

  With `ratio=r` instead of `by=`, ratios are compared, on a log10 scale: `higher(ratio=2)` is arm ≥ 2 × than,
  `lower(ratio=0.8)` is arm ≤ 0.8 × than (a fifth lower), `not_lower(ratio=0.8)` is arm ≥ 0.8 × than.
- `faster(id, arm, than=…, factor=f)`: arm reaches the training target in at least f times fewer steps than
  `than` ("trains f× faster"; steps-to-target, a run that never reaches it is censored: a bound).
- `not_slower(id, arm, than=…, factor=f)`: arm takes at most f times the steps of `than` ("as fast").

One arm (the effect is its metric):

- `at_least(id, arm, metric, value)` / `at_most(…)`: the metric lies above / below value; `ratio=r` for a
  metric that is itself a ratio (judged on a log10 scale, against r).
- `near(id, arm, metric, target, tolerance=t)`: within t of target; `at_chance(…, chance=c, tolerance=t)`:
  within t of chance (c), e.g. a net that learned nothing that generalizes.
- `rate_at_least(id, arm, flag, rate)` / `rate_at_most(…)`: a 0/1 outcome (diverged, reached, …) happens on
  more / fewer than that share of seeds (an exact binomial test on the rate).

Computed facts (a count, a formula, a measured receptive field): not sampled, they HOLD when every seed
satisfies them (`exact=True`, no statistical test):

- `exactly(id, arm, count, equals=n)`: an integer count equals n (within 0.5);
- `count_at_least(id, arm, count, n)` / `count_at_most(…)`: an integer count (or a 0/1 flag) is ≥ n / ≤ n;
- `exact_above(id, arm, metric, value)` / `exact_below(…)`: a computed value is strictly above / below value;
- `exact_near(id, arm, metric, target, tolerance=t)`: a computed value within t of target.
  Each takes `than=` for the difference of two arms' values on the same seed.

Every name takes the words as keywords, `statement=` (the sub-claim in a sentence), `lecture=` (what the
lecture says or shows for it) and `size=` (where its number comes from: `from_lecture("the words", seed="000")`,
`from_paper("citation: the rows compared")` or `ours("the reason")`; a bare direction needs none, every other
number does: Claim validation refuses it unsourced), never positionally: the code hash leaves out keyword arguments with these names,
so a claim's words can be corrected without invalidating its runs. The other fields of an Expectation pass
through where a sub-claim needs them: `null` (the no-effect value), `scale` ('log10' compares ratios),
`censored_by` (a 0/1 metric marking values that are only bounds), `alpha`.
"""

from __future__ import annotations

import dataclasses
import functools
import math

from reproductions.claim import ClaimDefinitionError, Expectation, SizeSource

COUNT_TOLERANCE = 0.5  # an integer count within 0.5 of n is n


def from_lecture(words: str, *, seed: str) -> SizeSource:
    """The number is the lecture's: its words, quoted, and the seed file(s) they are in."""
    return SizeSource("lecture", words, seed)


def from_paper(comparison: str) -> SizeSource:
    """The number is a cited paper's matched comparison: the citation and the rows compared (which differ only in
    the claimed factor), e.g. "Ioffe & Szegedy 2015, Fig. 2: BN-Baseline 13.3M vs Inception 31.0M steps"."""
    return SizeSource("paper", comparison)


def ours(reason: str) -> SizeSource:
    """The number is the project's own choice, with its reason (a non-inferiority or equivalence margin, a size the
    source never gives: then never the primary's)."""
    return SizeSource("ours", reason)


def _sized(name):
    """A name that also takes `size=` (a SizeSource): where its number comes from."""
    @functools.wraps(name)
    def with_size(*args, size: SizeSource | None = None, **kwargs) -> Expectation:
        expectation = name(*args, **kwargs)
        return expectation if size is None else dataclasses.replace(expectation, size_source=size)
    return with_size


def _margin(name: str, by: float | None, ratio: float | None, scale: str, sign: int) -> tuple[float, str]:
    """The margin and scale of a difference `by` (its sign given by the name: `sign` −1 for lower) or of a ratio
    bound `ratio` (log10)."""
    if (by is None) == (ratio is None):
        raise ClaimDefinitionError(f"{name}: give the size of the effect as by= (a difference) or ratio=, one of them")
    if ratio is not None:
        if scale != "linear":
            raise ClaimDefinitionError(f"{name}: ratio= compares on a log10 scale; give no scale with it")
        return math.log10(ratio), "log10"
    if by < 0:
        raise ClaimDefinitionError(f"{name}: by= is a size (>= 0); the name says the direction")
    return (by if sign > 0 else 0.0 - by), scale  # 0.0 - by: never a negative zero


def _paired(id, arm, metric, than, comparison, margin, scale, null, statement, lecture, **fields):
    return Expectation(id=id, arm=arm, baseline=than, metric=metric, comparison=comparison, margin=margin,
                       scale=scale, null=null, statement=statement, lecture=lecture, **fields)


# ----------------------------------------------------------------------------------------- two arms, seed by seed


@_sized
def higher(id: str, arm: str, metric: str, *, than: str, by: float | None = None, ratio: float | None = None,
           null: float | None = 0.0, scale: str = "linear", censored_by: str | None = None, alpha: float = 0.05,
           statement: str, lecture: str = "") -> Expectation:
    """arm's metric is higher than `than`'s by more than `by` (or by more than a factor `ratio` >= 1, on log10)."""
    if ratio is not None and ratio < 1:
        raise ClaimDefinitionError(f"{id}: higher by a ratio below 1 is a non-inferiority: use not_lower")
    margin, scale = _margin(id, by, ratio, scale, +1)
    return _paired(id, arm, metric, than, "greater", margin, scale, null, statement, lecture,
                   censored_by=censored_by, alpha=alpha)


@_sized
def lower(id: str, arm: str, metric: str, *, than: str, by: float | None = None, ratio: float | None = None,
          null: float | None = 0.0, scale: str = "linear", censored_by: str | None = None, alpha: float = 0.05,
          statement: str, lecture: str = "") -> Expectation:
    """arm's metric is lower than `than`'s by more than `by` (the margin −by), or is at most `ratio` (<= 1) times
    it (log10)."""
    if ratio is not None and ratio > 1:
        raise ClaimDefinitionError(f"{id}: lower by a ratio above 1 is a non-inferiority: use not_higher")
    margin, scale = _margin(id, by, ratio, scale, -1)
    return _paired(id, arm, metric, than, "less", margin, scale, null, statement, lecture,
                   censored_by=censored_by, alpha=alpha)


@_sized
def not_lower(id: str, arm: str, metric: str, *, than: str, by: float | None = None, ratio: float | None = None,
              null: float | None = None, scale: str = "linear", alpha: float = 0.05,
              statement: str, lecture: str = "") -> Expectation:
    """Non-inferiority: arm's metric is lower than `than`'s by less than `by` (the margin −by), or is at least
    `ratio` (<= 1) times it (log10)."""
    if ratio is not None and ratio > 1:
        raise ClaimDefinitionError(f"{id}: not lower with a ratio above 1 is a claim of higher: use higher")
    margin, scale = _margin(id, by, ratio, scale, -1)
    return _paired(id, arm, metric, than, "greater", margin, scale, null, statement, lecture,
                   alpha=alpha)


@_sized
def not_higher(id: str, arm: str, metric: str, *, than: str, by: float | None = None, ratio: float | None = None,
               null: float | None = None, scale: str = "linear", alpha: float = 0.05,
               statement: str, lecture: str = "") -> Expectation:
    """Non-inferiority, mirrored: arm's metric is higher than `than`'s by less than `by`, or is at most `ratio`
    (>= 1) times it (log10)."""
    if ratio is not None and ratio < 1:
        raise ClaimDefinitionError(f"{id}: not higher with a ratio below 1 is a claim of lower: use lower")
    margin, scale = _margin(id, by, ratio, scale, +1)
    return _paired(id, arm, metric, than, "less", margin, scale, null, statement, lecture,
                   alpha=alpha)


@_sized
def faster(id: str, arm: str, *, than: str, factor: float, metric: str = "steps_to_target",
           censored_by: str | None = "censored", null: float | None = 0.0, alpha: float = 0.05,
           statement: str, lecture: str = "") -> Expectation:
    """arm reaches the target in at least `factor` times fewer steps than `than`: the slow arm's steps over the
    fast one's, log10(steps(than) / steps(arm)) > log10(factor), a censored run (target never reached) a bound."""
    if factor < 1:
        raise ClaimDefinitionError(f"{id}: faster by a factor below 1 says nothing faster: use not_slower")
    return Expectation(id=id, arm=than, baseline=arm, metric=metric, comparison="greater", margin=math.log10(factor),
                       scale="log10", null=null, censored_by=censored_by, alpha=alpha, statement=statement,
                       lecture=lecture)


@_sized
def not_slower(id: str, arm: str, *, than: str, factor: float, metric: str = "steps_to_target",
               censored_by: str | None = "censored", null: float | None = None, alpha: float = 0.05,
               statement: str, lecture: str = "") -> Expectation:
    """arm takes at most `factor` (>= 1) times the steps of `than` to reach the target ("as fast as")."""
    if factor < 1:
        raise ClaimDefinitionError(f"{id}: not slower by a factor below 1 is a claim of faster: use faster")
    return Expectation(id=id, arm=arm, baseline=than, metric=metric, comparison="less", margin=math.log10(factor),
                       scale="log10", null=null, censored_by=censored_by, alpha=alpha, statement=statement,
                       lecture=lecture)


# ----------------------------------------------------------------------------------------- one arm


def _single_margin(name: str, value: float | None, ratio: float | None, scale: str) -> tuple[float, str]:
    if (value is None) == (ratio is None):
        raise ClaimDefinitionError(f"{name}: give the bound as a value or as ratio=, one of them")
    if ratio is None:
        return value, scale
    if scale != "linear":
        raise ClaimDefinitionError(f"{name}: ratio= compares on a log10 scale; give no scale with it")
    return math.log10(ratio), "log10"


@_sized
def at_least(id: str, arm: str, metric: str, value: float | None = None, *, ratio: float | None = None,
             null: float | None = None, scale: str = "linear", censored_by: str | None = None, alpha: float = 0.05,
             statement: str, lecture: str = "") -> Expectation:
    """arm's metric lies above `value` (in the units of `scale`), or above `ratio` for a metric that is a ratio
    (log10). `null`: the no-effect value, from which the direction alone holds (none: no direction-only band)."""
    margin, scale = _single_margin(id, value, ratio, scale)
    return Expectation(id=id, arm=arm, metric=metric, comparison="greater", margin=margin, scale=scale, null=null,
                       censored_by=censored_by, alpha=alpha, statement=statement, lecture=lecture)


@_sized
def at_most(id: str, arm: str, metric: str, value: float | None = None, *, ratio: float | None = None,
            null: float | None = None, scale: str = "linear", censored_by: str | None = None, alpha: float = 0.05,
            statement: str, lecture: str = "") -> Expectation:
    """arm's metric lies below `value` (in the units of `scale`), or below `ratio` for a metric that is a ratio
    (log10)."""
    margin, scale = _single_margin(id, value, ratio, scale)
    return Expectation(id=id, arm=arm, metric=metric, comparison="less", margin=margin, scale=scale, null=null,
                       censored_by=censored_by, alpha=alpha, statement=statement, lecture=lecture)


@_sized
def near(id: str, arm: str, metric: str, target: float = 0.0, *, tolerance: float, than: str | None = None,
         scale: str = "linear", alpha: float = 0.05, statement: str, lecture: str = "") -> Expectation:
    """arm's metric lies within `tolerance` of `target` (equivalence: two one-sided tests); with `than`, its
    difference from `than`'s does (target 0: no difference)."""
    return Expectation(id=id, arm=arm, baseline=than, metric=metric, comparison="within", target=target,
                       margin=tolerance, scale=scale, alpha=alpha, statement=statement, lecture=lecture)


@_sized
def at_chance(id: str, arm: str, metric: str, *, chance: float, tolerance: float, alpha: float = 0.05,
              statement: str, lecture: str = "") -> Expectation:
    """arm's metric (an accuracy) lies within `tolerance` of `chance`: nothing learned that carries over."""
    return near(id, arm, metric, chance, tolerance=tolerance, alpha=alpha, statement=statement, lecture=lecture)


@_sized
def rate_at_least(id: str, arm: str, metric: str, rate: float, *, null: float | None = None, alpha: float = 0.05,
                  statement: str, lecture: str = "") -> Expectation:
    """The 0/1 outcome `metric` happens on more than a share `rate` of arm's seeds (exact binomial test,
    Clopper–Pearson interval); `null`: the share that would mean no effect."""
    return Expectation(id=id, arm=arm, metric=metric, comparison="greater", margin=rate, null=null, test="binomial",
                       alpha=alpha, statement=statement, lecture=lecture)


@_sized
def rate_at_most(id: str, arm: str, metric: str, rate: float, *, null: float | None = None, alpha: float = 0.05,
                 statement: str, lecture: str = "") -> Expectation:
    """The 0/1 outcome `metric` happens on fewer than a share `rate` of arm's seeds (exact binomial test)."""
    return Expectation(id=id, arm=arm, metric=metric, comparison="less", margin=rate, null=null, test="binomial",
                       alpha=alpha, statement=statement, lecture=lecture)


# ----------------------------------------------------------------------------------------- computed facts


def _exact(id, arm, metric, comparison, margin, than, scale, statement, lecture, target=0.0) -> Expectation:
    return Expectation(id=id, arm=arm, baseline=than, metric=metric, comparison=comparison, margin=margin,
                       target=target, scale=scale, exact=True, statement=statement, lecture=lecture)


@_sized
def exactly(id: str, arm: str, metric: str, *, equals: float, than: str | None = None, statement: str,
            lecture: str = "") -> Expectation:
    """A computed integer count equals `equals` on every seed (within 0.5 of it)."""
    return _exact(id, arm, metric, "within", COUNT_TOLERANCE, than, "linear", statement, lecture, target=float(equals))


@_sized
def count_at_least(id: str, arm: str, metric: str, n: int, *, than: str | None = None, statement: str,
                   lecture: str = "") -> Expectation:
    """A computed integer count (a 0/1 flag: n = 1, it is set) is at least `n` on every seed (above n − 0.5)."""
    return _exact(id, arm, metric, "greater", n - COUNT_TOLERANCE, than, "linear", statement, lecture)


@_sized
def count_at_most(id: str, arm: str, metric: str, n: int, *, than: str | None = None, statement: str,
                  lecture: str = "") -> Expectation:
    """A computed integer count (a 0/1 flag: n = 0, it is never set) is at most `n` on every seed (below n + 0.5)."""
    return _exact(id, arm, metric, "less", n + COUNT_TOLERANCE, than, "linear", statement, lecture)


@_sized
def exact_above(id: str, arm: str, metric: str, value: float, *, than: str | None = None, scale: str = "linear",
                statement: str, lecture: str = "") -> Expectation:
    """A computed value lies strictly above `value` on every seed."""
    return _exact(id, arm, metric, "greater", value, than, scale, statement, lecture)


@_sized
def exact_below(id: str, arm: str, metric: str, value: float, *, than: str | None = None, scale: str = "linear",
                statement: str, lecture: str = "") -> Expectation:
    """A computed value lies strictly below `value` on every seed."""
    return _exact(id, arm, metric, "less", value, than, scale, statement, lecture)


@_sized
def exact_near(id: str, arm: str, metric: str, target: float = 0.0, *, tolerance: float, than: str | None = None,
               statement: str, lecture: str = "") -> Expectation:
    """A computed value lies within `tolerance` of `target` on every seed."""
    return _exact(id, arm, metric, "within", tolerance, than, "linear", statement, lecture, target=target)
