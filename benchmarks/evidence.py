"""Evidence: a claim's runs read back from the store, ready for the judge, the plots and the report."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from benchmarks import judge as judging
from benchmarks.tuning import TuningChoice, choose_extended
from mlflow_tracking import runs
from mlflow_tracking.store import Store
from reproductions.claim import PROFILES, Claim


def results_of(store: Store, experiment_id: str, parent_run_id: str, n_seeds: int, stage: str = "eval"):
    """The FINISHED children of an execution at `stage` ('eval' or 'placebo'), newest per arm × repeat,
    for repeats < n_seeds.

    Returns (results, used, children): results[arm][repeat][metric] for the judge, the child run
    used for each (arm, repeat), and every child of the execution.
    """
    children = runs.children(store, experiment_id, parent_run_id)
    return (*_table(children, stage, n_seeds), children)


def _table(children: list[runs.StoredRun], stage: str, n_seeds: int):
    used: dict[tuple[str, int], runs.StoredRun] = {}
    for child in children:  # oldest first, so a newer run of the same (arm, repeat) wins
        if _usable(child, stage, n_seeds):
            used[(child.tags["arm"], int(child.tags["repeat"]))] = child
    table: dict[str, dict[int, dict[str, float]]] = {}
    for (arm, repeat), child in sorted(used.items()):
        table.setdefault(arm, {})[repeat] = metrics_of(child)
    return table, used


def _usable(child: runs.StoredRun, stage: str, n_seeds: int) -> bool:
    return (child.status == "FINISHED" and "arm" in child.tags and child.tags.get("stage", "eval") == stage
            and int(child.tags["repeat"]) < n_seeds)


def metrics_of(child: runs.StoredRun) -> dict[str, float]:
    """A run's final metrics, with non-finite values (kept as tags, never dropped) restored."""
    metrics = dict(child.metrics)
    for key, text in child.tags.items():
        if key.startswith("nonfinite."):
            metrics[key[len("nonfinite."):]] = float(text.split()[0])
    return metrics


def tuning_choices(claim: Claim, children: list[runs.StoredRun], n_tuning_seeds: int,
                   profile: str, dataset: str | None = None) -> dict[str, TuningChoice]:
    """Each tuned arm's best grid value, from its FINISHED tuning runs (newest per grid value × seed)."""
    if claim.tuning is None:
        return {}
    latest: dict[tuple[str, float, int], dict[str, float]] = {}
    for child in children:
        if _usable(child, "tuning", n_tuning_seeds):
            latest[(child.tags["arm"], float(child.tags["grid_value"]), int(child.tags["repeat"]))] = metrics_of(child)
    choices = {}
    for arm in (a.name for a in claim.arms if a.tuned):
        by_value: dict[float, list[dict[str, float]]] = {}
        for (name, value, _), metrics in sorted(latest.items()):
            if name == arm:
                by_value.setdefault(value, []).append(metrics)
        choices[arm] = choose_extended(claim.tuning, arm, by_value, claim.tuning_grid(arm, profile, dataset))
    return choices


@dataclasses.dataclass(frozen=True)
class Evidence:
    """One claim's newest execution, read back and judged."""

    claim: Claim
    experiment_id: str
    execution: runs.StoredRun
    results: dict
    used: dict  # (arm, repeat) -> StoredRun
    verdict: judging.ClaimVerdict
    tuning: dict  # tuned arm -> TuningChoice
    children: list  # every child run of the execution (eval, placebo and tuning, any status)
    placebo_results: dict = dataclasses.field(default_factory=dict)
    confirmation: Evidence | None = None  # the same claim judged again on fresh seeds (`reprobench confirm`)

    @property
    def profile(self) -> str:
        return self.execution.tags.get("profile", "?")

    @property
    def definition_scheme(self) -> int:
        """How the execution's definition hashes were made (reproductions.claim.DEFINITION_SCHEME; executions
        written before the tag existed used scheme 1, which hashed the words too)."""
        return int(self.execution.tags.get("definition_scheme", "1") or 1)

    def definition_now(self, expectation_id: str) -> str | None:
        """The sub-claim's definition hash now, made as the execution's were (so an older store compares like
        with like), or None when the claim no longer has the profile."""
        if self.profile not in self.claim.budgets:
            return None
        return self.claim.definition_hash(expectation_id, self.profile, scheme=self.definition_scheme)

    def changed_definitions(self) -> dict[str, tuple[str, str]]:
        """Sub-claims whose definition differs from the one the runs were made under: id -> (then, now).
        (Executions from before definitions were recorded have none to compare.)"""
        changed = {}
        for e in self.claim.expectations:
            then = self.execution.tags.get(f"definition.{e.id}")
            now = self.definition_now(e.id)
            if then is not None and then != now:
                changed[e.id] = (then, now)
        return changed


