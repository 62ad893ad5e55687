"""Run identity: what a run is (its spec and outcome), what it is called (its seed and key), and what code made it.

Everything that decides whether a stored run may stand for a planned one lives here, and nothing here imports
the rest of the engine: the plan, the executors, the recorder and the tests all read identity from one place.

- `derive_seed`: one root seed per (claim, repeat, stage, stream), shared by every arm of that repeat, so arms
  are compared on the same data and draws (paired), tuning and placebo runs on seeds of their own, and
  `reprobench confirm` on a stream no decision has seen.
- `Variant`: how an execution runs besides claim, profile and backend (precision, step cap, the dataset found,
  the numeric environment, the seed stream).
- `run_key`: the identity of one run; a FINISHED run with the same key is never repeated.
- `claim_code_hash`: the code that computes a claim's runs, read as a syntax tree with the prose taken out
  (docstrings, comments, and the words a claim is stated in: `statement=`, `lecture=`, `title=` …) and, in the
  claim's own module, what only judges or shows its runs (its sub-claims, plots, summary metrics): a typo fixed
  in a claim's words, or a changed margin (a new definition, see Claim.definition_hash), keeps its stored runs,
  while any change to what is computed gives a new hash.
- `RunSpec` and `Outcome`: a run and its result in plain values (they travel to Ray workers and back).
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
from pathlib import Path

STREAMS = ("discovery", "confirmation")
PRECISIONS = {"float32": "float32", "bfloat16": "mixed_bfloat16"}  # --precision -> Keras dtype policy

# keyword arguments that carry a claim's words, not its computation: left out of the code hash (the claim's
# definition hash leaves out the same fields, reproductions.claim.PROSE_FIELDS)
PROSE_KEYWORDS = frozenset({"statement", "lecture", "size", "title", "source", "setup", "lecture_number", "description",
                            "note", "check", "xlabel", "ylabel", "reference_label"})
# the calls that say where a sub-claim's number comes from (reproductions.expect): their arguments are words
SIZE_SOURCE_CALLS = frozenset({"from_lecture", "from_paper", "ours", "SizeSource"})
_ARM_DESCRIPTION = 2  # Arm(name, overrides, description, …): its third positional argument
# what a Claim declares about judging and showing its runs, not about computing them: outside the code hash of a
# claim module (inside its definition hash: a changed margin is judged again from the same runs)
JUDGING_KEYWORDS = frozenset({"expectations", "primary", "families", "plots", "summary_metrics"})
ROOT = "CLAIM"  # what a claim module exists for: everything its code hash keeps is reachable from it


def derive_seed(claim_id: str, repeat: int, stage: str = "eval", stream: str = "discovery") -> int:
    """A stable 31-bit seed for repeat `repeat` of claim `claim_id`.

    The seed depends on nothing but the claim id, the repeat, the stage and the stream, so adding seeds later
    keeps the earlier ones. Tuning runs (stage 'tuning') and placebo runs (stage 'placebo') draw their own
    seeds, so the seeds a verdict is judged on never took part in choosing the hyperparameters, and a
    placebo's replicate is independent of the run it is compared with. The confirmation stream
    (`reprobench confirm`) draws every stage afresh: seeds no decision has seen.
    """
    if repeat < 0:
        raise ValueError("repeat must be >= 0")
    if stream not in STREAMS:
        raise ValueError(f"unknown seed stream {stream!r}; choose one of {STREAMS}")
    if stream == "confirmation":
        name = f"reprobench:{claim_id}:confirmation:{stage}:{repeat}"
    else:
        name = f"reprobench:{claim_id}:{repeat}" if stage == "eval" else f"reprobench:{claim_id}:{stage}:{repeat}"
    digest = hashlib.sha256(name.encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


@dataclasses.dataclass(frozen=True)
class Variant:
    """How an execution runs besides claim, profile and backend: the numeric precision (bfloat16 is
    Keras' mixed_bfloat16 policy: bf16 compute, float32 weights and logits), a cap on each run's
    training steps (the `full` shapes checked on a small machine: no verdict), the dataset that a
    `"dataset": "auto"` profile resolved to on this machine, the numeric environment the runs execute
    in (benchmarks.numerics.key(): kernels, CPU vector width, threads, device, package versions) and the
    seed stream. Part of every run key."""

    precision: str = "float32"
    step_cap: int | None = None
    dataset: str | None = None
    numerics: tuple[tuple[str, str], ...] = ()
    stream: str = "discovery"  # or "confirmation": `reprobench confirm`'s fresh seeds

    def __post_init__(self):
        if self.precision not in PRECISIONS:
            raise ValueError(f"unknown precision {self.precision!r}; choose one of {', '.join(PRECISIONS)}")
        if self.step_cap is not None and self.step_cap < 1:
            raise ValueError("the step cap must be at least 1")
        if self.stream not in STREAMS:
            raise ValueError(f"unknown seed stream {self.stream!r}; choose one of {', '.join(STREAMS)}")

    def key(self) -> dict:
        """What sets this variant apart from the default (nothing, for the default)."""
        key = {}
        if self.precision != "float32":
            key["precision"] = self.precision
        if self.step_cap is not None:
            key["step_cap"] = self.step_cap
        if self.numerics:
            key["numerics"] = dict(self.numerics)
        if self.stream != "discovery":
            key["stream"] = self.stream
        return key

    def label(self) -> str:
        """' · bfloat16 · cap 20 steps' (empty for the default), for execution names."""
        return "".join(f" · {part}" for part in (
            self.precision if self.precision != "float32" else "",
            f"cap {self.step_cap} steps" if self.step_cap else "",
            self.stream if self.stream != "discovery" else "") if part)

    def tags(self) -> dict[str, str]:
        tags = {"precision": self.precision, "stream": self.stream}
        if self.step_cap is not None:
            tags["step_cap"] = str(self.step_cap)
        if self.dataset is not None:
            tags["dataset"] = self.dataset
        return tags


def digest(payload) -> str:
    """A short, stable hash of a JSON-able payload (keys sorted)."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]


def run_key(claim, arm: str, repeat: int, profile: str, backend: str, code_hash: str, config: dict | None = None,
            stage: str = "eval", variant: Variant = Variant()) -> str:
    """The identity of one run: a finished run with the same key is never repeated (unless forced)."""
    config = claim.resolve_config(arm, profile, dataset=variant.dataset) if config is None else config
    return digest({"claim": claim.id, "arm": arm, "repeat": repeat,
                   "seed": derive_seed(claim.id, repeat, stage, variant.stream),
                   "stage": stage, "profile": profile, "backend": backend, "config": config, "code": code_hash,
                   **variant.key()})


# ------------------------------------------------------------------------------------------------ the code hash

class _WithoutProse(ast.NodeTransformer):
    """A module's syntax tree with its prose taken out: docstrings and other bare strings, the prose keyword
    arguments of every call (PROSE_KEYWORDS), and an Arm's description; for a claim module (`judging`), also what
    a Claim declares about judging and showing its runs (JUDGING_KEYWORDS). Comments never reach the tree."""

    def __init__(self, judging: bool = False):
        self.judging = judging

    def _body(self, node):
        self.generic_visit(node)
        node.body = [s for s in node.body
                     if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and isinstance(s.value.value, str))
                     ] or [ast.Pass()]
        return node

    visit_Module = visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _body

    def visit_Call(self, node):
        self.generic_visit(node)
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        dropped = PROSE_KEYWORDS | (JUDGING_KEYWORDS if self.judging and name == "Claim" else frozenset())
        node.keywords = [k for k in node.keywords if k.arg not in dropped]
        if name in SIZE_SOURCE_CALLS:  # where a number comes from: words only (reproductions.expect)
            node.args, node.keywords = [], []
        if name == "Arm" and len(node.args) > _ARM_DESCRIPTION:
            node.args = node.args[:_ARM_DESCRIPTION] + node.args[_ARM_DESCRIPTION + 1:]
        return node


