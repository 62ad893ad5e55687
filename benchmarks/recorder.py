"""The recorder: the only code that writes a claim's execution to the store.

It opens (or resumes) the execution run, claims each planned run's child in the store before it is handed
to an executor (so another process on the same store waits for it, or keeps it when finished), logs what came
back (metrics, or the error), records the tuning choices, and at the end judges the claim from the runs read
back from the store (never from memory), logs the verdict and attaches the plots. Several drivers may share
one store: who does a run is settled by mlflow_tracking.runs' lock-free protocol.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

from benchmarks import judge as judging
from benchmarks import numerics, plots
from benchmarks.evidence import LOOKS_TAG, look_at, recorded_looks, results_of, tuning_choices
from benchmarks.identity import Outcome
from benchmarks.plan import ClaimPlan, PlannedRun
from mlflow_tracking import runs
from mlflow_tracking.views import VIEW_STAGES, VIEW_TAG, encoded, view_filter, view_key, views
from mlflow_tracking.store import Store
from reproductions.claim import DEFINITION_SCHEME


class Recorder:
    """Writes one claim's execution: its parent run, a child per planned run, the verdict."""

    def __init__(self, store: Store, plan: ClaimPlan, environment: dict, executor: str = "local"):
        self.store, self.plan = store, plan
        claim = plan.claim
        described = environment["described"]
        self.base_tags = {"claim": claim.id, "profile": plan.profile, **environment["provenance"],
                          **plan.variant.tags(), **{f"numerics.{name}": value for name, value in described.items()},
                          "executor": executor}
        self.label = numerics.label(described)
        self.experiment_id = store.experiment_id(claim.id, f"{claim.title}\n\n{claim.statement}")
        self.parent: str | None = None

    def open(self, force: bool = False) -> int:
        """Resume the execution (or start it); runs left RUNNING by a dead process are marked abandoned.
        Returns how many were."""
        plan, claim = self.plan, self.plan.claim
        name = " · ".join(part for part in (f"{claim.id} · {plan.profile} · {plan.backend}{plan.variant.label()}",
                                            self.label) if part)
        self.parent, _ = runs.open_execution(
            self.store, self.experiment_id, plan.execution_key, name,
            # the definitions the runs are made and judged under (pre-registration: the report marks a verdict
            # judged under a definition changed since)
            tags={**self.base_tags, "code_hash": plan.code_hash, "definition_scheme": str(DEFINITION_SCHEME),
                  **{f"definition.{e.id}": claim.definition_hash(e.id, plan.profile) for e in claim.expectations}},
            params={"profile": plan.profile, "backend": plan.backend, "claim_code_hash": plan.code_hash,
                    **plan.variant.tags(), **{f"base.{k}": v for k, v in claim.base_config.items()}}, force=force)
        runs.log(self.store, self.parent, tags={"n_seeds": str(plan.seeds), "n_tuning_seeds": str(plan.tuning_seeds),
                                                "status_note": "running"})
        return len(runs.mark_abandoned(self.store, self.children()))

    def children(self) -> list[runs.StoredRun]:
        return runs.children(self.store, self.experiment_id, self.parent)

    def claim(self, run: PlannedRun) -> runs.Claimed:
        """The run's child in the store: ours to do, finished before, or being done by another live process."""
        claim = self.plan.claim
        tags = {**self.base_tags, "arm": run.arm, "repeat": str(run.repeat), "seed": str(run.seed),
                "run_key": run.key, "stage": run.stage}
        if run.stage == "tuning":
            tags["tuned_param"] = claim.tuning.param
            tags["grid_value"] = repr(float(run.config[claim.tuning.param]))
        return runs.claim_child(self.store, self.experiment_id, self.parent, run.name, tags=tags,
                                params={**run.config, "seed": run.seed, "repeat": run.repeat, "arm": run.arm,
                                        "stage": run.stage})

    def record(self, run_id: str, outcome: Outcome) -> None:
        """A run that came back: FINISHED with its metrics, or FAILED with its error (the judge says ERROR for
        what is missing; the next invocation does it again)."""
        where = {f"worker.{k}": str(v) for k, v in outcome.worker.items() if k in ("host", "pid", "node")}
        if outcome.status == "finished":
            runs.log(self.store, run_id, scalars={**outcome.scalars, "run_seconds": outcome.seconds},
                     series=outcome.series, tags=where)
            runs.finish(self.store, run_id, "FINISHED")
        else:
            runs.log(self.store, run_id, tags={**where, "error": outcome.error[:4000],
                                               **({"traceback": outcome.traceback} if outcome.traceback else {}),
                                               **({"refused": "true"} if outcome.status == "refused" else {})})
            runs.finish(self.store, run_id, "FAILED")

    def shared(self, run_id: str, concurrent: int) -> None:
        """The run shared its machine with `concurrent` other runs: its wall-clock metrics are not its own."""
        runs.log(self.store, run_id, tags={"machine.shared": "true", "machine.concurrent_runs": str(concurrent)})

    def kill(self, run_id: str) -> None:
        runs.finish(self.store, run_id, "KILLED")

    def tuning(self) -> dict:
        """The value chosen for each tuned arm, read from the tuning runs in the store; logged on the execution."""
        plan = self.plan
        choices = tuning_choices(plan.claim, self.children(), plan.tuning_seeds, plan.profile, plan.variant.dataset)
        runs.log(self.store, self.parent, tags={
            **{f"tuned.{arm}": repr(c.value) for arm, c in choices.items()},
            **{f"tuned.{arm}.on_edge": str(c.on_edge).lower() for arm, c in choices.items()}})
        return choices

    def judge(self) -> judging.ClaimVerdict:
        """Judge from the runs read back, log the verdict and the plots, finish the execution."""
        plan, store, parent = self.plan, self.store, self.parent
        table, used, _ = results_of(store, self.experiment_id, parent, plan.seeds)
        placebo_table, _, _ = results_of(store, self.experiment_id, parent, plan.seeds, stage="placebo")
        tags = store.client.get_run(parent).data.tags
        look = look_at(plan.claim, plan.profile, plan.seeds, tags)
        verdict = judging.judge_claim(plan.claim, table, plan.profile, placebo_table, look)
        log_verdict(store, parent, verdict)
        # this look joins the execution's record of looks: a later `--seeds N` is judged as the next one
        runs.log(store, parent, tags={LOOKS_TAG: ",".join(map(str, sorted(set(recorded_looks(tags)) | {plan.seeds})))})
        cap = plan.variant.step_cap
        if cap is not None:  # the judge ran on capped numbers: say so where the verdict is shown
            runs.log(store, parent, tags={"status_note": f"step-capped at {cap} steps: no evidence",
                                          "mlflow.note.content": f"**Step-capped at {cap} training steps per "
                                          "run: a check of the profile's shapes, no verdict.**\n\n" + _description(verdict)})
        with tempfile.TemporaryDirectory() as scratch:  # the plots travel with the execution run
            jobs = plots.plot_jobs(store, plan.claim, used, table, Path(scratch))
            for job in jobs:
                runs.log_artifact(store, parent, str(plots.draw(job)), "plots")
            if jobs:  # which pictures they are: a report drawing the same ones copies them instead
                runs.log(store, parent, tags={plots.STORED_TAG: json.dumps(
                    {job.path.name: job.fingerprint for job in jobs}, sort_keys=True)})
        runs.finish(store, parent, "FINISHED")
        return verdict

    def stop(self, status: str, note: str, error: str | None = None) -> None:
        """The execution stops unjudged (KILLED by Ctrl-C, FAILED by an error), unless another live process
        is still working in it and will finish it."""
        if status == "KILLED" and any(runs.is_live(c) for c in self.children()):
            return
        runs.log(self.store, self.parent, tags={"status_note": note, **({"error": error[:4000]} if error else {})})
        runs.finish(self.store, self.parent, status)


