"""Pins: what the claims tier asserts of each claim, decided from stored executions by a fixed rule, kept as data.

`reprobench pins --store URI [--store URI …]` reads every finished, uncapped float32 execution of each claim at
a profile (quick, 5 seeds) from the stores, keeps those made with the claim's current code and definitions,
and groups them by source: the seed stream and the numeric setting (oneDNN, the CPU's vector width, threads).
For the claims tier to hold on any machine CI may run on, the sources should span what differs between them:
the discovery seeds, the confirmation seeds (`reprobench confirm`), oneDNN off, and an AVX2 CPU
(`--cpu-isa avx2` on an AVX-512 one). From the sources found, by the rule the tier has always used:

- a sub-claim's verdict label is pinned where every source gave the same label;
- otherwise the position of its interval that every source shares: its low end above the highest reference
  value (no-effect value, margin, or a tolerance's edges) that every source's low end clears, and/or its high
  end below the lowest one every source's high end stays under. With none shared, only completeness and the
  definition are pinned;
- a sub-claim on a wall-clock measure (the run's clock: reproductions.common.training.TIMING_METRICS, and the
  metrics a claim module lists in WALL_CLOCK_METRICS, e.g. time ratios within a run) pins its label where every
  source agrees and never an interval's position: its interval moves with the machine's state from one
  execution to the next, with the same code, seeds and setting (relu-sparsity-cost: a fourth execution on the
  same machine fell outside the position three had shared);
- fewer usable seeds are allowed (`min_seeds`) where a source had fewer (a diverged run has no value);
- a claim's verdict is pinned where every source gave the same one;
- a placebo that found a difference (BIAS) in some source is a known false positive, allowed that verdict.

The file keeps, for every source, what each sub-claim gave there and the per-seed values the judge read (the
evidence): `tests/test_claims.py` re-derives every pin from the file and judges the evidence again, so a pin
edited by hand, a stale definition or a changed judge fails in seconds, without training; and the mutation test
replaces each treatment arm's values with its baseline's to show every decisive pin can fail.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path

from benchmarks import judge as judging
from benchmarks.evidence import is_capped, metrics_of
from benchmarks.identity import claim_code_hash
from mlflow_tracking import runs
from mlflow_tracking.store import Store
from reproductions.claim import Claim

FORMAT = 1
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "tests" / "pins" / "quick.json"
RULE = ("label where every source agrees; else the interval position every source shares (low end above / high end "
        "below a reference value: no-effect value, margin, tolerance edges), none for a wall-clock measure; claim "
        "verdict where every source agrees; placebos that found a difference (BIAS) somewhere are known false "
        "positives")
FALSE_POSITIVE_GRADES = (judging.BIAS,)


class PinError(ValueError):
    """The stores cannot give pins as asked (nothing there, too few sources): one line for the user."""


@dataclasses.dataclass(frozen=True)
class Pin:
    """What the tier asserts of one sub-claim: its verdict, or where its interval lies."""

    definition: str  # the definition hash the pin was decided under
    verdict: str | None = None  # the label, where every source agrees
    low_above: float | None = None  # else: the interval's low end is above this
    high_below: float | None = None  # and/or its high end below this
    why: str = ""  # what each source gave
    # fewer usable seeds allowed, down to this many, where a run can legitimately have no value (a diverged
    # run's dead-unit count: the judge drops it); a failed run still fails the tier
    min_seeds: int | None = None

    def failures(self, sub: judging.SubVerdict) -> list[str]:
        found = f"{sub.verdict}, {sub.mean:.4g} [{sub.ci_low:.4g}, {sub.ci_high:.4g}]"
        wrong = []
        if self.verdict is not None and sub.verdict != self.verdict:
            wrong.append(f"verdict {found}, pinned {self.verdict}")
        if self.low_above is not None and not sub.ci_low > self.low_above:
            wrong.append(f"interval {found}: its low end should lie above {self.low_above:g}")
        if self.high_below is not None and not sub.ci_high < self.high_below:
            wrong.append(f"interval {found}: its high end should lie below {self.high_below:g}")
        return wrong


@dataclasses.dataclass(frozen=True)
class Pins:
    """The claims tier's expectations, as read from the pin file."""

    subclaims: Mapping[tuple[str, str], Pin]
    claims: Mapping[str, str]  # claim -> pinned verdict
    placebo_false_positives: Mapping[tuple[str, str], tuple[str, ...]]
    profile: str
    seeds: int
    data: Mapping  # the whole file


