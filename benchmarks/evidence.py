"""Evidence: a claim's runs read back from the store, ready for the judge, the plots and the report."""

from __future__ import annotations

import dataclasses

from benchmarks import judge as judging
from mlflow_tracking import runs
from mlflow_tracking.store import Store
from reproductions.claim import PROFILES, Claim


def results_of(store: Store, experiment_id: str, parent_run_id: str, n_seeds: int):
    """The FINISHED children of an execution, newest per arm × repeat, for repeats < n_seeds.

    Returns (results, used, children): results[arm][repeat][metric] for the judge, the child run
    used for each (arm, repeat), and every child of the execution.
    """
    children = runs.children(store, experiment_id, parent_run_id)
    used: dict[tuple[str, int], runs.StoredRun] = {}
    for child in children:  # oldest first, so a newer run of the same (arm, repeat) wins
        if child.status == "FINISHED" and "arm" in child.tags and int(child.tags["repeat"]) < n_seeds:
            used[(child.tags["arm"], int(child.tags["repeat"]))] = child
    table: dict[str, dict[int, dict[str, float]]] = {}
    for (arm, repeat), child in sorted(used.items()):
        metrics = dict(child.metrics)
        for key, text in child.tags.items():  # non-finite values are kept as tags, not dropped
            if key.startswith("nonfinite."):
                metrics[key[len("nonfinite."):]] = float(text.split()[0])
        table.setdefault(arm, {})[repeat] = metrics
    return table, used, children


@dataclasses.dataclass(frozen=True)
class Evidence:
    """One claim's newest execution, read back and judged."""

    claim: Claim
    experiment_id: str
    execution: runs.StoredRun
    results: dict
    used: dict  # (arm, repeat) -> StoredRun
    verdict: judging.ClaimVerdict

    @property
    def profile(self) -> str:
        return self.execution.tags.get("profile", "?")


def collect(store: Store, claim: Claim, profile: str | None = None) -> Evidence | None:
    """The claim's newest execution at `profile`; without one, at the most thorough profile run
    (full, then quick, then smoke), so a smoke check never hides a real verdict."""
    experiment_id = store.experiment_id(claim.id, create=False)
    if experiment_id is None:
        return None
    rank = {name: i for i, name in enumerate(reversed(PROFILES))}
    candidates = [e for e in runs.executions(store, experiment_id)  # newest first
                  if profile is None or e.tags.get("profile") == profile]
    candidates.sort(key=lambda e: rank.get(e.tags.get("profile"), len(rank)))  # stable: newest first per profile
    fallback = None
    for execution in candidates:
        n_seeds = int(execution.tags.get("n_seeds", "0") or 0)
        table, used, _ = results_of(store, experiment_id, execution.run_id, n_seeds)
        verdict = judging.judge_claim(claim, table, execution.tags.get("profile", "?"))
        evidence = Evidence(claim, experiment_id, execution, table, used, verdict)
        if used:
            return evidence
        # an execution with no finished runs (just started, or every run failed) does not hide
        # an older one with results; with nothing better it is reported, as ERROR
        fallback = fallback or evidence
    return fallback