def verdict_counts(verdict: judging.ClaimVerdict) -> str:
    """Every sub-claim's verdict counted by its role, the primaries first (they make the claim's verdict), e.g.
    'primary: REPRODUCED 2 · secondary: INCONCLUSIVE 1 · exact: HOLDS 7': never empty, never at odds with the
    claim's verdict (secondaries and exact checks are counted apart from the primaries)."""
    roles = [judging.PRIMARY, judging.SECONDARY, judging.PRECONDITION, judging.EXACT]
    groups = []
    for role in roles + sorted({s.role for s in verdict.subverdicts} - set(roles)):
        found = [s.verdict for s in verdict.subverdicts if s.role == role]
        if found:
            counted = ", ".join(f"{v} {found.count(v)}" for v in dict.fromkeys(found))
            groups.append(f"{role}: {counted}")
    return " · ".join(groups)


def _show_verdict(store: Store, parent_run_id: str, verdict: str) -> str | None:
    """Where the MLflow UI lists them: the execution's name starts with its verdict ('REPRODUCED · relu-vs-… · quick
    · …', re-judged: replaced), and the claim's experiment carries it as a tag, `verdict.<profile>` for the
    discovery seeds and `verdict.<profile>.confirmation` for a confirmation. Returns that tag's key, or None for an
    execution not at its profile's own setting (step-capped, another precision), which the experiment does not
    show."""
    run = store.client.get_run(parent_run_id)
    name = run.info.run_name or ""
    head, _, rest = name.partition(" · ")
    store.client.set_tag(parent_run_id, "mlflow.runName", f"{verdict} · {rest if head in judging.VERDICTS else name}")
    tags = run.data.tags
    stream = tags.get("stream", "discovery")
    key = f"verdict.{tags.get('profile', '?')}" + ("" if stream == "discovery" else f".{stream}")
    if tags.get("step_cap") is None and tags.get("precision", "float32") == "float32":  # the profile's own setting
        store.client.set_experiment_tag(run.info.experiment_id, key, verdict)
        return key
    return None