def _is_text(node) -> bool:
    """A string constant, an f-string, or strings joined with + (the words of a module-level constant)."""
    if isinstance(node, (ast.Constant, ast.JoinedStr)):
        return isinstance(node, ast.JoinedStr) or isinstance(node.value, str)
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and _is_text(node.left) and _is_text(node.right)


def _read_names(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} | {
        n.value.id for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)}


def _prune(tree: ast.Module, everything: bool) -> None:
    """Drop module-level definitions nothing reads any more, repeatedly (one may have been read only by another):
    text constants (a lecture quote kept in a constant); with `everything` (a claim module, whose only root is
    its CLAIM), also functions, classes, constants and imported names, e.g. a helper that builds sub-claims."""
    def name_of(statement):
        if isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if len(targets) == 1 and isinstance(targets[0], ast.Name):
                return targets[0].id
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return statement.name
        return None

    while True:
        read = _read_names(tree)
        changed = False
        body = []
        for statement in tree.body:
            name = name_of(statement)
            if name is not None and name not in read and name != ROOT:
                value = getattr(statement, "value", None)
                if everything or (value is not None and _is_text(value)):
                    changed = True
                    continue
            if everything and isinstance(statement, ast.ImportFrom):
                kept = [a for a in statement.names if (a.asname or a.name) in read or a.name == "*"]
                if len(kept) != len(statement.names):
                    changed = True
                    if not kept:
                        continue
                    statement.names = kept
            body.append(statement)
        tree.body = body or [ast.Pass()]
        if not changed:
            return