# what sets one column of the parity table apart: the backend, its precision, the numeric environment
# (benchmarks.numerics: oneDNN, threads) and the device; absent tags read as their defaults
VARIANT_TAGS = ("backend", "precision", "numerics.onednn", "numerics.cpu_isa", "numerics.cpu_isa_source",
                "numerics.threads", "device")
_VARIANT_DEFAULTS = {"precision": "float32"}


def variant_of(execution: runs.StoredRun) -> tuple[str, ...]:
    """The values of VARIANT_TAGS of an execution, for the parity table."""
    return tuple(execution.tags.get(name, _VARIANT_DEFAULTS.get(name, "?")) for name in VARIANT_TAGS)


def is_default_numerics(execution: runs.StoredRun) -> bool:
    """Float32 with the kernels the project chooses (oneDNN on where the backend has it, the CPU's own vector
    width rather than a capped one)."""
    tags = execution.tags
    return (tags.get("precision", "float32") == "float32" and tags.get("numerics.onednn") != "off"
            and not tags.get("numerics.cpu_isa_source", "").startswith("--cpu-isa"))


def is_capped(execution: runs.StoredRun) -> bool:
    """A run under a step cap checks shapes; its numbers are no evidence for a verdict."""
    return "step_cap" in execution.tags


def is_confirmation(execution: runs.StoredRun) -> bool:
    """An execution on the confirmation seed stream (`reprobench confirm`)."""
    return execution.tags.get("stream") == "confirmation"


LOOKS_TAG = "looks"  # the seed counts an execution was judged at, in order ("5,10"): its looks, for alpha spending


def recorded_looks(tags: Mapping[str, str]) -> tuple[int, ...]:
    """The seed counts an execution was judged at before (its LOOKS_TAG; none in stores older than the tag)."""
    return tuple(int(n) for n in tags.get(LOOKS_TAG, "").split(",") if n.strip().isdigit())


def look_at(claim: Claim, profile: str, n_seeds: int, tags: Mapping[str, str]) -> judging.Look:
    """Which look at the claim's seeds a judgement at `n_seeds` is, from the looks the execution records."""
    planned = claim.budgets[profile].seeds if profile in claim.budgets else n_seeds
    return judging.look_of(n_seeds, planned or n_seeds, recorded_looks(tags))


def _judged(store: Store, claim: Claim, experiment_id: str, execution: runs.StoredRun) -> Evidence:
    n_seeds = int(execution.tags.get("n_seeds", "0") or 0)
    profile = execution.tags.get("profile", "?")
    children = runs.children(store, experiment_id, execution.run_id)
    table, used = _table(children, "eval", n_seeds)
    placebo_table, _ = _table(children, "placebo", n_seeds)
    verdict = judging.judge_claim(claim, table, profile, placebo_table,
                                  look_at(claim, profile, n_seeds, execution.tags) if n_seeds else None)
    tuning = tuning_choices(claim, children, int(execution.tags.get("n_tuning_seeds", "0") or 0),
                            execution.tags.get("profile", "quick"), execution.tags.get("dataset"))
    return Evidence(claim, experiment_id, execution, table, used, verdict, tuning, children, placebo_table)