# ------------------------------------------------------------------------------------------------ the rule

def _seen(sub: judging.SubVerdict) -> dict:
    return {"verdict": sub.verdict, "mean": _number(sub.mean), "ci": [_number(sub.ci_low), _number(sub.ci_high)],
            "n": sub.n}


def _number(value: float):
    return value if math.isfinite(value) else repr(float(value))  # JSON has no NaN or infinity: 'nan', 'inf'


def _float(value) -> float:
    return float(value)


def references(e) -> list[float]:
    """The values an interval's position is read against: the no-effect value and the margin, or the edges of a
    tolerance."""
    if e.comparison in ("greater", "less"):
        return sorted({float(e.effective_null), float(e.margin)})
    return sorted({float(e.target - e.margin), float(e.target + e.margin)})


def wall_clock_metrics(claim: Claim) -> frozenset[str]:
    """The metrics of a claim measured on the machine's clock: the shared timing metrics, and those its module lists
    (WALL_CLOCK_METRICS, a module constant the claim's code does not read, so that listing one keeps its code hash)."""
    import sys

    from reproductions import module_of
    from reproductions.common.training import TIMING_METRICS

    path = module_of(claim.id)  # the module the registry loaded the claim from (already imported)
    module = next((m for m in list(sys.modules.values()) if getattr(m, "__file__", None) == path), None)
    return frozenset(TIMING_METRICS) | frozenset(getattr(module, "WALL_CLOCK_METRICS", ()))


def decide(e, seen: Mapping[str, Mapping], seeds: int, definition: str, wall_clock: bool = False) -> dict:
    """The pin of one sub-claim from what each source gave (source -> _seen), by the rule (module docstring).
    `wall_clock`: its metric is measured on the machine's clock, so no interval position is pinned."""
    labels = {s["verdict"] for s in seen.values()}
    pin: dict = {"definition": definition, "verdict": None, "low_above": None, "high_below": None, "min_seeds": None}
    if len(labels) == 1 and judging.ERROR not in labels:
        pin["verdict"] = labels.pop()
    elif not wall_clock:
        lows = [_float(s["ci"][0]) for s in seen.values()]
        highs = [_float(s["ci"][1]) for s in seen.values()]
        above = [r for r in references(e) if all(low > r for low in lows)]
        below = [r for r in references(e) if all(high < r for high in highs)]
        pin["low_above"] = max(above) if above else None
        pin["high_below"] = min(below) if below else None
    fewest = min(s["n"] for s in seen.values())
    if fewest < seeds:
        pin["min_seeds"] = fewest
    return pin


def decide_claim(claim: Claim, verdicts: Mapping[str, judging.ClaimVerdict], seeds: int, profile: str) -> dict:
    """Every pin of one claim from its judged executions (source -> ClaimVerdict)."""
    subclaims = {}
    wall_clock = wall_clock_metrics(claim)
    for e in claim.expectations:
        seen = {source: _seen(next(s for s in v.subverdicts if s.expectation.id == e.id))
                for source, v in verdicts.items()}
        subclaims[e.id] = {**decide(e, seen, seeds, claim.definition_hash(e.id, profile),
                                    wall_clock=e.metric in wall_clock), "seen": seen}
    claim_labels = {v.verdict for v in verdicts.values()}
    placebos: dict[str, dict] = {}
    for source, verdict in verdicts.items():
        for placebo in verdict.placebos:
            placebos.setdefault(placebo.expectation.id, {})[source] = _seen(placebo)
    return {
        "verdict": claim_labels.pop() if len(claim_labels) == 1 and judging.ERROR not in claim_labels else None,
        "verdicts": {source: v.verdict for source, v in verdicts.items()},
        "subclaims": subclaims,
        "placebos": {pid: {"allowed": sorted({s["verdict"] for s in seen.values()} & set(FALSE_POSITIVE_GRADES)),
                           "seen": seen} for pid, seen in sorted(placebos.items())},
    }