def _store_views(store: Store, parent_run_id: str, key: str, judged_metrics: list[str]) -> None:
    """The execution's views for the MLflow UI, as experiment tags (mlflow_tracking.views): its judged, tuning and
    placebo runs apart, each charting the claim's judged metrics by arm; a stage with no runs gets no view."""
    parent = store.client.get_run(parent_run_id)
    experiment = parent.info.experiment_id
    for stage in VIEW_STAGES:
        found = store.client.search_runs([experiment], filter_string=view_filter(parent_run_id, stage),
                                         max_results=5000)
        if not found:
            continue
        shown = {name for run in found for name in run.data.metrics} | set(parent.data.metrics)
        state = views(parent_run_id, judged_metrics, sorted(shown))[stage]
        store.client.set_experiment_tag(experiment, VIEW_TAG + view_key(key, stage), encoded(state))


def log_verdict(store: Store, parent_run_id: str, verdict: judging.ClaimVerdict) -> None:
    """The verdict as tags, and each sub-claim's mean, interval, p and n as metrics, on the parent; then the UI's
    views of the execution."""
    key = _show_verdict(store, parent_run_id, verdict.verdict)
    tags = {"verdict": verdict.verdict, "status_note": verdict.reason or "judged",
            "verdict_counts": verdict_counts(verdict)}
    scalars = {"n_seeds": float(verdict.n_seeds)}
    if verdict.look is not None:
        tags["look"] = f"{verdict.look.k} (seeds {', '.join(map(str, verdict.look.seeds))})"
        scalars["alpha_share"] = verdict.look.share
    for sub in verdict.subverdicts + verdict.placebos:
        e = sub.expectation.id
        tags[f"verdict.{e}"] = sub.verdict
        tags[f"role.{e}"] = sub.role
        for name in ("mean", "ci_low", "ci_high", "p_value", "effect_size"):
            value = getattr(sub, name)
            if math.isfinite(value):
                scalars[f"{e}.{name}"] = value
        scalars[f"{e}.n"] = float(sub.n)
    tags["mlflow.note.content"] = _description(verdict)  # the run's Description in the MLflow UI
    runs.log(store, parent_run_id, scalars=scalars, tags=tags)
    if key is not None:
        judged = list(dict.fromkeys(s.expectation.metric for s in verdict.subverdicts))
        _store_views(store, parent_run_id, key, judged)


def _description(verdict: judging.ClaimVerdict) -> str:
    """The verdict and each sub-claim's measurement, as markdown for the execution run's page."""
    lines = [f"**Verdict: {verdict.verdict}** (its primary sub-claims; {verdict.n_seeds} seeds)"
             + (f": {verdict.reason}" if verdict.reason else ""),
             "", "| Sub-claim | Role | Estimate [CI] | n | p | Verdict |", "|---|---|---|---|---|---|"]
    for sub in verdict.subverdicts + verdict.placebos:
        lines.append(f"| {sub.expectation.id} | {sub.role} | {sub.mean:.4g} [{sub.ci_low:.4g}, {sub.ci_high:.4g}] | "
                     f"{sub.n} | {sub.p_value:.3g} | {sub.verdict} |")
    return "\n".join(lines)