def _candidates(store: Store, experiment_id: str, profile: str | None) -> list[runs.StoredRun]:
    """Executions at `profile` (any, if None), most thorough profile first, then uncapped before
    step-capped, float32 with the project's kernels before other precisions and kernels, then newest first."""
    rank = {name: i for i, name in enumerate(reversed(PROFILES))}
    candidates = [e for e in runs.executions(store, experiment_id)  # newest first
                  if (profile is None or e.tags.get("profile") == profile) and not is_confirmation(e)]
    candidates.sort(key=lambda e: (rank.get(e.tags.get("profile"), len(rank)), is_capped(e),
                                   not is_default_numerics(e)))  # stable: newest first within a key
    return candidates


def collect(store: Store, claim: Claim, profile: str | None = None) -> Evidence | None:
    """The claim's newest execution at `profile`; without one, at the most thorough profile run
    (full, then quick, then smoke), so a smoke check never hides a real verdict. Uncapped float32
    executions with the project's kernels come first; a step-capped one is reported only when there
    is nothing else."""
    experiment_id = store.experiment_id(claim.id, create=False)
    if experiment_id is None:
        return None
    fallback = None
    for execution in _candidates(store, experiment_id, profile):
        evidence = _judged(store, claim, experiment_id, execution)
        if evidence.used:
            return dataclasses.replace(evidence, confirmation=_confirmation(store, claim, experiment_id, execution))
        # an execution with no finished runs (just started, or every run failed) does not hide
        # an older one with results; with nothing better it is reported, as ERROR
        fallback = fallback or evidence
    return fallback


def _confirmation(store: Store, claim: Claim, experiment_id: str, discovery: runs.StoredRun) -> Evidence | None:
    """The newest finished confirmation of a discovery execution: the same claim code, profile and variant
    (backend, precision, kernels, threads, device), on the confirmation seed stream."""
    for execution in runs.executions(store, experiment_id):  # newest first
        if (is_confirmation(execution) and execution.status == "FINISHED"
                and execution.tags.get("profile") == discovery.tags.get("profile")
                and execution.tags.get("code_hash") == discovery.tags.get("code_hash")
                and variant_of(execution) == variant_of(discovery)):
            evidence = _judged(store, claim, experiment_id, execution)
            if evidence.used:
                return evidence
    return None


def collect_variants(store: Store, claim: Claim, profile: str,
                     known: Evidence | None = None) -> dict[tuple[str, str], Evidence]:
    """The newest finished, uncapped execution per variant (backend, precision, kernels, threads,
    device) at `profile`: the same claim judged in each variant it was run in (the parity table). An execution still
    running (or interrupted) is left out: its verdict is not final. `known`: an execution already judged (the
    report's), used as it is rather than judged again."""
    experiment_id = store.experiment_id(claim.id, create=False)
    if experiment_id is None:
        return {}
    found: dict[tuple[str, str], Evidence] = {}
    for execution in runs.executions(store, experiment_id):  # newest first
        if (execution.tags.get("profile") != profile or is_capped(execution) or execution.status != "FINISHED"
                or is_confirmation(execution) or variant_of(execution) in found):
            continue
        if known is not None and known.execution.run_id == execution.run_id:
            evidence = dataclasses.replace(known, confirmation=None)
        else:
            evidence = _judged(store, claim, experiment_id, execution)
        if evidence.used:
            found[variant_of(execution)] = evidence
    return found


def mean_run_seconds(store: Store, claim_id: str, profile: str, backend: str) -> float | None:
    """The mean time of a claim's finished runs in earlier executions at this profile and backend
    (for the progress display's ETA), or None when there are none."""
    experiment_id = store.experiment_id(claim_id, create=False)
    if experiment_id is None:
        return None
    seconds = []
    for execution in runs.executions(store, experiment_id):
        if execution.tags.get("profile") == profile and execution.tags.get("backend") == backend:
            seconds += [c.metrics["run_seconds"] for c in runs.children(store, experiment_id, execution.run_id)
                        if c.status == "FINISHED" and "run_seconds" in c.metrics
                        and c.tags.get("machine.shared") != "true"]  # a shared machine's clock is not the run's
            if len(seconds) >= 20:
                break
    return sum(seconds) / len(seconds) if seconds else None