# ------------------------------------------------------------------------------------------------ the evidence

def _plain_table(table: Mapping) -> dict:
    return {arm: {str(repeat): {m: _number(v) for m, v in sorted(metrics.items())}
                  for repeat, metrics in sorted(by_repeat.items())} for arm, by_repeat in sorted(table.items())}


def _table(plain: Mapping) -> dict:
    return {arm: {int(repeat): {m: _float(v) for m, v in metrics.items()} for repeat, metrics in by_repeat.items()}
            for arm, by_repeat in plain.items()}


def judged_metrics(claim: Claim) -> set[str]:
    """The metrics the judge reads: each sub-claim's, and its censoring flag."""
    return {m for e in claim.expectations for m in (e.metric, e.censored_by) if m}


def evidence_of(claim: Claim, results: Mapping, placebo_results: Mapping) -> dict:
    """The per-seed values the judge read, as plain data (only the metrics it reads)."""
    wanted = judged_metrics(claim)

    def keep(table):
        return {arm: {r: {m: v for m, v in metrics.items() if m in wanted} for r, metrics in by_repeat.items()}
                for arm, by_repeat in table.items()}

    return {"eval": _plain_table(keep(results)), "placebo": _plain_table(keep(placebo_results))}


def rejudge(claim: Claim, evidence: Mapping, profile: str) -> judging.ClaimVerdict:
    """The claim judged again from stored evidence (no training): what the judge gives on those numbers now."""
    return judging.judge_claim(claim, _table(evidence["eval"]), profile, _table(evidence["placebo"]))


# ------------------------------------------------------------------------------------------------ the sources

def source_of(execution: runs.StoredRun) -> str:
    """A readable name for where an execution's numbers come from: its seed stream and numeric setting."""
    tags = execution.tags
    isa = {"avx": "AVX", "avx2": "AVX2", "avx512": "AVX-512"}.get(tags.get("numerics.cpu_isa", ""), "CPU ?")
    if tags.get("numerics.cpu_isa_source", "").startswith("--cpu-isa"):
        isa += " (capped)"
    threads = tags.get("numerics.threads", "?")
    return " · ".join([tags.get("stream", "discovery"), f"oneDNN {tags.get('numerics.onednn', '?')}", isa,
                       f"{threads} thread{'s' if threads != '1' else ''}"])


def _execution_note(execution: runs.StoredRun) -> dict:
    tags = execution.tags
    return {name: tags[key] for name, key in (
        ("device", "device"), ("backend", "backend"), ("backend_version", "numerics.backend_version"),
        ("keras", "keras_version"), ("executor", "executor"), ("git_sha", "git_sha")) if key in tags}


def seeds_of(claim: Claim, profile: str, seeds: int | None = None) -> int:
    """The seed count a claim is pinned at: `seeds` when given, else the seeds its profile plans (issue 32: a claim
    gets the seeds that make it decidable, so claims differ)."""
    return seeds or claim.budgets[profile].seeds


