"""The plan: which runs a claim needs at a profile, each with its identity (benchmarks.identity).

A claim's execution is keyed by (claim code, profile, backend, variant); each of its runs by a run key (claim,
arm, seed, stage, profile, backend, the resolved config, the claim's code and the variant). The plan is
tuning runs first (each tuned arm over its grid, on tuning seeds), then, once a value is chosen per arm,
the judged runs (every arm on the evaluation seeds) and the placebo replicates. Nothing here trains or
writes the store: the executor runs what the plan lists, and the recorder writes what comes back.
"""

from __future__ import annotations

import dataclasses

from benchmarks import judge as judging
from benchmarks import numerics
from benchmarks.identity import PRECISIONS, RunSpec, Variant, derive_seed, digest, run_key
from reproductions.claim import Claim
from reproductions.common.data import resolve_dataset


@dataclasses.dataclass(frozen=True)
class PlannedRun:
    stage: str  # "tuning", "eval" or "placebo"
    arm: str
    repeat: int
    seed: int
    config: dict
    key: str
    grid_label: str = ""  # e.g. "learning_rate=0.02" for a tuning run

    @property
    def name(self) -> str:
        """The run's name in MLflow and in the progress lines: its arm and its repeat (the seed itself, drawn from
        the repeat and the seed stream, is the run's `seed` parameter)."""
        if self.stage == "tuning":
            return f"{self.arm} · tuning {self.grid_label} · repeat {self.repeat}"
        if self.stage == "placebo":
            return f"{self.arm} · placebo · repeat {self.repeat}"
        return f"{self.arm} · repeat {self.repeat}"


def plan_stage(claim: Claim, profile: str, backend: str, code_hash: str, stage: str, repeats: int,
               tuned: dict[str, float] | None, variant: Variant = Variant(),
               grids: dict[str, tuple[float, ...]] | None = None) -> list[PlannedRun]:
    """The runs of one stage: 'tuning' (each tuned arm over its grid; with `grids`, only those arms at those
    values: a grid extended past its edge), 'eval' (every arm, with the tuned values) or 'placebo' (the
    baselines of the paired sub-claims, again on their own seeds)."""
    planned = []
    placebo = set(judging.placebo_arms(claim))
    for repeat in range(repeats):
        seed = derive_seed(claim.id, repeat, stage, variant.stream)
        if stage == "tuning":
            for arm in (a for a in claim.arms if a.tuned and (grids is None or a.name in grids)):
                for value in (claim.tuning_grid(arm.name, profile, variant.dataset) if grids is None
                              else grids[arm.name]):
                    config = claim.resolve_config(arm.name, profile, {arm.name: value}, variant.dataset)
                    planned.append(PlannedRun(stage, arm.name, repeat, seed, config,
                                              run_key(claim, arm.name, repeat, profile, backend, code_hash, config,
                                                      stage, variant),
                                              f"{claim.tuning.param}={value:g}"))
        else:
            for arm in claim.arms:
                if stage == "placebo" and arm.name not in placebo:
                    continue
                if (arm.tuned or arm.follows) and (arm.follows or (arm.name,))[0] not in tuned:
                    continue  # its tuning found no usable value: the judge reports ERROR for it
                config = claim.resolve_config(arm.name, profile, tuned, variant.dataset)
                planned.append(PlannedRun(stage, arm.name, repeat, seed, config,
                                          run_key(claim, arm.name, repeat, profile, backend, code_hash, config,
                                                  stage, variant)))
    return planned


def current_variant(claim: Claim, profile: str, precision: str = "float32", step_cap: int | None = None,
                    data_dir: str | None = None, stream: str = "discovery",
                    environment: dict[str, str] | None = None) -> Variant:
    """The variant a run of the claim gets: the dataset found here, and the numeric environment of where the
    runs execute (`environment`, a numerics.key(); by default this process's)."""
    import keras

    from mlflow_tracking import provenance

    dataset = resolve_dataset("auto", data_dir) if claim.uses_dataset_choice(profile) else None
    if environment is None:
        backend = keras.backend.backend()
        environment = numerics.key(numerics.describe(backend), provenance.device(backend))
    return Variant(precision, step_cap, dataset, tuple(sorted(environment.items())), stream)


def planned_runs(claim: Claim, profile: str, seeds: int) -> int:
    """How many runs a claim makes at a profile: (arms + placebo arms) × seeds, plus tuned arms × grid ×
    tuning seeds (before any extension of a grid past its edge, which adds tuning seeds' runs per value)."""
    tuning_seeds = claim.budgets[profile].tuning_seeds if claim.tuning else 0
    n_tuning = tuning_seeds * sum(a.tuned for a in claim.arms) * (len(claim.tuning.grid) if claim.tuning else 0)
    return seeds * (len(claim.arms) + len(judging.placebo_arms(claim))) + n_tuning


@dataclasses.dataclass(frozen=True)
class ClaimPlan:
    """One claim's execution at one profile: its identity and the runs it needs, stage by stage."""

    claim: Claim
    profile: str
    seeds: int
    backend: str
    variant: Variant
    code_hash: str
    data_dir: str | None = None
    threads: int | None = None  # the thread count each run is set to where it executes (None: as configured)

    def __post_init__(self):
        if self.seeds < 1:
            raise ValueError("seeds must be >= 1")

    @property
    def tuning_seeds(self) -> int:
        return self.claim.budgets[self.profile].tuning_seeds if self.claim.tuning else 0

    @property
    def execution_key(self) -> str:
        dataset = self.variant.dataset
        return digest({"claim": self.claim.id, "profile": self.profile, "backend": self.backend, "code": self.code_hash,
                      **self.variant.key(), **({"dataset": dataset} if dataset else {})})

    @property
    def total(self) -> int:
        return planned_runs(self.claim, self.profile, self.seeds)

    def tuning(self, grids: dict[str, tuple[float, ...]] | None = None) -> list[PlannedRun]:
        """The tuning runs: every tuned arm over its grid, or (`grids`) some arms at the values their grid
        was extended to."""
        if not self.claim.tuning:
            return []
        return plan_stage(self.claim, self.profile, self.backend, self.code_hash, "tuning", self.tuning_seeds, None,
                          self.variant, grids)

    def judged(self, tuned: dict[str, float] | None) -> list[PlannedRun]:
        return [run for stage in ("eval", "placebo")
                for run in plan_stage(self.claim, self.profile, self.backend, self.code_hash, stage, self.seeds,
                                      tuned, self.variant)]

    def spec(self, run: PlannedRun) -> RunSpec:
        """What an executor needs to do the run, wherever it does it (plain values: it may travel)."""
        return RunSpec(claim_id=self.claim.id, name=run.name, stage=run.stage, config=dict(run.config), seed=run.seed,
                       profile=self.profile, backend=self.backend, precision=PRECISIONS[self.variant.precision],
                       step_cap=self.variant.step_cap, data_dir=self.data_dir, code_hash=self.code_hash,
                       threads=self.threads, environment=dict(self.variant.numerics))
