"""The findings report: FINDINGS.md and its plots, written from the MLflow store alone.

For each registered claim the newest execution (of the chosen profile, if one is given) is read
back, the verdicts are judged again from its child runs, and the report says what the lecture
claims, what was measured (estimate, the interval matching the test, n, p) and the verdict: the
primary sub-claims first, then the secondary findings, the exact checks, the placebo controls, the
replication on fresh seeds, the definitions judged under, plots and the MLflow run ids. Nothing but
the store is read, and nothing time-dependent is written: the same store gives the same report.
"""

from __future__ import annotations

import html
import json
import math
import multiprocessing
import os
import re
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from benchmarks import judge as judging
from benchmarks import plots
from benchmarks.evidence import VARIANT_TAGS, Evidence, collect, collect_variants, is_capped
from mlflow_tracking import runs
from mlflow_tracking.store import Store
from reproductions import broken_modules, registry, topic_of

REPORT_NAME = "FINDINGS.md"
PLOTS_DIR = "findings-plots"
# the report's first line: how many claims it judged, read back before a report is written over it
JUDGED_MARK = "<!-- reprobench report: {n} claim(s) judged -->"
_JUDGED_MARK = re.compile(r"<!-- reprobench report: (\d+) claim\(s\) judged -->")


class ReportRefused(ValueError):
    """No report is written, and an existing one is left as it was: one line says why."""


class PlotDrawer:
    """Draws a report's plots, none twice. Each plot file carries the fingerprint of what it was drawn from
    (plots.PlotJob.fingerprint: the drawing code, matplotlib's version, the spec, the data): a file already in the
    report's plot folder with the same fingerprint is kept; else the same picture stored with the execution run
    (the recorder draws every execution's plots when it judges it) is copied; else it is drawn, in worker processes
    while the report goes on (forkserver: the workers import matplotlib, never TensorFlow or MLflow)."""

    def __init__(self, store: Store, plot_dir: Path, workers: int | None = None):
        self.store, self.plot_dir = store, plot_dir
        self.workers = min(os.cpu_count() or 1, 4) if workers is None else workers
        self.kept = self.copied = self.drawn = 0
        self._pool: ProcessPoolExecutor | None = None
        self._pending = []
        self._downloaded: dict[str, Path] = {}  # execution run id -> the folder its stored plots were downloaded to

    def submit(self, job: plots.PlotJob, execution: runs.StoredRun | None = None) -> None:
        if plots.is_drawn(job):
            self.kept += 1
        elif execution is not None and self._copy_stored(job, execution):
            self.copied += 1
        else:
            self.drawn += 1
            pool = self._workers()
            if pool is None:
                plots.draw(job)
            else:
                try:
                    self._pending.append((job, pool.submit(plots.draw, job)))
                except (BrokenProcessPool, OSError, RuntimeError):  # the workers could not start: draw here
                    self.workers = 1
                    plots.draw(job)

    def _copy_stored(self, job: plots.PlotJob, execution: runs.StoredRun) -> bool:
        """The execution's stored copy of this picture, when its tag says it has one (one download per execution)."""
        try:
            stored = json.loads(execution.tags.get(plots.STORED_TAG, "{}"))
        except ValueError:
            return False
        if not isinstance(stored, dict) or stored.get(job.path.name) != job.fingerprint:
            return False
        if execution.run_id not in self._downloaded:
            self.plot_dir.mkdir(parents=True, exist_ok=True)
            folder = Path(tempfile.mkdtemp(prefix=".stored-", dir=self.plot_dir))
            self._downloaded[execution.run_id] = folder
            try:
                self.store.client.download_artifacts(execution.run_id, "plots", str(folder))
            except Exception:  # noqa: BLE001 - the artifacts are gone or elsewhere: draw instead
                pass
        copy = self._downloaded[execution.run_id] / "plots" / job.path.name
        if plots.stamp_of(copy) != job.fingerprint:
            return False
        os.replace(copy, job.path)
        return True

    def _workers(self) -> ProcessPoolExecutor | None:
        if self.workers < 2 or "forkserver" not in multiprocessing.get_all_start_methods():
            return None
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["benchmarks.plots"])
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context)
        return self._pool

    def finish(self) -> None:
        """Wait for every plot; a plot that failed to draw raises here. A worker that died (killed, out of memory)
        costs no plot: its plots are drawn here."""
        try:
            for job, future in self._pending:
                try:
                    future.result()
                except BrokenProcessPool:
                    plots.draw(job)
        finally:
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)
            for folder in self._downloaded.values():
                shutil.rmtree(folder, ignore_errors=True)
            self._pending, self._pool, self._downloaded = [], None, {}

    def summary(self) -> str:
        return f"{self.drawn} plots drawn, {self.copied} copied from the store, {self.kept} kept as they were"


def judged_in(path: Path) -> int | None:
    """How many claims the report at `path` judged: its mark, or in a report written before the mark its claim
    sections (`### <claim id>`); None when there is no report there."""
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8", errors="replace")
    mark = _JUDGED_MARK.search(text[:500])
    if mark:
        return int(mark.group(1))
    ids = set(registry())
    return sum(1 for line in text.splitlines() if line.startswith("### ") and line[4:].strip() in ids)


VERDICT_MARK = {
    judging.REPRODUCED: "✅ REPRODUCED",
    judging.SMALLER: "🟠 SMALLER EFFECT",
    judging.DIRECTION_ONLY: "🟡 DIRECTION ONLY",
    judging.NOT_REPRODUCED: "❌ NOT REPRODUCED",
    judging.INCONCLUSIVE: "❔ INCONCLUSIVE",
    judging.NOT_TESTABLE: "🚧 NOT TESTABLE HERE",
    judging.ERROR: "⚠️ ERROR",
    judging.HOLDS: "✅ HOLDS",
    judging.FAILS: "❌ FAILS",
    judging.BIAS: "🚩 BIAS",
    judging.NO_BIAS: "✔️ NO BIAS SEEN",
}
GRADES = (  # README defines them at more length
    f"{VERDICT_MARK[judging.REPRODUCED]}: the direction and the claimed size hold",
    f"{VERDICT_MARK[judging.SMALLER]}: the direction holds, the claimed size is ruled out",
    f"{VERDICT_MARK[judging.DIRECTION_ONLY]}: the direction holds, the claimed size is undecided",
    f"{VERDICT_MARK[judging.NOT_REPRODUCED]}: the data contradict the claim",
    f"{VERDICT_MARK[judging.INCONCLUSIVE]}: too noisy at this budget (the seeds that would decide it are given)",
    f"{VERDICT_MARK[judging.NOT_TESTABLE]}: a precondition of the claim (the regime its mechanism needs) failed in "
    "its runs, so the sub-claims it guards were not tested (never read as NOT REPRODUCED)",
    f"{VERDICT_MARK[judging.ERROR]}: runs failed or are missing",
)


def _cell(text) -> str:
    """Text of the claims (ours, and meant to render: `code`, *emphasis*) made safe for a table cell."""
    text = str(text).replace("\n", " ").replace("|", "\\|")
    return re.sub(r"[<>]", lambda m: {"<": "&lt;", ">": "&gt;"}[m.group()], text)


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def _text(value) -> str:
    """Text that comes from runs (tags, params, error messages): anyone can write those into a store,
    so it is made inert: one line, HTML escaped, every markdown character backslash-escaped."""
    return _MARKDOWN.sub(r"\\\1", html.escape(" ".join(str(value).split()), quote=False))


def _code(value) -> str:
    """Text from runs shown as inline code (no markup is read inside it; backticks cannot close it)."""
    return "`" + " ".join(str(value).replace("`", "'").split()) + "`"