def gather(stores: Iterable[Store], claims: Iterable[Claim], profile: str, seeds: int | None = None,
           say=print) -> dict[str, dict[str, tuple[runs.StoredRun, judging.ClaimVerdict, dict]]]:
    """claim id -> source -> (execution, its verdict judged now, its evidence), newest execution per source, from
    executions made with the claim's current code and definitions at `profile` with `seeds` seeds (None: each
    claim's planned seeds)."""
    found: dict[str, dict] = {}
    asked = seeds
    for store in stores:
        for claim in claims:
            experiment_id = store.experiment_id(claim.id, create=False)
            if experiment_id is None:
                continue
            seeds = seeds_of(claim, profile, asked)
            code = claim_code_hash(claim)
            for execution in runs.executions(store, experiment_id):  # newest first
                tags = execution.tags
                if (tags.get("profile") != profile or execution.status != "FINISHED" or is_capped(execution)
                        or tags.get("precision", "float32") != "float32" or tags.get("n_seeds") != str(seeds)):
                    continue
                source = source_of(execution)
                if source in found.get(claim.id, {}):
                    continue
                stale = [e.id for e in claim.expectations
                         if tags.get(f"definition.{e.id}") != claim.definition_hash(e.id, profile)]
                if tags.get("code_hash") != code or stale:
                    say(f"  {claim.id}: skipped {source} ({execution.run_id[:8]}): made with "
                        + ("other code" if tags.get("code_hash") != code else f"{len(stale)} changed definition(s)"))
                    continue
                children = runs.children(store, experiment_id, execution.run_id)
                table = _results(children, "eval", seeds)
                placebo_table = _results(children, "placebo", seeds)
                verdict = judging.judge_claim(claim, table, profile, placebo_table)
                found.setdefault(claim.id, {})[source] = (execution, verdict, evidence_of(claim, table, placebo_table))
    return found


def _results(children, stage: str, seeds: int) -> dict:
    used = {}
    for child in children:  # oldest first: a newer run of the same (arm, repeat) wins
        if (child.status == "FINISHED" and child.tags.get("stage", "eval") == stage and "arm" in child.tags
                and int(child.tags["repeat"]) < seeds):
            used[(child.tags["arm"], int(child.tags["repeat"]))] = metrics_of(child)
    table: dict = {}
    for (arm, repeat), metrics in sorted(used.items()):
        table.setdefault(arm, {})[repeat] = metrics
    return table


def _kept_sources(claim: Claim, entry: Mapping | None, profile: str, have: Mapping, say=print) -> dict:
    """The previous entry's sources that the stores did not give again, as (execution note, verdict, evidence),
    re-judged from their stored per-seed evidence: only when the entry was made with the claim's current code (its numbers are then what the code gives)
    and at the same seeds. A new setting (another CPU) thus joins a claim's pins without the earlier stores."""
    if not entry:
        return {}
    if entry.get("code_hash") != claim_code_hash(claim) or entry.get("seeds") != seeds_of(claim, profile):
        say(f"  {claim.id}: its earlier sources not kept (made with other code or seeds)")
        return {}
    kept = {}
    for source, evidence in entry.get("evidence", {}).items():
        if source not in have:
            kept[source] = (dict(entry.get("executions", {}).get(source, {})), rejudge(claim, evidence, profile),
                            evidence)
    return kept