def code_tree(source: str, claim_module: bool = False) -> ast.Module:
    """The syntax tree the hash reads (see code_text)."""
    tree = _WithoutProse(judging=claim_module).visit(ast.parse(source))
    _prune(tree, everything=claim_module)
    return ast.fix_missing_locations(tree)


def code_text(source: str, claim_module: bool = False) -> str:
    """The code of a module as the hash sees it, written back out: its prose taken out; for a claim module
    (`claim_module`), also its sub-claims, primaries, families, plots and summary metrics, and whatever only they
    used (they decide how runs are judged and shown, not what a run computes: a changed margin is a new
    definition, judged again from the same runs)."""
    return ast.unparse(code_tree(source, claim_module))


def _imports(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def imported_claim_modules(module: Path, package: Path) -> list[Path]:
    """The modules of reproductions/ outside common/ and claim.py that `module`'s code imports (what computes its
    runs: imports only its sub-claims use do not count), directly or through one another (read from the source,
    not imported), in a stable order."""
    found: dict[Path, None] = {}
    pending = [(module, True)]
    while pending:
        path, is_claim = pending.pop()
        for name in _imports(code_tree(path.read_text(encoding="utf-8"), claim_module=is_claim)):
            parts = name.split(".")
            if parts[0] != package.name or len(parts) < 2 or parts[1] in ("common", "claim"):
                continue
            imported = package.joinpath(*parts[1:]).with_suffix(".py")
            if imported.is_file() and imported != module and imported not in found:
                found[imported] = None
                pending.append((imported, False))
    return sorted(found)


def code_hash_of(module: Path, package: Path) -> str:
    """The hash of the code a claim module runs: the module, the claim modules it imports (e.g. a lecture net
    defined in a sibling claim), the shared building blocks (reproductions/common) and the claim schema, each
    without its prose."""
    shared = sorted((package / "common").glob("*.py")) + [package / "claim.py"]
    hasher = hashlib.sha256(code_text(module.read_text(encoding="utf-8"), claim_module=True).encode())
    for path in imported_claim_modules(module, package):
        hasher.update(path.relative_to(package).as_posix().encode() + code_text(path.read_text(encoding="utf-8")).encode())
    for path in shared:
        hasher.update(path.name.encode() + code_text(path.read_text(encoding="utf-8")).encode())
    return hasher.hexdigest()[:16]


def claim_code_hash(claim) -> str:
    """The hash of the code that computes a registered claim's runs (see code_hash_of)."""
    import reproductions

    return code_hash_of(Path(reproductions.module_of(claim.id)), Path(reproductions.__file__).parent)


# ------------------------------------------------------------------------------------------ runs in plain values

@dataclasses.dataclass(frozen=True)
class RunSpec:
    """One run, in plain values (it may travel to another machine): which claim, arm config, seed and
    stage, and what the run's identity assumes about where it executes."""

    claim_id: str
    name: str
    stage: str
    config: dict
    seed: int
    profile: str
    backend: str
    precision: str  # a Keras dtype policy
    step_cap: int | None
    data_dir: str | None
    code_hash: str  # the claim's code, as the driver planned it
    threads: int | None  # the thread count to set before the backend is imported (None: as configured)
    environment: dict  # numerics.key() the run key was made with: where it executes must match it


@dataclasses.dataclass
class Outcome:
    """What came back from a run: its metrics, or why there are none."""

    status: str  # "finished", "failed", "data" (the data are missing: stop the claim) or "refused"
    scalars: dict = dataclasses.field(default_factory=dict)
    series: dict = dataclasses.field(default_factory=dict)
    notes: str = ""
    seconds: float = 0.0
    error: str = ""
    traceback: str = ""
    worker: dict = dataclasses.field(default_factory=dict)  # host, pid, node (Ray), started, ended (epoch s)