def fmt(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else "−∞"
    return f"{value:.5g}"


def _resolution(half_width: float) -> int | None:
    """The decimal exponent an estimate is rounded to, from its interval's half-width (the Particle Data Group's
    rule: the half-width keeps two significant digits when its leading two are below 35, else one)."""
    if not (half_width > 0 and math.isfinite(half_width)):
        return None
    exponent = math.floor(math.log10(half_width))
    leading = half_width / 10 ** exponent  # in [1, 10)
    return exponent - 1 if leading < 3.55 else exponent


def _rounded(value: float, exponent: int | None, fixed: bool = True) -> str:
    """`value` rounded to 10**exponent: in fixed notation, or in scientific notation (None: as fmt)."""
    if exponent is None or not (isinstance(value, (int, float)) and math.isfinite(value)):
        return fmt(value)
    rounded = round(value, -exponent) + 0.0  # + 0.0: no "-0"
    if fixed:
        return f"{rounded:.{max(0, -exponent)}f}".replace("-0.", "0.") if rounded == 0 else f"{rounded:.{max(0, -exponent)}f}"
    if rounded == 0:
        return "0"
    digits = max(1, math.floor(math.log10(abs(rounded))) - exponent + 1)
    return f"{rounded:.{digits - 1}e}"


def fmt_interval(estimate: float, low: float, high: float, prefix: str = "") -> str:
    """'2.981e-07 [2.949e-07, 3.013e-07]': the estimate and its interval at the precision the interval supports
    (a one-sided interval's finite side sets it; a point interval keeps 5 significant digits)."""
    finite = [abs(b - estimate) for b in (low, high) if isinstance(b, (int, float)) and math.isfinite(b)]
    if finite and all(isinstance(b, (int, float)) and math.isfinite(b) for b in (low, high)):
        half = (high - low) / 2
    else:
        half = max(finite) if finite else float("nan")
    exponent = _resolution(half)
    largest = max([abs(v) for v in (estimate, low, high) if isinstance(v, (int, float)) and math.isfinite(v)] or [0])
    fixed = exponent is not None and largest < 1e6 and (largest >= 1e-4 or exponent >= -6)
    return " ".join([f"{prefix}{_rounded(estimate, exponent, fixed)}",
                     f"[{prefix}{_rounded(low, exponent, fixed)}, {prefix}{_rounded(high, exponent, fixed)}]"])


def _claimed(e) -> str:
    scale = "log10 " if e.scale == "log10" else ""
    what = f"{scale}{e.metric}: {e.arm} − {e.baseline}" if e.baseline else f"{scale}{e.metric} of {e.arm}"
    relation = {"greater": f"> {fmt(e.margin)}", "less": f"< {fmt(e.margin)}",
                "within": f"= {fmt(e.target)} ± {fmt(e.margin)}",
                "outside": f"≠ {fmt(e.target)} ± {fmt(e.margin)}"}[e.comparison]
    return f"{what} {relation}" + (f" (size from {e.size_source.describe()})" if e.size_source else "")


ESTIMATE = {"t": "mean", "exact binomial": "rate", "exact McNemar": "difference in rates",
            "signed-rank on bounds": "median"}


def _measured(sub: judging.SubVerdict) -> str:
    """The estimate with its interval, named by what they are: 'mean 0.02 [0.01, 0.03] (90% CI)'."""
    if sub.n == 0:
        return "no data"
    if sub.method == "exact":  # every seed's value: the range they span, to 4 significant digits
        low, high = _exact_value(sub.ci_low), _exact_value(sub.ci_high)
        return low if low == high else f"{low} to {high}"
    text = (f"{ESTIMATE.get(sub.method, 'estimate')} {fmt_interval(sub.mean, sub.ci_low, sub.ci_high)}"
            + (f" ({sub.confidence:.0%} CI)" if sub.confidence == sub.confidence else ""))
    if sub.expectation.scale == "log10" and sub.expectation.baseline:  # a ratio: say it as one
        text += " = " + _ratio(sub)
    if sub.censored:
        text += f"; {sub.censored} of {sub.n} pairs censored, counted as bounds"
    return text


def _exact_value(value: float) -> str:
    return f"{value:.4g}" if isinstance(value, float) and math.isfinite(value) else fmt(value)


def _verdict_cell(sub: judging.SubVerdict) -> str:
    """The verdict, and for an undecided one how many seeds would decide it at the observed spread."""
    text = VERDICT_MARK[sub.verdict]
    if sub.seeds_to_decide:
        many = "> 10000" if sub.seeds_to_decide > 10000 else f"≈ {sub.seeds_to_decide}"
        span = ""
        if sub.seeds_range is not None:
            low, high = sub.seeds_range
            span = (f"; {low}–{high} across its interval" if high is not None and high <= 10000 else
                    f"; {low} or more across its interval")
        text += f" ({many} seeds would decide it as the next look, at the α that look spends{span})"
    return text


def fmt_p(p: float | None) -> str:
    """'p=0.0031'; a p-value too small for a double is no zero: 'p<1e-300' (scipy gives 0.0 below ~1e-308)."""
    if isinstance(p, (int, float)) and not math.isnan(p) and p <= 0:
        return "p<1e-300"
    return f"p={fmt(p)}"


def _test_cell(sub: judging.SubVerdict) -> str:
    if sub.method == "exact":
        return "exact"
    return f"{sub.method or '–'}, {fmt_p(sub.p_value)}" + (" (Holm)" if sub.adjustment else "")


def _effect(sub: judging.SubVerdict) -> str:
    """The headline measurement, short: a ratio as ×r [×lo, ×hi], else the estimate [lo, hi]."""
    if sub.n == 0:
        return "no data"
    if sub.method == "exact":
        return _measured(sub)
    if sub.expectation.scale == "log10" and sub.expectation.baseline:
        return _ratio(sub)
    return fmt_interval(sub.mean, sub.ci_low, sub.ci_high)


def _ratio(sub: judging.SubVerdict) -> str:
    """A log10 difference said as a ratio, '×0.90 [×0.64, ×1.25]'."""
    def power(v):
        return 10 ** v if math.isfinite(v) else (math.inf if v > 0 else 0.0)
    return fmt_interval(power(sub.mean), power(sub.ci_low), power(sub.ci_high), prefix="×")


def _relation(e) -> str:
    """A sub-claim's claimed size in words a student reads: 'relu/tanh ratio of steps_to_target < ×0.5',
    'stack − single-5x5 in val_accuracy > −0.01', 'accuracy of relu > 0.8', 'loss of a = 2.3 ± 0.1'."""
    op = {"greater": ">", "less": "<"}.get(e.comparison)
    if e.scale == "log10" and e.baseline and op:
        return f"{e.arm}/{e.baseline} ratio of {e.metric} {op} ×{10 ** e.margin:.3g}"
    what = f"{e.arm} − {e.baseline} in {e.metric}" if e.baseline else f"{e.metric} of {e.arm}"
    if op:
        return f"{what} {op} {fmt(e.margin)}"
    return f"{what} {'=' if e.comparison == 'within' else '≠'} {fmt(e.target)} ± {fmt(e.margin)}"


def _quoted(sub: judging.SubVerdict) -> str:
    return f"“{sub.expectation.statement.strip().rstrip('.')}”"


def _size_origin(e) -> str:
    kind = e.size_source.kind if e.size_source else ""
    return {"lecture": "the lecture's", "paper": "the cited paper's", "ours": "our own"}.get(kind, "the claimed")


def plain_verdict(claim, verdict: judging.ClaimVerdict, capped: bool = False) -> str:
    """The claim's verdict said in one or two plain sentences, from its primary sub-claims' grades and intervals.
    Where only a size of our own choosing fails (the lecture's direction holding, or its own words holding in the
    secondary findings), it says so: a failure of our number, not of the lecture."""
    if capped:
        return ("The runs were cut short on purpose (a step cap that checks the shapes run): they are no evidence "
                "either way.")
    primaries = [s for s in verdict.subverdicts if s.expectation.id in claim.primary]
    grade, n = verdict.verdict, verdict.n_seeds

    def of(*grades):
        return [s for s in primaries if s.verdict in grades]

    if grade == judging.REPRODUCED:
        sized = [s for s in primaries if s.expectation.has_size]
        return ("The lecture's claim holds in these runs: " + "; ".join(_quoted(s) for s in primaries)
                + (" (at the size claimed: " + "; ".join(_relation(s.expectation) for s in sized) + ")" if sized else "")
                + ".")
    if grade in (judging.SMALLER, judging.DIRECTION_ONLY):
        short = of(judging.SMALLER, judging.DIRECTION_ONLY)
        ours = all(s.expectation.size_source is not None and s.expectation.size_source.kind == "ours" for s in short)
        fate = "is ruled out (the effect is smaller)" if grade == judging.SMALLER else f"is undecided at {n} seeds"
        sizes = "; ".join(f"{_relation(s.expectation)}, {_size_origin(s.expectation)} size" for s in short)
        return (("The lecture's qualitative claim holds; only a size we chose " if ours else
                 "The lecture's direction holds; the size claimed ")
                + f"({sizes}) {fate}: " + "; ".join(_quoted(s) for s in short) + ".")
    if grade == judging.NOT_REPRODUCED:
        refuted = of(judging.NOT_REPRODUCED)
        parts = [f"{_quoted(s)} did not hold (measured {_effect(s)}, against {_relation(s.expectation)}, "
                 f"{_size_origin(s.expectation)} size)" for s in refuted]
        if all(s.expectation.size_source is not None and s.expectation.size_source.kind == "ours" for s in refuted):
            held = [s for s in verdict.of_role(judging.SECONDARY) if s.verdict in judging.DIRECTION_HOLDS]
            return ("What fails is a size of our own choosing, not a number the lecture gives: " + "; ".join(parts)
                    + "." + (" Judged on the same runs, these hold: " + "; ".join(_quoted(s) for s in held) + "."
                             if held else ""))
        return "After a fair test, the data disagree with the lecture: " + "; ".join(parts) + "."
    if grade == judging.INCONCLUSIVE:
        parts = []
        for s in of(judging.INCONCLUSIVE):
            more = (f"; about {s.seeds_to_decide} seeds would decide it" if s.seeds_to_decide and s.seeds_to_decide <= 10000
                    else "; the effect sits on the boundary, so no practical number of seeds would decide it"
                    if s.seeds_to_decide else "")
            parts.append(f"{_quoted(s)} measured {_effect(s)}, which admits both answers{more}")
        return f"The runs cannot tell at {n} seeds: " + "; ".join(parts) + "."
    if grade == judging.NOT_TESTABLE:
        failed = [p.expectation.id for p in verdict.preconditions if p.verdict != judging.HOLDS]
        return ("The regime the claim needs was not reached here"
                + (" (" + ", ".join(f"`{f}`" for f in failed) + ")" if failed else "")
                + ", so the claim was not tested: this is no evidence against the lecture.")
    return "Runs failed or are missing, so there is no verdict (see *Failed runs*)."


def scale_text(claim, profile: str, n_seeds: int) -> str:
    """'at `quick` (10k images, …), 5 seeds': the scale a verdict was reached at, from the profile's budget note."""
    budget = claim.budgets.get(profile)
    note = budget.note.strip().rstrip(".") if budget is not None and budget.note else ""
    return f"at `{profile}`" + (f" ({_cell(note)})" if note else "") + f", judged on {n_seeds} seeds"


def _primaries(evidence: Evidence) -> list[judging.SubVerdict]:
    return [s for s in evidence.verdict.subverdicts if s.expectation.id in evidence.claim.primary]


def _summary_cell(evidence: Evidence) -> str:
    """What we measured, for the summary table: each primary sub-claim's effect with its interval and verdict."""
    return "; ".join(f"`{s.expectation.id}` {_effect(s)}" + (f" ({s.verdict.lower()})" if len(evidence.claim.primary) > 1 else "")
                     for s in _primaries(evidence))


def caveats(claim, evidence: Evidence) -> list[str]:
    """What limits the evidence, read off the runs: grid edges, censored/diverged/failed runs, small n, scale."""
    notes = []
    if is_capped(evidence.execution):
        notes.append(f"**Step-capped:** every run stopped after at most {_text(evidence.execution.tags['step_cap'])} "
                     "training steps (`--step-cap`), a check that the profile's shapes run: these numbers are no "
                     "evidence for or against the claim.")
    planned = claim.budgets[evidence.profile].seeds if evidence.profile in claim.budgets else None
    look = evidence.verdict.look
    if look is not None and (look.k > 1 or (planned is not None and look.n > planned)):
        notes.append(f"**Look {look.k} at this claim's seeds** (judged at {', then '.join(map(str, look.seeds))} seeds; "
                     f"the `{evidence.profile}` profile plans {planned}): seeds bought after looking (`--seeds`) are "
                     f"tested at the share of α this look spends, {look.share:.3g}·α (α-spending: "
                     f"{judging.FIRST_LOOK_SHARE:g}·α at the planned seeds, the rest over later looks), so the chance "
                     "of a false verdict over every look stays within α.")
    if evidence.execution.tags.get("precision", "float32") != "float32":
        notes.append(f"Precision {_code(evidence.execution.tags['precision'])} (Keras' mixed policy: low-precision "
                     "compute, float32 weights and logits).")
    for arm, choice in evidence.tuning.items():
        if choice.on_edge:
            grown = f", even extended to {', '.join(f'{v:g}' for v in choice.extended)}," if choice.extended else ""
            notes.append(f"`{arm}`'s best {claim.tuning.param} ({choice.value:g}) is on the grid's edge{grown}: "
                         "a better value may lie outside the grid.")
    by_arm: dict[str, list[dict]] = {}
    for (arm, _), run in sorted(evidence.used.items()):
        by_arm.setdefault(arm, []).append(run.metrics)
    censored, diverged = [], []
    for arm, metrics in by_arm.items():
        count = sum(1 for m in metrics if m.get("reached") == 0.0)
        if count:
            censored.append(f"`{arm}` {count} of {len(metrics)}")
        count = sum(1 for m in metrics if m.get("diverged") == 1.0)
        if count:
            diverged.append(f"`{arm}` {count} of {len(metrics)}")
    if censored:
        notes.append("Runs that never reached the target are censored at the step budget: each is a bound (at least "
                     "the budget), and a comparison with one is judged on bounds (every pair at its end least favourable "
                     f"to the claim, by an exact signed-rank test): {', '.join(censored)}.")
    if diverged:
        notes.append(f"Runs that diverged (NaN/inf loss): {', '.join(diverged)}.")
    mixed = _mixed_versions(evidence)
    if mixed:
        notes.append("The judged runs were made under different versions (" + "; ".join(
            f"{_text(name)}: {', '.join(_code(v) for v in values)}" for name, values in mixed.items())
            + "): their numbers may differ for that reason alone.")
    shared = sum(1 for c in evidence.children if c.status == "FINISHED" and c.tags.get("machine.shared") == "true")
    if shared:
        notes.append(f"{shared} run(s) shared their machine with other runs at the same time (executor "
                     f"{_code(evidence.execution.tags.get('executor', '?'))}, tag `machine.shared`): their wall-clock "
                     "metrics (`run_seconds`, `train_seconds`, `train_images_per_second`) measure a shared machine "
                     "and are not compared; the steps, losses and accuracies judged here are unaffected.")
    failed = sum(1 for c in evidence.children if c.status == "FAILED")
    if failed:
        notes.append(f"{failed} run(s) failed; see *Failed runs* below.")
    notes += undecidable_notes(claim, evidence.profile, evidence.verdict.n_seeds)
    small = [s.expectation.id for s in evidence.verdict.subverdicts if 0 < s.n < 3]
    if small:
        notes.append(f"Fewer than 3 seeds for {', '.join(f'`{e}`' for e in small)}: too few to decide.")
    budget = claim.budgets.get(evidence.profile)
    if evidence.profile != "full" and budget is not None and budget.note:
        notes.append(f"Scale at profile `{evidence.profile}`: {_cell(budget.note)}. The `full` profile runs the "
                     "lecture's scale where it differs.")
    return ["#### Caveats", "", *[f"- {note}" for note in notes], ""] if notes else []


def undecidable_notes(claim, profile: str, seeds: int) -> list[str]:
    """A design that cannot decide at its seeds, said where its verdict is: the sub-claims whose test cannot reach α
    at `seeds` whatever the data (judge.undecidable), so that an undecided grade there is read as the design's."""
    if profile not in claim.budgets or seeds < judging.MIN_SEEDS:
        return []
    found = judging.undecidable(claim, profile, seeds=seeds)
    if not found:
        return []
    return [f"**Cannot decide at {seeds} seeds, whatever the data:** " + "; ".join(_cell(f) for f in found)
            + ". These sub-claims stay undecided at this seed count by design; more seeds (`--seeds`) can decide them."]


# tags of a run that name software whose version can change its numbers (kernels, threads and the device
# are part of the execution's key, so they cannot differ within one)
VERSION_TAGS = ("numerics.backend_version", "keras_version", "tensorflow_version", "jax_version", "torch_version",
                "python_version")


def _mixed_versions(evidence: Evidence) -> dict[str, list[str]]:
    """Version tags whose values differ between the judged runs of one execution (e.g. several machines
    sharing a store, one with a newer TensorFlow)."""
    mixed = {}
    for name in VERSION_TAGS:
        values = sorted({run.tags[name] for run in evidence.used.values() if name in run.tags})
        if len(values) > 1:
            mixed[name] = values
    return mixed


def _environment_lines(tags) -> list[str]:
    """The numeric environment the execution ran in, and who chose each setting."""
    if "numerics.threads" not in tags:
        return []
    parts = []
    if "numerics.onednn" in tags:
        parts.append(f"oneDNN kernels {_text(tags['numerics.onednn'])} ({_text(tags.get('numerics.onednn_source', '?'))})")
    if "numerics.cpu_isa" in tags:
        parts.append(f"{_text(_isa(tags))} kernels ({_text(tags.get('numerics.cpu_isa_source', '?'))})")
    parts.append(f"{_text(tags['numerics.threads'])} intra-op and {_text(tags.get('numerics.inter_op_threads', '?'))} "
                 f"inter-op threads ({_text(tags.get('numerics.threads_source', '?'))}) of "
                 f"{_text(tags.get('numerics.usable_cores', '?'))} usable cores")
    parts.append(f"compiled as {_text(tags.get('numerics.jit', '?'))}")
    flags = [f"{_text(k[len('numerics.env.'):])}={_code(v)}" for k, v in sorted(tags.items()) if k.startswith("numerics.env.")]
    if flags:
        parts.append("with " + ", ".join(flags))
    return [f"Numeric environment: {_text(tags.get('backend', '?'))} "
            f"{_text(tags.get('numerics.backend_version', '?'))}, " + "; ".join(parts) + ".", ""]


def _ties_text(tuning) -> str:
    if not tuning.tiebreak:
        return ""
    which = "higher" if tuning.tiebreak_direction == "greater" else "lower"
    if not tuning.tie_margin:
        return f" (ties: {which} `{tuning.tiebreak}`)"
    return (f"; values within {tuning.tie_margin:g} of the best median `{tuning.metric}` count as tied with it, "
            f"and of those the {which} median `{tuning.tiebreak}` is chosen")


def _tuning_lines(claim, evidence: Evidence) -> list[str]:
    if not claim.tuning or not evidence.tuning:
        return []
    tuning = claim.tuning
    better = "lowest" if tuning.direction == "less" else "highest"
    lines = ["#### Tuning", "",
             f"Every tuned arm gets the same grid of `{tuning.param}`"
             + (" (the same multipliers of each arm's own customary value)" if tuning.relative else "")
             + f"; each is judged at its own best value, the "
             f"{better} median `{tuning.metric}` over {evidence.execution.tags.get('n_tuning_seeds', '?')} tuning "
             f"seed(s) kept apart from the judged seeds" + _ties_text(tuning)
             + ". ★ marks the choice; ⚠ a choice on the grid's edge, where a better value may lie outside the grid."
             + (f" A best value on the grid's edge extends the arm's grid by the next value past it, up to "
                f"{tuning.extend_edges} time(s), on the same tuning seeds (columns ↓ and ↑: the values past the low "
                "and the high edge)." if tuning.extend_edges else ""), ""]
    # the claim's grid, and the values some arm's grid was extended to past either edge (Tuning.extend_edges)
    def past(choice, side):
        base = [p.value for p in choice.points if p.value not in choice.extended]
        return [p for p in choice.points if p.value in choice.extended and base
                and (p.value < base[0] if side == "low" else p.value > base[-1])]

    low = max((len(past(c, "low")) for c in evidence.tuning.values()), default=0)
    high = max((len(past(c, "high")) for c in evidence.tuning.values()), default=0)
    header = ["↓"] * low + [f"×{v:g}" if tuning.relative else f"{v:g}" for v in tuning.grid] + ["↑"] * high
    lines += ["| Arm | " + " | ".join(header) + " | Chosen |", "|---|" + "---|" * (len(header) + 1)]
    for arm, choice in evidence.tuning.items():
        cells = []
        below, above = past(choice, "low"), past(choice, "high")
        base = [p for p in choice.points if p.value not in choice.extended]
        row = [None] * (low - len(below)) + below + base + above + [None] * (high - len(above))
        for point in row:
            if point is None:
                cells.append("")
                continue
            text = "–" if not point.n else fmt(point.median) + (f" ({fmt(point.tiebreak)})" if tuning.tiebreak else "")
            if tuning.relative or point.value in choice.extended:
                text = f"{point.value:g}: {text}"
            cells.append(f"**{text}** ★" if point.value == choice.value else text)
        chosen = "none" if choice.value is None else f"{choice.value:g}" + (" ⚠ edge" if choice.on_edge else "")
        lines.append(f"| `{arm}` | " + " | ".join(cells) + f" | {chosen} |")
    followers = [a for a in claim.arms if a.follows]
    if followers:
        lines += ["", "Arms that follow a tuned arm: " + "; ".join(
            f"`{a.name}` at {a.follows[1]:g}× `{a.follows[0]}`'s value" for a in followers) + "."]
    cell = f"median {tuning.metric}" + (f" ({tuning.tiebreak})" if tuning.tiebreak else "")
    return lines + ["", f"Cells: {cell}.", ""]


def _summary_lines(claim, evidence: Evidence) -> list[str]:
    if not claim.summary_metrics:
        return []
    lines = ["#### Outcomes per arm", "", "Mean over the judged seeds, with min–max.", "",
             "| Arm | n | " + " | ".join(claim.summary_metrics) + " |", "|---|---|" + "---|" * len(claim.summary_metrics)]
    for arm in claim.arms:
        runs = evidence.results.get(arm.name, {})
        cells = []
        for metric in claim.summary_metrics:
            values = [m[metric] for m in runs.values() if metric in m]
            cells.append("–" if not values else
                         f"{fmt(sum(values) / len(values))} ({fmt(min(values))}–{fmt(max(values))})")
        lines.append(f"| `{arm.name}` | {len(runs)} | " + " | ".join(cells) + " |")
    return lines + [""]


def _headline(evidence: Evidence) -> str:
    """The secondary findings and exact checks, counted by verdict."""
    verdict = evidence.verdict
    secondary = verdict.of_role(judging.SECONDARY)
    parts = [f"{sum(s.verdict == judging.REPRODUCED for s in secondary)}/{len(secondary)} reproduced"]
    for grade in judging.VERDICTS[1:]:
        found = sum(s.verdict == grade for s in secondary)
        if found:
            parts.append(f"{found} {grade.lower()}")
    exact = verdict.of_role(judging.EXACT)
    if exact:
        parts.append(f"exact checks {sum(s.verdict == judging.HOLDS for s in exact)}/{len(exact)} hold")
    return ", ".join(parts)


def _subclaim_table(subverdicts) -> list[str]:
    lines = ["| Sub-claim | Lecture | Claimed effect | Measured | n | test, p | Verdict |", "|---|---|---|---|---|---|---|"]
    for sub in subverdicts:
        e = sub.expectation
        lines.append(f"| **{e.id}**: {_cell(e.statement)} | {_cell(e.lecture)} | {_cell(_claimed(e))} | "
                     f"{_cell(_measured(sub))} | {sub.n} | {_cell(_test_cell(sub))} | {_verdict_cell(sub)} |")
    notes = [f"- `{s.expectation.id}`: {_cell(s.reason)}" for s in subverdicts if s.reason]
    return lines + (["", "Notes:", *notes] if notes else []) + [""]


def _subclaim_lines(evidence: Evidence) -> list[str]:
    """The primary sub-claims (the claim's verdict) and the secondary findings, each judged at alpha with the
    matching interval, Holm-adjusted within its family."""
    verdict = evidence.verdict
    primary, secondary = verdict.of_role(judging.PRIMARY), verdict.of_role(judging.SECONDARY)
    lines = []
    if primary:
        lines += ["#### Primary sub-claims", "",
                  "The lecture's headline: the claim's verdict is theirs (the weakest, if several)"
                  + (f", Holm-adjusted over the {len(primary)} of them." if len(primary) > 1 else "."), ""]
        lines += _subclaim_table(primary)
    if secondary:
        lines += ["#### Secondary findings", "",
                  "Judged on the same runs, each with its own verdict"
                  + (f"; p-values Holm-adjusted over the {len(secondary)} of them." if len(secondary) > 1 else "."), ""]
        lines += _subclaim_table(secondary)
    return lines


def _precondition_lines(evidence: Evidence) -> list[str]:
    """The regime the claim's mechanism needs, measured in its own runs: whether it was reached, and what it guards."""
    claim, found = evidence.claim, evidence.verdict.preconditions
    if not found:
        return []
    lines = ["#### Preconditions: is the claim testable here?", "",
             "Each is judged on its own at α (all must hold) before what it guards; one not established makes those "
             f"sub-claims {VERDICT_MARK[judging.NOT_TESTABLE]}, never NOT REPRODUCED.", "",
             "| Precondition | Claimed | Measured | n | Result | Guards |", "|---|---|---|---|---|---|"]
    for sub in found:
        e = sub.expectation
        guarded = claim.preconditions.get(e.id, ()) or ("every other sub-claim",)
        lines.append(f"| **{e.id}**: {_cell(e.statement)} | {_cell(_claimed(e))} | {_cell(_measured(sub))} | {sub.n} | "
                     f"{VERDICT_MARK[sub.verdict]} | {_cell(', '.join(guarded))} |")
    return lines + [""]


def _exact_lines(evidence: Evidence) -> list[str]:
    """Computed facts (counts, formulas, identities): they hold on every seed or they do not."""
    exact = evidence.verdict.of_role(judging.EXACT)
    if not exact:
        return []
    lines = ["#### Exact checks", "", "Computed, not sampled: each holds when every seed's value satisfies it.", "",
             "| Check | Lecture | Claimed | Value(s) | Seeds | Result |", "|---|---|---|---|---|---|"]
    for sub in exact:
        e = sub.expectation
        lines.append(f"| **{e.id}**: {_cell(e.statement)} | {_cell(e.lecture)} | {_cell(_claimed(e))} | "
                     f"{_measured(sub)} | {sub.n} | {VERDICT_MARK[sub.verdict]}"
                     + (f": {_cell(sub.reason)}" if sub.reason else "") + " |")
    return lines + [""]


def _placebo_lines(evidence: Evidence) -> list[str]:
    """The A/A controls: each paired sub-claim's baseline, run again on independent seeds, against itself."""
    claim = evidence.claim
    applicable = [e for e in claim.expectations if e.has_placebo]
    arms = judging.placebo_arms(claim)
    if not arms:
        return ["#### Placebo controls", "", "None applies: this claim makes no paired claim of a difference "
                "(a zero effect satisfies its non-inferiority and equivalence claims, and exact checks need none).", ""]
    lines = ["#### Placebo controls", "",
             f"An A/A comparison: the arm `{arms[0]}` run again on an independent seed stream, against its own runs, "
             "on each metric of a paired claim of a difference, measured as that claim measures it. The true effect "
             "is 0, so a difference either way, two-sided at α = 5 %, is a false positive (BIAS; expected in 5 % of "
             "placebos).", "",
             "| Placebo | Measured | n | test, p | Verdict | |", "|---|---|---|---|---|---|"]
    for sub in evidence.verdict.placebos:
        wrong = sub.verdict == judging.BIAS
        lines.append(f"| **{sub.expectation.id}**: {_cell(sub.expectation.statement)} | {_cell(_measured(sub))} | "
                     f"{sub.n} | {_cell(_test_cell(sub))} | {VERDICT_MARK[sub.verdict]} | "
                     + ("**false positive**" if wrong else "ok") + " |")
    again = evidence.confirmation.verdict.placebos if evidence.confirmation is not None else ()
    if again:
        wrong = [p for p in again if p.verdict == judging.BIAS]
        lines += ["", f"On fresh seeds (the confirmation): {len(again)} placebo{'s' if len(again) > 1 else ''}, "
                      + (", ".join(f"**`{p.expectation.id}` a false positive** ({_cell(_measured(p))})" for p in wrong)
                         if wrong else "none found a difference") + "."]
    covered = {p.expectation.metric for p in evidence.verdict.placebos}
    missing = [e.id for e in applicable if e.metric not in covered]
    if missing:
        lines += ["", f"No placebo for {', '.join(f'`{m}`' for m in missing)}: `{arms[0]}` does not record its "
                      "metric, or this execution has no placebo runs (made before placebos, or they failed)."]
    return lines + [""]


REPLICATED, NOT_REPLICATED = "replicated", "did not replicate"
UNDECIDED = (judging.INCONCLUSIVE, judging.NOT_TESTABLE, judging.ERROR)  # a verdict with nothing to replicate


def replication(discovery: judging.SubVerdict, confirmation: judging.SubVerdict | None) -> str:
    """Whether a sub-claim's verdict replicated on fresh seeds: the confirmation rejects at alpha every null the
    discovery rejected (judge.rejects_again), not 'the same grade again', which would measure power, not truth."""
    if confirmation is None:
        return "not confirmed yet"
    if discovery.verdict in UNDECIDED:
        return f"nothing to replicate ({discovery.verdict.lower()})"
    return REPLICATED if judging.rejects_again(discovery.verdict, confirmation.verdict) else NOT_REPLICATED


def is_settled(evidence: Evidence) -> bool:
    """A claim's verdict is settled when it is decisive and the confirmation on fresh seeds rejects its nulls
    again."""
    confirmation = evidence.confirmation
    return (confirmation is not None and evidence.verdict.verdict not in UNDECIDED
            and judging.rejects_again(evidence.verdict.verdict, confirmation.verdict.verdict))


def pooled(evidence: Evidence) -> dict[str, judging.SubVerdict]:
    """Each statistical sub-claim judged on discovery and confirmation pooled (alone, no Holm): the estimate from
    every seed, shown beside the two verdicts, never a verdict of its own (the streams were not planned as one)."""
    if evidence.confirmation is None:
        return {}
    both = judging.pooled_results(evidence.results, evidence.confirmation.results)
    return {e.id: judging.judge_expectation(e, both) for e in evidence.claim.expectations if not e.exact}


def replication_summary(evidence: Evidence) -> str:
    confirmation = evidence.confirmation
    if confirmation is None:
        return f"not confirmed yet (`reprobench confirm {evidence.claim.id}` runs it on fresh seeds)"
    if evidence.verdict.verdict in UNDECIDED:
        claim_verdict = (f"the claim's verdict ({evidence.verdict.verdict.lower()}) has nothing to replicate; "
                         f"{confirmation.verdict.verdict} on {confirmation.verdict.n_seeds} fresh seeds")
    else:
        claim_verdict = (f"the claim's verdict {'replicated' if is_settled(evidence) else 'did not replicate'}: "
                         f"{confirmation.verdict.verdict} on {confirmation.verdict.n_seeds} fresh seeds")
    subs = {s.expectation.id: s for s in confirmation.verdict.subverdicts}
    outcomes = [replication(s, subs.get(s.expectation.id)) for s in evidence.verdict.subverdicts]
    return (f"{claim_verdict}; sub-claims: {outcomes.count(REPLICATED)} replicated, "
            f"{outcomes.count(NOT_REPLICATED)} did not, {len(outcomes) - outcomes.count(REPLICATED) - outcomes.count(NOT_REPLICATED)} "
            "had nothing decisive to replicate")


def _replication_lines(evidence: Evidence) -> list[str]:
    confirmation = evidence.confirmation
    if confirmation is None:
        return []
    subs = {s.expectation.id: s for s in confirmation.verdict.subverdicts}
    lines = ["#### Replication on fresh seeds", "",
             f"`reprobench confirm` ran the claim again on a seed stream no decision had seen (tuning included): "
             f"execution {_code(confirmation.execution.run_id)}, {confirmation.verdict.n_seeds} seeds. A verdict "
             "replicates when the confirmation rejects, at α, every null the discovery rejected (DIRECTION ONLY "
             "then REPRODUCED replicates the direction; REPRODUCED then DIRECTION ONLY does not replicate the "
             "size); the pooled estimate uses every seed of both (an estimate, not a verdict).", "",
             "| Sub-claim | Role | Discovery | Confirmation | | Pooled |", "|---|---|---|---|---|---|"]
    both = pooled(evidence)
    for sub in evidence.verdict.subverdicts:
        again = subs.get(sub.expectation.id)
        together = both.get(sub.expectation.id)
        lines.append(f"| {sub.expectation.id} | {sub.role} | {VERDICT_MARK[sub.verdict]}, {_effect(sub)} | "
                     + (f"{VERDICT_MARK[again.verdict]}, {_effect(again)}" if again else "–")
                     + f" | {replication(sub, again)} | "
                     + (f"{_effect(together)} (n={together.n})" if together is not None else "–") + " |")
    return lines + [""]


def _definition_lines(store: Store, evidence: Evidence) -> list[str]:
    """The pre-registered definitions (hashes) the verdicts are judged under, against those the runs were made
    under, and the claim's earlier executions at this profile with the verdicts they were given then."""
    claim, execution = evidence.claim, evidence.execution
    lines = ["#### Definitions", "",
             "Each sub-claim's definition (its expectation, the arms, the tuning rule, the budget) is hashed; an "
             "execution records the hashes its runs were made under.", "",
             "| Sub-claim | Judged under | Runs made under |", "|---|---|---|"]
    changed = evidence.changed_definitions()
    for e in claim.expectations:
        now = evidence.definition_now(e.id) or "?"
        then = execution.tags.get(f"definition.{e.id}", "not recorded")
        lines.append(f"| {e.id} | {_code(now)} | {_code(then)}" + (" **changed**" if e.id in changed else "") + " |")
    history = [run for run in runs.executions(store, evidence.experiment_id)
               if run.run_id != execution.run_id and run.tags.get("profile") == evidence.profile
               and "verdict" in run.tags]
    if history:
        lines += ["", "Earlier and other executions of this claim at this profile, with the verdict they were given "
                      "when judged (under the definitions of their time):", "",
                  "| Execution | Code | Stream | Environment | Verdict then |", "|---|---|---|---|---|"]
        lines += [f"| {_code(run.name)} | {_code(run.tags.get('code_hash', '?'))} | {_text(run.tags.get('stream', 'discovery'))} | "
                  f"{_text(_environment_label(run.tags))} | {_text(run.tags['verdict'])} |" for run in history]
    return lines + [""]


def claim_section(store: Store, evidence: Evidence, drawer: PlotDrawer, out_dir: Path) -> list[str]:
    """One claim's section; its plots go to `drawer` (they are on disk once drawer.finish() returns)."""
    claim, verdict, execution = evidence.claim, evidence.verdict, evidence.execution
    tags = execution.tags
    primaries = ", ".join(f"`{e}`" for e in claim.primary)
    lines = [f"### {claim.id}", "", f"**{claim.title}**", "",
             f"**Verdict: {_verdict_mark(evidence)}** {scale_text(claim, evidence.profile, verdict.n_seeds)}; "
             f"{_code(_environment_label(tags))} on {_code(tags.get('device', '?'))}.", "",
             plain_verdict(claim, verdict, is_capped(execution)), "",
             f"Decided by its primary sub-claim{'s' if len(claim.primary) > 1 else ''} {primaries} (the lecture's "
             f"headline); secondary findings: {_headline(evidence)}.", "",
             f"**Replication on fresh seeds:** {replication_summary(evidence)}.", ""]
    changed = evidence.changed_definitions()
    if changed:
        lines += [f"**⚠ Judged under a definition changed after these runs** ({', '.join(f'`{e}`' for e in changed)}): "
                  "the runs were made under the earlier definition; run the claim again for a verdict under the "
                  "current one (see *Definitions* below).", ""]
    if verdict.reason:
        lines += [f"*{_cell(verdict.reason)}*", ""]
    lines += _environment_lines(tags)
    lines += [f"> {_cell(claim.statement)}", "", f"Source: {_cell(claim.source)}.", ""]
    if claim.lecture_number:
        lines += [f"The lecture's numbers: {_cell(claim.lecture_number)}.", ""]
    lines += ["#### Setup", "", claim.setup, "", "| Arm | What it is | Overrides |", "|---|---|---|"]
    for arm in claim.arms:
        overrides = ", ".join(f"{k}={v}" for k, v in arm.overrides.items())
        lines.append(f"| `{arm.name}` | {_cell(arm.description)} | {_cell(overrides)} |")
    budget = claim.budgets.get(evidence.profile)
    config = claim.resolve_config(claim.arms[0].name, evidence.profile) if budget else {}
    lines += ["", f"Base config at `{evidence.profile}`: "
              + ", ".join(f"{k}={v}" for k, v in config.items()
                          if k not in claim.arms[0].overrides and not (claim.tuning and k == claim.tuning.param))
              + (f". Budget: {budget.note}." if budget and budget.note else "."), ""]
    lines += _tuning_lines(claim, evidence) + _summary_lines(claim, evidence) + caveats(claim, evidence)
    lines += (_precondition_lines(evidence) + _subclaim_lines(evidence) + _exact_lines(evidence)
              + _placebo_lines(evidence))
    lines += _replication_lines(evidence) + _definition_lines(store, evidence)
    jobs = plots.plot_jobs(store, claim, evidence.used, evidence.results, drawer.plot_dir)
    if jobs:
        lines += ["", "#### Plots", ""]
        for job in jobs:
            drawer.submit(job, execution)
            lines += [f"![{_cell(job.spec.title)}]({job.path.relative_to(out_dir).as_posix()})", ""]
    failed = [c for c in evidence.children if c.status == "FAILED" and c.tags.get("error")]
    if failed:
        lines += ["", "#### Failed runs", "", "| Run | Error |", "|---|---|"]
        lines += [f"| {_code(c.name)} | {_text(c.tags['error'][:300])} |" for c in failed]
        lines.append("")
    children = sorted(evidence.used.items())
    lines += ["#### MLflow runs", "",
              f"Experiment `{claim.id}` (id {_text(evidence.experiment_id)}); execution run {_code(execution.run_id)} "
              f"({_text(execution.status)}); git {_code(tags.get('git_sha', '?'))}, "
              f"keras {_text(tags.get('keras_version', '?'))}, tensorflow {_text(tags.get('tensorflow_version', '?'))}, "
              f"mlflow {_text(tags.get('mlflow_version', '?'))}.", "",
              f"<details><summary>{len(children)} arm × seed runs</summary>", "", "| Arm | Seed | Run id |",
              "|---|---|---|"]
    lines += [f"| {_text(arm)} | {repeat} | {_code(run.run_id)} |" for (arm, repeat), run in children]
    lines += ["", "</details>", ""]
    replicates = sorted((c.tags.get("arm", ""), int(c.tags.get("repeat", "0")), c) for c in evidence.children
                        if c.tags.get("stage") == "placebo" and c.status == "FINISHED")
    if replicates:
        lines += [f"<details><summary>{len(replicates)} placebo runs</summary>", "", "| Arm | Seed | Run id |",
                  "|---|---|---|"]
        lines += [f"| {_text(arm)} | {repeat} | {_code(run.run_id)} |" for arm, repeat, run in replicates]
        lines += ["", "</details>", ""]
    tuning_runs = sorted((c.tags.get("arm", ""), float(c.tags.get("grid_value", "nan")), c.tags.get("repeat", ""), c)
                         for c in evidence.children if c.tags.get("stage") == "tuning" and c.status == "FINISHED")
    if tuning_runs:
        param = claim.tuning.param if claim.tuning else "value"
        lines += [f"<details><summary>{len(tuning_runs)} tuning runs</summary>", "",
                  f"| Arm | {param} | Tuning seed | Run id |", "|---|---|---|---|"]
        lines += [f"| {_text(arm)} | {value:g} | {_text(repeat)} | {_code(run.run_id)} |"
                  for arm, value, repeat, run in tuning_runs]
        lines += ["", "</details>", ""]
    return lines


CAPPED_MARK = "⏹ NO VERDICT (step-capped)"


def _verdict_mark(evidence: Evidence) -> str:
    """The claim's verdict, or, for a step-capped execution, that it has none (what the capped
    numbers would read is said beside it, never counted)."""
    if is_capped(evidence.execution):
        return f"{CAPPED_MARK}: the capped numbers read {evidence.verdict.verdict}"
    return VERDICT_MARK[evidence.verdict.verdict]


def _isa(tags) -> str:
    """'AVX-512', 'AVX2', 'AVX2 (capped)' (an AVX-512 CPU run with --cpu-isa avx2): the kernels' vector width."""
    isa = tags.get("numerics.cpu_isa", "?")
    name = {"avx": "AVX", "avx2": "AVX2", "avx512": "AVX-512"}.get(isa, isa)
    return name + (" (capped)" if tags.get("numerics.cpu_isa_source", "").startswith("--cpu-isa") else "")


def _environment_label(tags) -> str:
    """'tensorflow · oneDNN on · AVX-512 · 2 threads' (and the precision, when not float32) of one execution."""
    parts = [tags.get("backend", "?")]
    if tags.get("precision", "float32") != "float32":
        parts.append(tags["precision"])
    if "numerics.onednn" in tags:
        parts.append(f"oneDNN {tags['numerics.onednn']}")
    if "numerics.cpu_isa" in tags:
        parts.append(_isa(tags))
    if "numerics.threads" in tags:
        parts.append(f"{tags['numerics.threads']} thread" + ("s" if tags["numerics.threads"] != "1" else ""))
    return " · ".join(parts)


def _column_labels(columns: list[tuple[str, ...]]) -> dict[tuple[str, ...], str]:
    """Each parity column (evidence.VARIANT_TAGS values) named by its backend, its precision when not
    float32, and whatever else (oneDNN, threads, device) differs between the columns."""
    position = {name: i for i, name in enumerate(VARIANT_TAGS)}
    differs = {name: len({c[i] for c in columns}) > 1 for name, i in position.items()}
    labels = {}
    for column in columns:
        value = dict(zip(VARIANT_TAGS, column))
        parts = [value["backend"]] + ([value["precision"]] if value["precision"] != "float32" else [])
        if differs["numerics.onednn"] and value["numerics.onednn"] != "?":
            parts.append(f"oneDNN {value['numerics.onednn']}")
        if (differs["numerics.cpu_isa"] or differs["numerics.cpu_isa_source"]) and value["numerics.cpu_isa"] != "?":
            parts.append(_isa({"numerics.cpu_isa": value["numerics.cpu_isa"],
                               "numerics.cpu_isa_source": value["numerics.cpu_isa_source"]}))
        if differs["numerics.threads"] and value["numerics.threads"] != "?":
            parts.append(f"{value['numerics.threads']} thread" + ("s" if value["numerics.threads"] != "1" else ""))
        if differs["device"]:
            parts.append(value["device"])
        labels[column] = " · ".join(parts)
    return labels


def parity_lines(store: Store, gathered: list) -> list[str]:
    """Verdict × variant (backend, precision, kernels, threads, device): each claim judged in every variant
    it was run in at the profile of its reported execution. Shown when some claim ran in more than one."""
    rows, columns = [], []
    for claim, evidence in gathered:
        if evidence is None or is_capped(evidence.execution):
            continue
        variants = collect_variants(store, claim, evidence.profile, known=evidence)
        rows.append((claim, evidence.profile, variants))
        columns += [v for v in variants if v not in columns]
    if not any(len(variants) > 1 for _, _, variants in rows):
        return []
    order = {"tensorflow": 0, "jax": 1, "torch": 2}
    capped = VARIANT_TAGS.index("numerics.cpu_isa_source")
    columns.sort(key=lambda v: (v[1] != "float32", order.get(v[0], 3), v[2] == "off", v[capped].startswith("--cpu-isa"), v))
    label = _column_labels(columns)
    lines = ["## Backend parity", "",
             "The same claims, profile and seeds judged on each Keras backend, precision and numeric environment "
             "(oneDNN kernels, the CPU's vector width, threads) they were run in. Backends draw different random numbers from the same seed, "
             "and kernels and thread counts round differently, so agreement is expected at the level of verdicts, "
             "not of individual runs. Each cell: the verdict, then the first primary sub-claim's estimate.", "",
             "| Claim | Profile | " + " | ".join(_text(label[v]) for v in columns) + " | Agree |",
             "|---|---|" + "---|" * len(columns) + "---|"]
    differing = []
    for claim, profile, variants in rows:
        cells = []
        for variant in columns:
            evidence = variants.get(variant)
            if evidence is None:
                cells.append("–")
                continue
            head = next(iter(_primaries(evidence)), None)
            cells.append(f"{VERDICT_MARK[evidence.verdict.verdict]}"
                         + (f" ({_effect(head)}, n={head.n})" if head else ""))
        by_id: dict[str, dict] = {}  # sub-claim id -> {variant: verdict}, in the claim's order
        for variant in columns:
            if variant in variants:
                for sub in variants[variant].verdict.subverdicts:
                    by_id.setdefault(sub.expectation.id, {})[variant] = sub.verdict
        split = [(claim.id, sub_id, found) for sub_id, found in by_id.items() if len(set(found.values())) > 1]
        claim_verdicts = {e.verdict.verdict for e in variants.values()}
        agree = ("only one run" if len(variants) < 2 else
                 ("yes" if len(claim_verdicts) == 1 else "**no**")
                 + f"; sub-claims {len(by_id) - len(split)}/{len(by_id)} agree")
        lines.append(f"| [{claim.id}](#{claim.id}) | {_text(profile)} | " + " | ".join(cells) + f" | {agree} |")
        differing += split
    if differing:
        lines += ["", "Sub-claims whose verdicts differ between columns:", ""]
        lines += [f"- {_text(claim_id)} · {_text(sub_id)}: "
                  + ", ".join(f"{_text(label[v])} {verdict}" for v, verdict in found.items())
                  for claim_id, sub_id, found in differing]
    return lines + [""]


def _run_as(evidence: Evidence) -> str:
    """Where and how an execution ran: 'quick · tensorflow · oneDNN on · 2 threads · cpu' (and its dataset, cap)."""
    tags = evidence.execution.tags
    return (f"{_text(evidence.profile)} · {_text(_environment_label(tags))} · {_text(tags.get('device', '?'))}"
            + (f" · {_text(tags['dataset'])}" if "dataset" in tags else "")
            + (f" · **capped at {_text(tags['step_cap'])} steps**" if "step_cap" in tags else ""))


def _replicated_cell(evidence: Evidence) -> str:
    confirmation = evidence.confirmation
    if confirmation is None:
        return "not yet"
    if evidence.verdict.verdict in UNDECIDED:
        return f"nothing to replicate (fresh seeds: {confirmation.verdict.verdict.lower()})"
    return f"{'yes' if is_settled(evidence) else '**no**'}: {confirmation.verdict.verdict.lower()}"


def summary_lines(gathered: list) -> list[str]:
    """The long table: per lecture topic, each claim's words (its title), what its primary sub-claims measured with
    their intervals, the verdict and whether it held again on fresh seeds (a column only once some claim was
    confirmed). Where every claim ran the same way (profile, backend, device), that is said once above the table;
    else each row says it."""
    found = [e for _, e in gathered if e is not None]
    ways = {_run_as(e) for e in found}
    one_way = len(ways) == 1
    confirmed = any(e.confirmation is not None for e in found)
    lines = []
    if found:
        seeds = sorted({e.verdict.n_seeds for e in found})
        lines += [("All claims ran as " + next(iter(ways)) if one_way else "Claims ran in different ways (see each row)")
                  + f"; {'/'.join(map(str, seeds))} seeds each. Each number is an estimate with the range of values "
                    "the data allow (a 91 % confidence interval), at the precision that range supports"
                  + ("" if confirmed else "; no claim has been run again on fresh seeds yet (`reprobench confirm`)")
                  + ". Each claim's detail follows below, by topic.", ""]
    columns = ["Claim", "The lecture says", "What we measured (the headline sub-claims)", "Verdict"]
    columns += ["Held on fresh seeds"] if confirmed else []
    columns += [] if one_way else ["Ran as"]
    lines += ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    topic = None
    for claim, evidence in gathered:
        if topic_of(claim.id) != topic:
            topic = topic_of(claim.id)
            lines.append(f"| **{_cell(topic.title)}** |" + " |" * (len(columns) - 1))
        if evidence is None:
            lines.append(f"| {claim.id} | {_cell(claim.title)} | not run yet |" + " – |" * (len(columns) - 3))
            continue
        cells = [f"[{claim.id}](#{claim.id})", _cell(claim.title), _summary_cell(evidence), _verdict_mark(evidence)]
        cells += [_replicated_cell(evidence)] if confirmed else []
        cells += [] if one_way else [_run_as(evidence)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def headline_number(evidence: Evidence) -> str:
    """The claim's one number, with what it measures: its first primary sub-claim's estimate at the precision its
    interval supports, '×0.62 steps_to_target (relu ÷ tanh)', '−0.0085 val_accuracy (stack − single)'."""
    subs = _primaries(evidence)
    if subs and subs[0].verdict == judging.NOT_TESTABLE:
        return "not tested (a precondition failed)"
    if not subs or subs[0].n == 0:
        return "no data"
    sub = subs[0]
    e = sub.expectation
    if sub.method == "exact":
        return f"{_measured(sub)} {e.metric}"
    if e.scale == "log10" and e.baseline:
        return f"{_ratio(sub).split(' [')[0]} {e.metric} ({e.arm} ÷ {e.baseline})"
    estimate = fmt_interval(sub.mean, sub.ci_low, sub.ci_high).split(" [")[0]
    if e.baseline:
        return f"{'' if estimate.startswith('-') else '+'}{estimate} {e.metric} ({e.arm} − {e.baseline})"
    return f"{estimate} {e.metric} ({e.arm})"


def glance_lines(gathered: list) -> list[str]:
    """The summary that fits one screen: per topic, each claim's verdict mark, its id and its one number."""
    lines, by_topic = [], {}
    for claim, evidence in gathered:
        by_topic.setdefault(topic_of(claim.id).title, []).append((claim, evidence))
    for title, entries in by_topic.items():
        cells = []
        for claim, evidence in entries:
            if evidence is None:
                cells.append(f"– {claim.id} (not run yet)")
                continue
            mark = CAPPED_MARK.split()[0] if is_capped(evidence.execution) else VERDICT_MARK[evidence.verdict.verdict].split()[0]
            cells.append(f"{mark} [{claim.id}](#{claim.id}) {_cell(headline_number(evidence))}")
        lines.append(f"- **{_cell(title)}**: " + " · ".join(cells))
    return lines


def write_report(store: Store, out_dir: str | Path = ".", profile: str | None = None,
                 claim_ids: list[str] | None = None, force: bool = False, workers: int | None = None,
                 on_plots=None) -> Path:
    """Write FINDINGS.md and its plots from the store. Refused (ReportRefused, nothing written) when the store
    holds no execution of the claims at the profile, or, unless `force`, when a report already there judged more
    claims than this one would: a typo in a store's name never costs a good report. `workers`: processes that draw
    the plots (default: one per core, up to 4; 1 draws them here); `on_plots(drawer)` is told, at the end, how many
    plots were drawn, copied and kept (PlotDrawer.summary)."""
    out_dir = Path(out_dir)
    claims = [c for cid, c in registry().items() if claim_ids is None or cid in claim_ids]
    gathered = [(claim, collect(store, claim, profile)) for claim in claims]
    found = [e for _, e in gathered if e is not None]
    at = f" at profile {profile}" if profile else ""
    if not found:
        raise ReportRefused(f"{store.uri} holds no execution of {'these claims' if claim_ids else 'any claim'}{at}: "
                            "no report written")
    before = judged_in(out_dir / REPORT_NAME)
    if before is not None and before > len(found) and not force:
        raise ReportRefused(f"{out_dir / REPORT_NAME} judges {before} claims, {store.uri}{at} only {len(found)}: "
                            "not written over (`reprobench report --force` writes it anyway)")
    out_dir.mkdir(parents=True, exist_ok=True)
    plot_dir = out_dir / PLOTS_DIR
    judged = [e for e in found if not is_capped(e.execution)]
    decisive = [e for e in judged if e.profile != "smoke"]  # smoke never decides: its placebos are no evidence
    totals = {v: sum(e.verdict.verdict == v for e in judged) for v in judging.VERDICTS}
    capped = len(found) - len(judged)
    settled = sum(is_settled(e) for e in judged)
    confirmed = sum(e.confirmation is not None for e in judged)
    # every judged placebo: the discovery executions' and, where confirmed, the confirmations'
    false_positives, placebos = judging.false_positive_rate(
        [e.verdict for e in decisive] + [e.confirmation.verdict for e in decisive if e.confirmation is not None])
    placebo_text = (f"**Placebo controls:** {false_positives} of {placebos} found a difference where none exists "
                    f"(a false-positive rate of {false_positives / placebos:.1%}, against α = 5 %"
                    f"{'; discovery and confirmation' if confirmed else ''}). Each is an A/A comparison (a claim's "
                    "baseline arm on independent seeds against its own runs) tested two-sided at no difference, one "
                    "per claim and metric; a claim's placebos share its baseline's runs, so they are not independent "
                    "within a claim, and they see bias in how an arm is measured, not between two arms." if placebos else
                    "**Placebo controls:** none judged yet.")
    exchanged = [(e.claim.id, sub) for e in decisive for sub in e.verdict.asymmetric]
    paired = sum(1 for e in decisive for x in e.claim.expectations if x.baseline and not x.exact)
    mirror_text = (f"**Arms exchanged:** each of the {paired} paired sub-claims judged again with its two arms' roles "
                   "swapped ('a − b > m' as 'b − a < −m'; censored runs stay with their arm) reads "
                   + ("the same grade: the judge favours neither side, in the paired and censored paths alike. "
                      if not exchanged else
                      f"the same grade except {', '.join(f'`{c}`/`{s}`' for c, s in exchanged)}: a bias between arms "
                      "in the judge, so those grades are not to be trusted. ")
                   + "It checks the judge, not the runs: a bias in how one arm's runs are made is not seen by it."
                   if paired else "")
    method = ("Written by `reprobench report` from the MLflow store alone; every verdict is judged from the stored "
              "runs over several seeds: one-sided tests at 0.9·α = 0.045 at the seeds a profile plans (α = 0.05 spent over looks: the "
              "other 0.1·α is kept for seeds bought later with `--seeds`), with the matching 91 % intervals (Student's t; exact binomial "
              "and McNemar tests for 0/1 outcomes; a signed-rank test on bounds where a run was censored). A claim's verdict "
              "is that of its primary sub-claims, each tested at α (the claim holds only when all do); refuting one, "
              "and the secondary sub-claims, are Holm-adjusted.")
    lines = [JUDGED_MARK.format(n=len(found)), "# Findings", "",
             "What the lectures claim, what our experiments measured, and whether each claim held there. Every verdict "
             "is computed from the runs stored in MLflow, over several seeds, by rules fixed before the runs; a verdict "
             "holds at the scale it names, and a claim that could not be tested at that scale says so. "
             "[How the verdicts are judged](#how-the-verdicts-are-judged) gives the statistics.", "",
             "**Verdicts (claims):** " + " · ".join([f"{VERDICT_MARK[v]}: {n}" for v, n in totals.items()
                                                     if n and v != judging.NOT_TESTABLE]
                                                    + ([f"{CAPPED_MARK}: {capped}"] if capped else []))
             + (f"; counted apart, {VERDICT_MARK[judging.NOT_TESTABLE]}: {totals[judging.NOT_TESTABLE]} (a "
                "precondition failed: the question could not be asked at this scale)"
                if totals[judging.NOT_TESTABLE] else "")
             + (f" · not run yet: {len(gathered) - len(found)}" if len(gathered) > len(found) else ""), "",
             f"**Settled** (decisive, and every null it rejected rejected again on fresh seeds): {settled} of {len(judged)} claims; "
             f"{confirmed} confirmed so far (`reprobench confirm`).", "",
             "Grades: " + "; ".join(GRADES) + ".", "",
             "## At a glance", "", "Each claim's verdict and its one number (the first primary sub-claim's estimate); "
             "the table below gives each with its interval, and each claim's section the whole evidence.", ""]
    lines += glance_lines(gathered)
    lines += ["", "## Summary", ""]
    lines += summary_lines(gathered)
    broken = broken_modules()
    if broken:
        lines += ["", "**Claim modules that failed to load** (their claims are ERROR, not judged):", ""]
        lines += [f"- `{name}`: {_text(error)}" for name, error in broken.items()]
    lines += ["", "## How the verdicts are judged", "", method, "", placebo_text, "",
              *([mirror_text, ""] if mirror_text else [])]
    lines += parity_lines(store, gathered)
    topic = None
    drawer = PlotDrawer(store, plot_dir, workers)
    try:
        for evidence in found:
            if topic_of(evidence.claim.id) != topic:
                topic = topic_of(evidence.claim.id)
                lines += [f"## {topic.title}", ""]
            lines += claim_section(store, evidence, drawer, out_dir)
    finally:
        drawer.finish()
    if on_plots is not None:
        on_plots(drawer)
    path = out_dir / REPORT_NAME
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return path