def build(found: Mapping, registry: Mapping[str, Claim], profile: str, seeds: int | None, min_sources: int = 2,
          previous: Mapping | None = None, say=print, keep_sources: bool = False) -> dict:
    """The pin file's content: every claim with at least `min_sources` sources is decided afresh; a claim with
    fewer keeps its previous entry (if any), said so. Each entry says the seeds it was pinned at (`seeds`, else the
    claim's planned seeds at the profile). `keep_sources`: a claim's sources in the previous file that the stores do
    not give again count too (_kept_sources)."""
    claims = {cid: {"seeds": (previous or {}).get("seeds"), **entry}
              for cid, entry in (previous or {}).get("claims", {}).items()}
    decided = 0
    for claim_id, by_source in found.items():
        # each source as (its execution's note, its verdict, its evidence)
        by_source = {s: ({"run_id": ex.run_id, **_execution_note(ex)}, v, ev) for s, (ex, v, ev) in by_source.items()}
        if keep_sources:
            by_source = {**_kept_sources(registry[claim_id], claims.get(claim_id), profile, by_source, say),
                         **by_source}
        if len(by_source) < min_sources:
            say(f"  {claim_id}: {len(by_source)} source(s) ({', '.join(by_source)}), {min_sources} needed: "
                + ("its earlier pins kept" if claim_id in claims else "not pinned"))
            continue
        claim = registry[claim_id]
        by_source = dict(sorted(by_source.items()))
        n = seeds_of(claim, profile, seeds)
        entry = decide_claim(claim, {s: v for s, (_, v, _) in by_source.items()}, n, profile)
        entry["seeds"] = n
        entry["code_hash"] = claim_code_hash(claim)
        entry["executions"] = {s: note for s, (note, _, _) in by_source.items()}
        entry["evidence"] = {s: ev for s, (_, _, ev) in by_source.items()}
        claims[claim_id] = entry
        decided += 1
    if not decided:
        raise PinError("no claim has enough finished executions in these stores to be pinned "
                       f"({min_sources} sources at profile {profile} with "
                       f"{seeds or 'their planned'} seeds, made with the current code)")
    order = list(registry)
    sources = sorted({source for entry in claims.values() for source in entry["evidence"]})
    return {"format": FORMAT, "profile": profile, "seeds": seeds, "rule": RULE, "sources": sources,
            "claims": {cid: claims[cid] for cid in sorted(claims, key=lambda c: order.index(c) if c in order else 1e9)}}


def write(data: Mapping, path: Path) -> None:
    """Write the pin file (atomically: a failure leaves the previous one): the pins indented for people to read,
    each source's per-seed evidence on one line per arm."""
    path.parent.mkdir(parents=True, exist_ok=True)
    compact, shown = {}, json.loads(json.dumps(data))
    for claim_id, entry in shown["claims"].items():
        for source, evidence in entry["evidence"].items():
            for stage, table in evidence.items():
                for arm, by_repeat in table.items():
                    mark = f"@@{len(compact)}@@"
                    compact[mark] = json.dumps(by_repeat, ensure_ascii=False, separators=(",", ":"))
                    table[arm] = mark
    text = json.dumps(shown, indent=1, ensure_ascii=False)
    for mark, value in compact.items():
        text = text.replace(f'"{mark}"', value, 1)
    if json.loads(text) != json.loads(json.dumps(data)):  # the same data, laid out otherwise (never skipped by -O)
        raise PinError("the compact layout of the pin file changed its data: nothing written")
    scratch = path.with_suffix(".tmp")
    scratch.write_text(text + "\n", encoding="utf-8")
    scratch.replace(path)


# ------------------------------------------------------------------------------------------------ reading

def _why(seen: Mapping) -> str:
    return "; ".join(f"{source}: {s['verdict']} {_float(s['mean']):.3g} [{_float(s['ci'][0]):.3g}, "
                     f"{_float(s['ci'][1]):.3g}] n={s['n']}" for source, s in seen.items())


def load(path: Path = DEFAULT_PATH) -> Pins:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise PinError(f"{path}: pin file format {data.get('format')!r}, this code reads {FORMAT}")
    subclaims, verdicts, placebos = {}, {}, {}
    for claim_id, entry in data["claims"].items():
        if entry.get("verdict"):
            verdicts[claim_id] = entry["verdict"]
        for sub_id, pin in entry["subclaims"].items():
            subclaims[(claim_id, sub_id)] = Pin(pin["definition"], pin["verdict"], pin["low_above"], pin["high_below"],
                                                _why(pin["seen"]), pin["min_seeds"])
        for placebo_id, placebo in entry["placebos"].items():
            if placebo["allowed"]:
                placebos[(claim_id, placebo_id)] = tuple(placebo["allowed"])
    return Pins(subclaims, verdicts, placebos, data["profile"], data["seeds"], data)


def rederive(data: Mapping, registry: Mapping[str, Claim]) -> dict[str, list[str]]:
    """Every way the file departs from what the rule and the judge give on its own evidence, per claim: pins
    edited by hand, definitions changed since, a judge that now reads the same numbers otherwise."""
    problems: dict[str, list[str]] = {}
    profile = data["profile"]
    for claim_id, entry in data["claims"].items():
        seeds = entry.get("seeds", data["seeds"])
        found = []
        claim = registry.get(claim_id)
        if claim is None:
            problems[claim_id] = ["no such claim any more"]
            continue
        verdicts = {source: rejudge(claim, evidence, profile) for source, evidence in entry["evidence"].items()}
        again = decide_claim(claim, verdicts, seeds, profile)
        for sub_id, pin in entry["subclaims"].items():
            fresh = again["subclaims"].get(sub_id)
            if fresh is None:
                found.append(f"{sub_id}: no such sub-claim any more")
                continue
            for field in ("definition", "verdict", "low_above", "high_below", "min_seeds"):
                if pin[field] != fresh[field]:
                    found.append(f"{sub_id}: {field} {pin[field]!r} in the file, {fresh[field]!r} from its evidence "
                                 "by the rule now")
            for source, seen in pin["seen"].items():
                now = fresh["seen"][source]
                if seen["verdict"] != now["verdict"] or not _close(seen, now):
                    found.append(f"{sub_id} in {source}: the file says {seen}, the judge gives {now} on its evidence")
        missing = {e.id for e in claim.expectations} - set(entry["subclaims"])
        found += [f"{sub_id}: a sub-claim without a pin" for sub_id in sorted(missing)]
        if entry["verdict"] != again["verdict"]:
            found.append(f"claim verdict {entry['verdict']!r} in the file, {again['verdict']!r} by the rule now")
        if {k: v["allowed"] for k, v in entry["placebos"].items()} != {k: v["allowed"] for k, v in again["placebos"].items()}:
            found.append("placebo false positives differ from what the rule gives now")
        if found:
            problems[claim_id] = found
    return problems


def _close(a: Mapping, b: Mapping) -> bool:
    pairs = [(a["mean"], b["mean"]), (a["ci"][0], b["ci"][0]), (a["ci"][1], b["ci"][1])]
    return a["n"] == b["n"] and all(
        (_float(x) == _float(y)) or (math.isnan(_float(x)) and math.isnan(_float(y)))
        or math.isclose(_float(x), _float(y), rel_tol=1e-9, abs_tol=1e-12) for x, y in pairs)


def markdown(data: Mapping) -> list[str]:
    """The pin file as a table for people: each claim's verdict in every source, what is pinned of it, and the
    sub-claims whose label differs between sources (their interval positions are pinned instead)."""
    sources = list(data["sources"])
    counts = sorted({entry.get("seeds", data["seeds"]) for entry in data["claims"].values()})
    lines = [f"Pins at `{data['profile']}` with {' or '.join(map(str, counts))} seeds (each claim's planned count), "
             f"from {len(sources)} sources: "
             + "; ".join(f"({i + 1}) {s}" for i, s in enumerate(sources)) + ".", "",
             "| claim | " + " | ".join(f"({i + 1})" for i in range(len(sources))) + " | claim verdict pinned | "
             "labels pinned | labels that differ (interval pinned) |",
             "|---|" + "---|" * len(sources) + "---|---|---|"]
    for claim_id, entry in data["claims"].items():
        verdicts = [entry["verdicts"].get(s, "–") for s in sources]
        subs = entry["subclaims"]
        differ = [sid for sid, pin in subs.items() if pin["verdict"] is None]
        lines.append(f"| `{claim_id}` | " + " | ".join(verdicts) + f" | {entry['verdict'] or 'no'} | "
                     f"{len(subs) - len(differ)} of {len(subs)} | {', '.join(differ) or '–'} |")
    return lines
