"""`reprobench`: list the claims, run them into the MLflow store, write the findings report, open the UI.

    reprobench list
    reprobench run init-scale-collapse --profile quick --seeds 5
    reprobench run --all --profile quick
    reprobench confirm --all               # the same claims on fresh seeds: does each verdict replicate?
    reprobench report [--out DIR] [--profile quick]
    reprobench suite                       # every claim at `quick`, then the report (the main job)
    reprobench suite ID [ID ...]           # those claims, then the report of the whole store
    reprobench ui                          # MLflow UI on the suite's store, on 127.0.0.1, a free port
    reprobench pins --from A.db --from B.db # the claims tier's pins (tests/pins/quick.json) from stored executions

The store is MLFLOW_TRACKING_URI when set, else ./mlflow.db; `--store URI` overrides both.
Bad input exits non-zero with one line on stderr; runs already recorded are never touched.
"""

from __future__ import annotations

import argparse
import difflib
import json
import logging
import os
import sys
import time
from pathlib import Path

from benchmarks import numerics

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's start-up chatter
logging.getLogger("tensorflow").setLevel(logging.ERROR)  # e.g. retracing notes for each fresh model
logging.getLogger("mlflow").setLevel(logging.WARNING)  # e.g. "Creating initial MLflow database tables"
KNOWN_BACKENDS = ("tensorflow", "jax", "torch")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and `--help` still shows the whole usage)."""

    def error(self, message):
        where = self.prog.removeprefix("reprobench").strip()
        self.exit(2, f"reprobench: error: {where + ': ' if where else ''}{message} (see --help)\n")


class UsageError(Exception):
    """Bad input from the user: one line, exit code 2."""


def _whole(what: str, low: int = 1):
    """An argparse type: a whole number ≥ `low`, else a one-line error naming `what`."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a whole number, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{what} must be " + ("at least 1" if low == 1 else f"{low} or more")
                                             + f", got {value}")
        return value
    return parse


def _at_least_one(what: str):
    return _whole(what, 1)


_positive_int = _at_least_one("seeds")


def _gpus(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--gpus-per-run must be a number, got {text!r}") from None
    if not (value >= 0 and value == value and value != float("inf")):
        raise argparse.ArgumentTypeError(f"--gpus-per-run must be 0 or more, got {text}")
    if value > 1 and value != int(value):
        raise argparse.ArgumentTypeError(f"--gpus-per-run above 1 must be whole, got {text}")
    return value
_step_cap = _at_least_one("the step cap")


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port must be a whole number, got {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 1 and 65535, got {value}")
    return value


def _check_backend() -> None:
    backend = os.environ.get("KERAS_BACKEND")
    if backend and backend not in KNOWN_BACKENDS:
        raise UsageError(f"unknown KERAS_BACKEND {backend!r}; use one of {', '.join(KNOWN_BACKENDS)}")


def _check_selection(ids: list[str], run_all: bool, known: list[str], broken: dict[str, str]) -> None:
    """Claim ids as given against the ids that exist: one line for a wrong selection."""
    if run_all and ids:
        raise UsageError("give claim ids or --all, not both")
    if not run_all and not ids:
        raise UsageError("name at least one claim (see `reprobench list`) or pass --all")
    for claim_id in ids:
        if claim_id not in known:
            close = difflib.get_close_matches(claim_id, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else "; see `reprobench list`"
            if broken:
                hint += f" ({len(broken)} claim module(s) failed to load: {', '.join(broken)})"
            raise UsageError(f"unknown claim {claim_id!r}{hint}")


def _claims(ids: list[str], run_all: bool):
    from reproductions import broken_modules, registry

    claims = registry()
    _check_selection(ids, run_all, list(claims), broken_modules())
    return list(claims.values()) if run_all else [claims[claim_id] for claim_id in ids]


def _selection(args) -> tuple[list[str], bool] | None:
    """The claim ids a command was given and whether it means every claim; None for a command without ids."""
    if args.command in ("run", "confirm"):
        return args.claims, args.all
    if args.command in ("suite", "pins"):
        return args.claims, not args.claims
    return None


def _store(args):
    from mlflow_tracking import Store

    return Store(args.store)


def _existing_store(args):
    """The store of a command that reads what `run` recorded (`report`, `ui`, `confirm`): one that does not exist
    or holds no reprobench run is refused, never created or reported as empty."""
    from mlflow_tracking import Store

    store = Store(args.store, must_exist=True)
    if not store.holds_runs():
        raise UsageError(f"store {store.uri} holds no reprobench runs: `run` or `suite` writes them "
                         f"(`{args.command}` reads them)")
    return store


def claims_table(claims: list[dict]) -> list[str]:
    """README's claims table, from the claims' index entries (reproductions.index): a row per claim (its title and
    how quick checks it), grouped by the lecture's topics in the report's order."""
    lines = ["| id | what the lecture claims | how it is checked at `quick` |", "|---|---|---|"]
    topic = None
    for claim in claims:
        if claim["topic"] != topic:
            topic = claim["topic"]
            lines.append(f"| **{topic['title']}** | | |")
        lines.append(f"| `{claim['id']}` | {claim['title']} | "
                     f"{claim['check'] or '(not stated: give the claim a check)'} |")
    return lines


def cmd_list(args) -> int:
    from reproductions import index

    # the committed index while it matches the claim files (no claim imported, no backend: well under a second),
    # else the claims as they load now
    data = index.fresh()
    if data is None:
        _import_keras_quietly()
        data = index.build()
    claims, broken = data["claims"], data["broken"]
    if args.markdown:
        print("\n".join(claims_table(claims)))
        for module_name, error in broken.items():
            print(f"BROKEN {module_name}: {error}", file=sys.stderr)
        return 1 if broken else 0
    width = max([len(claim["id"]) for claim in claims] or [10])
    topic = None
    for claim in claims:
        if claim["topic"] != topic:  # the lecture's topics, in the report's order
            topic = claim["topic"]
            print(f"# {topic['title']} (reproductions/{topic['name']}/)")
        seeds = ", ".join(f"{profile}: {n} seeds" for profile, n in claim["seeds"].items())
        print(f"{claim['id']:<{width}}  {claim['title']}")
        print(f"{'':<{width}}  source: {claim['source']}")
        print(f"{'':<{width}}  profiles: {seeds}; arms: {', '.join(claim['arms'])}")
    for module_name, error in broken.items():
        print(f"BROKEN {module_name}: {error}")
    return 1 if broken else 0


def _executor(args):
    """The executor the options ask for: in this process (the default), or Ray (`--executor ray`, implied by
    `--jobs N` > 1 or `--address`)."""
    kind = args.executor or ("ray" if (args.jobs or 1) > 1 or args.address or args.gpus_per_run else "local")
    if kind == "local":
        if args.gpus_per_run:
            raise UsageError("--gpus-per-run needs --executor ray")
        return None
    if args.jobs and args.address:
        raise UsageError("give --jobs (a Ray started on this machine) or --address (a running cluster), not both")
    from benchmarks.executors import ExecutorError, RayExecutor

    try:
        return RayExecutor(jobs=args.jobs, address=args.address, threads=args.threads, gpus_per_run=args.gpus_per_run,
                           retries=args.retries)
    except ExecutorError as error:
        raise UsageError(str(error)) from None


def _run(args, claims, broken: dict[str, str] | None = None) -> int:
    from benchmarks.runner import Interrupted, run_claims
    from reproductions.common.data import DataError

    if args.data_dir:  # checked now, even when every run finished before and no data will be read
        from reproductions.common.data import check_data_dir

        check_data_dir(args.data_dir)
    store = _store(args)
    import keras

    from benchmarks.evidence import mean_run_seconds
    from benchmarks.progress import Progress, clock
    from benchmarks.plan import planned_runs

    backend = keras.backend.backend()
    seeds_of = {claim.id: args.seeds or claim.budgets[args.profile].seeds for claim in claims}
    planned = {claim.id: planned_runs(claim, args.profile, seeds_of[claim.id]) for claim in claims}
    prior = {claim.id: mean_run_seconds(store, claim.id, args.profile, backend) for claim in claims}
    executor = _executor(args)
    tracker = Progress(planned, {cid: s for cid, s in prior.items() if s is not None},
                       parallel=executor.slots() if executor is not None else 1)
    say = tracker.line

    def error(text: str) -> None:
        tracker.clear()
        print(text, file=sys.stderr, flush=True)

    def run_line(line: str) -> None:  # without a terminal's status line, each run's line carries the counts
        say("  " + line + (f"  [{tracker.status()}]" if line.startswith("[") and not tracker.live else ""))

    stream = getattr(args, "stream", "discovery")
    variant = (f" · precision {args.precision}" if args.precision != "float32" else "") + (
        f" · at most {args.step_cap} training steps per run (a shape check: no verdict)" if args.step_cap else "") + (
        " · confirmation: fresh seeds for tuning, judged runs and placebos" if stream == "confirmation" else "")
    where = f" · on {executor.where}" if executor is not None else ""
    say(f"store: {store.uri} · backend {backend}{where} · "
        f"{numerics.label(numerics.describe(backend)) if executor is None else ''}{variant} · "
        f"{len(claims)} claim(s), {sum(planned.values())} runs planned".replace(" ·  · ", " · "))
    failures, finished = 0, []
    for module_name, message in (broken or {}).items():  # its claim gets ERROR; the others still run
        failures += 1
        error(f"== ERROR: claim module {module_name} failed to load: {message}")

    def done(claim, summary, exc) -> None:
        nonlocal failures
        if exc is not None:  # a claim that breaks the runner itself: report it, go on with the others
            failures += 1
            error(f"  ERROR in {claim.id}: {type(exc).__name__}: {exc}")
            return
        verdict = summary.verdict
        finished.append(claim.id)
        failures += verdict.verdict == "ERROR"
        shown = (f"NO VERDICT (step-capped; the capped numbers read {verdict.verdict})" if args.step_cap
                 else verdict.verdict)
        say(f"  {claim.id} -> {shown} ({verdict.n_seeds} seeds; ran {summary.ran}, kept {summary.reused}, "
            f"failed {summary.failed}) in {summary.seconds:.1f}s")
        for sub in verdict.subverdicts + verdict.placebos:
            confidence = f"{sub.confidence:.0%} " if sub.confidence == sub.confidence else ""
            say(f"     {sub.verdict:<15} {sub.role:<9} {sub.expectation.id}: {sub.mean:.4g} "
                f"[{sub.ci_low:.4g}, {sub.ci_high:.4g}] {confidence}n={sub.n}")

    def opened(claim) -> None:
        say(f"== {claim.id} · profile {args.profile} · {seeds_of[claim.id]} seeds · {planned[claim.id]} runs")

    try:
        with tracker:
            try:
                run_claims(claims, args.profile, store, seeds=args.seeds, executor=executor, force=args.force,
                           data_dir=args.data_dir, progress=run_line, tracker=tracker, precision=args.precision,
                           step_cap=args.step_cap, stream=stream, on_done=done, on_open=opened)
            except Interrupted as stop:
                names = ", ".join(finished) or "none"
                error(f"\ninterrupted: {stop}. Claims finished: {names}. Finished runs are kept; "
                      f"run the same command again to resume.")
                return 130
            except DataError:
                raise
    finally:
        if executor is not None:
            executor.close()
    waits = store.client.retries
    done_runs, _ = tracker.totals()
    say(f"done: {done_runs} runs in {clock(time.monotonic() - tracker.started)}"
        + (f" ({waits} writes waited for a store locked by another process)" if waits else ""))
    return 1 if failures else 0


def cmd_run(args) -> int:
    from reproductions import broken_modules

    return _run(args, _claims(args.claims, args.all), broken_modules() if args.all else None)


def cmd_confirm(args) -> int:
    """`run`, on the confirmation seed stream: tuning, judged runs and placebos on seeds no decision has
    seen, judged apart; the report sets each verdict beside the discovery one."""
    from reproductions import broken_modules

    args.stream = "confirmation"
    _existing_store(args)  # a confirmation replicates runs recorded before: not in a store that has none
    return _run(args, _claims(args.claims, args.all), broken_modules() if args.all else None)


def cmd_report(args) -> int:
    from benchmarks.report import ReportRefused, write_report

    from pathlib import Path

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file; give a directory for FINDINGS.md and its plots")
    store = _existing_store(args)
    started = time.monotonic()
    try:  # `suite --force` ran everything again: its report may replace any other
        drawn = []
        path = write_report(store, out, profile=args.profile, force=getattr(args, "force", False),
                            on_plots=lambda drawer: drawn.append(drawer.summary()))
    except ReportRefused as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"cannot write the report in {out}: {error.strerror or error}") from None
    print(f"wrote {path} from {store.uri} in {time.monotonic() - started:.1f}s ({', '.join(drawn) or 'no plots'})")
    return 0


def cmd_suite(args) -> int:
    from reproductions import broken_modules

    code = _run(args, _claims(args.claims, not args.claims), None if args.claims else broken_modules())
    if code == 130:
        return code
    report_code = cmd_report(args)
    return code or report_code


def cmd_pins(args) -> int:
    """Decide the claims tier's pins from the executions stored in the given stores (benchmarks/pins.py)."""
    from pathlib import Path

    from benchmarks import pins
    from mlflow_tracking import Store
    from reproductions import registry

    claims = _claims(args.claims, not args.claims)
    out = Path(args.out)
    if out.exists() and not out.is_file():
        raise UsageError(f"--out {out} is not a file")
    if args.markdown:  # the pin file as a table, no store read
        try:
            print("\n".join(pins.markdown(pins.load(out).data)))
        except (OSError, ValueError, KeyError) as error:
            raise UsageError(f"cannot read the pin file {out}: {error}") from None
        return 0
    previous = None
    if out.is_file():
        try:
            previous = json.loads(out.read_text(encoding="utf-8"))
        except ValueError as error:
            raise UsageError(f"--out {out} is not a pin file ({error})") from None
    stores = [Store(uri) for uri in (args.sources or [args.store])]
    print(f"pins for {len(claims)} claim(s) at {args.profile} with {args.seeds or 'their planned'} seeds, from "
          + ", ".join(store.uri for store in stores))
    found = pins.gather(stores, claims, args.profile, args.seeds)
    try:
        data = pins.build(found, registry(), args.profile, args.seeds, args.min_sources, previous,
                          keep_sources=args.keep_sources)
    except pins.PinError as error:
        raise UsageError(str(error)) from None
    for claim in claims:
        entry = data["claims"].get(claim.id)
        if claim.id in found and entry is not None:
            labels = sum(p["verdict"] is not None for p in entry["subclaims"].values())
            print(f"  {claim.id}: {len(entry['evidence'])} sources; {labels} of {len(entry['subclaims'])} labels pinned"
                  f"; claim verdict {entry['verdict'] or 'not pinned (the sources differ)'}")
    pins.write(data, out)
    print(f"wrote {out}: {len(data['claims'])} claims, sources: {'; '.join(data['sources'])}")
    return 0


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _port_free(host: str, port: int) -> bool:
    import socket

    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


ML_WORKFLOW = "workflowType=machine_learning"  # MLflow 3 opens in its GenAI mode; this URL parameter picks runs


def ui_lines(url: str, experiment) -> list[str]:
    """A claim's lines in `reprobench ui`'s output: per judged execution (profile, stream), the URL of its judged
    runs grouped by arm, and of its tuning and placebo runs apart (the views the recorder stored as
    `mlflow.sharedViewState.*` tags); a claim with none yet, the URL of its experiment."""
    from mlflow_tracking.views import VIEW_TAG, view_key

    base = f"{url}#/experiments/{experiment.experiment_id}/runs"
    tags = experiment.tags
    lines = []
    for key in sorted(k for k in tags if k.startswith("verdict.")):
        judged = VIEW_TAG + view_key(key, "eval")
        if judged not in tags:  # judged before views were stored: the experiment, unfiltered
            lines.append(f"  {experiment.name} · {key.removeprefix('verdict.')} · {tags[key]}: {base}?{ML_WORKFLOW}")
            continue
        lines.append(f"  {experiment.name} · {key.removeprefix('verdict.')} · {tags[key]}: "
                     f"{base}?viewStateShareKey={view_key(key, 'eval')}&compareRunsMode=CHART&{ML_WORKFLOW}")
        apart = [f"{stage} runs {base}?viewStateShareKey={view_key(key, stage)}&{ML_WORKFLOW}"
                 for stage in ("tuning", "placebo") if VIEW_TAG + view_key(key, stage) in tags]
        if apart:
            lines.append("      " + " · ".join(apart))
    return lines or [f"  {experiment.name}: {base}?{ML_WORKFLOW}"]


def cmd_ui(args) -> int:
    store = _existing_store(args)
    port = args.port or _free_port(args.host)
    if not _port_free(args.host, port):  # checked before any URL is printed: the server could not serve there
        raise UsageError(f"port {port} on {args.host} is in use: give another --port, or leave it out for a free one")
    command = store.ui_command(host=args.host, port=port)
    url = f"http://{args.host}:{port}/"
    print(f"MLflow UI for {store.uri} at {url} (Ctrl-C stops it)", flush=True)
    print(f"  every claim, with its verdicts: {url}#/experiments?{ML_WORKFLOW}", flush=True)
    for experiment in store.client.search_experiments(order_by=["name ASC"]):  # one per claim
        if experiment.name != "Default":
            for line in ui_lines(url, experiment):
                print(line, flush=True)
    # the suite needs no server-side jobs: without them the UI starts faster and leaves no helpers behind
    os.environ.setdefault("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false")
    os.execvp(command[0], command)  # the server replaces this process, so signals reach it directly


def build_parser() -> argparse.ArgumentParser:
    from reproductions.claim import PROFILES

    parser = _Parser(prog="reprobench", description=__doc__.split("\n")[0])
    parser.add_argument("--store", help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI, else ./mlflow.db)")
    parser.add_argument("--threads", type=_at_least_one("threads"), default=None, metavar="N",
                        help="threads per run (default: $REPROBENCH_THREADS, else every usable core); part of "
                             "every run's key, since the thread count changes the numbers")
    parser.add_argument("--cpu-isa", choices=numerics.CPU_ISAS, default=None, metavar="ISA",
                        help="cap the kernels at this vector width (avx2 on an AVX-512 CPU gives an AVX2 machine's "
                             "numbers; default: $REPROBENCH_CPU_ISA, else the CPU's own); part of every run's key")
    commands = parser.add_subparsers(dest="command", required=True)

    listing = commands.add_parser("list", help="show the registered claims")
    listing.add_argument("--markdown", action="store_true", help="README's claims table, as markdown")
    listing.set_defaults(func=cmd_list)

    def run_options(sub):
        sub.add_argument("--profile", choices=PROFILES, default="quick", help="budget profile (default quick)")
        sub.add_argument("--seeds", type=_positive_int, help="seeds per arm (default: the profile's)")
        sub.add_argument("--force", action="store_true", help="run again even what finished before")
        sub.add_argument("--data-dir", help="directory with the Fashion-MNIST *-ubyte.gz files (and the "
                                            "CIFAR-10 archive, which the full profile uses when present)")
        sub.add_argument("--precision", choices=("float32", "bfloat16"), default="float32",
                         help="float32 (default) or bfloat16 (Keras' mixed_bfloat16: bf16 compute, float32 weights)")
        sub.add_argument("--step-cap", type=_step_cap, default=None, metavar="N",
                         help="at most N training steps per run: checks a profile's shapes on a small machine; "
                              "its verdicts are marked as no evidence")
        sub.add_argument("--executor", choices=("local", "ray"), default=None,
                         help="local: each run in this process, one at a time (the default); ray: each run a Ray "
                              "task (pip install 'reprobench[ray]'), N at a time here (--jobs) or on a cluster "
                              "(--address)")
        sub.add_argument("--jobs", type=_at_least_one("--jobs"), default=None, metavar="N",
                         help="runs at a time on this machine (Ray started here; each run gets cores/N threads "
                              "unless --threads says otherwise); N > 1 implies --executor ray")
        sub.add_argument("--address", default=None, metavar="auto|HOST:PORT",
                         help="join the Ray cluster started with `ray start` (implies --executor ray); each run "
                              "gets --threads threads (default 1) and as many CPUs")
        sub.add_argument("--gpus-per-run", type=_gpus, default=0.0, metavar="G",
                         help="GPUs each run asks Ray for (fractions share a GPU between small runs); JAX then "
                              "allocates on demand and TensorFlow grows its memory")
        sub.add_argument("--retries", type=_whole("--retries", 0), default=2, metavar="N",
                         help="on Ray, how often a run whose worker or node died is run again (default 2)")

    run = commands.add_parser("run", help="run claims into the store")
    run.add_argument("claims", nargs="*", help="claim ids (see `reprobench list`)")
    run.add_argument("--all", action="store_true", help="every registered claim")
    run_options(run)
    run.set_defaults(func=cmd_run)

    confirm = commands.add_parser("confirm", help="run claims again on fresh seeds (tuning included) and judge "
                                                  "them apart: does each verdict replicate?")
    confirm.add_argument("claims", nargs="*", help="claim ids (see `reprobench list`)")
    confirm.add_argument("--all", action="store_true", help="every registered claim")
    run_options(confirm)
    confirm.set_defaults(func=cmd_confirm)

    def report_options(sub, default_profile):
        sub.add_argument("--out", default=".", help="directory for FINDINGS.md and its plots (default .)")
        if default_profile is None:
            sub.add_argument("--profile", choices=PROFILES, default=None,
                             help="report this profile's executions (default: the most thorough run)")

    report = commands.add_parser("report", help="write FINDINGS.md from the store")
    report_options(report, None)
    report.add_argument("--force", action="store_true",
                        help="write the report even over one that judged more claims (refused otherwise)")
    report.set_defaults(func=cmd_report)

    suite = commands.add_parser("suite", help="run every claim (or the ones named), then write the report")
    suite.add_argument("claims", nargs="*", help="claim ids (default: every claim; see `reprobench list`)")
    run_options(suite)
    report_options(suite, "quick")
    suite.set_defaults(func=cmd_suite)

    pins = commands.add_parser("pins", help="decide the claims tier's pins from stored executions (discovery, "
                                            "confirmation and the other numeric settings) and write them as data")
    pins.add_argument("claims", nargs="*", help="claim ids (default: every claim)")
    pins.add_argument("--from", dest="sources", action="append", metavar="URI",
                      help="a store to read executions from (repeat for several; default: the store)")
    pins.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "tests" / "pins" / "quick.json"),
                      help="the pin file to write (default tests/pins/quick.json; claims not in the stores keep "
                           "their entries)")
    pins.add_argument("--profile", choices=PROFILES, default="quick", help="the profile pinned (default quick)")
    pins.add_argument("--seeds", type=_positive_int, default=None,
                      help="the seed count pinned (default: each claim's planned seeds at the profile)")
    pins.add_argument("--min-sources", type=_at_least_one("--min-sources"), default=2, metavar="N",
                      help="a claim is pinned only from N sources or more (default 2)")
    pins.add_argument("--keep-sources", action="store_true",
                      help="count a claim's sources already in the pin file that the stores do not give again (their "
                           "stored per-seed evidence, re-judged; only when pinned with the claim's current code): a "
                           "new setting, e.g. another CPU, joins the pins without the earlier stores")
    pins.add_argument("--markdown", action="store_true",
                      help="print the pin file (--out) as a table: each claim's verdict in every source; reads no store")
    pins.set_defaults(func=cmd_pins)

    ui = commands.add_parser("ui", help="start the MLflow UI on the store")
    ui.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    ui.add_argument("--port", type=_port, default=None, help="port (default: a free one, printed)")
    ui.set_defaults(func=cmd_ui)
    return parser


def _import_keras_quietly() -> None:
    """TensorFlow's C++ start-up lines (absl's warning, oneDNN and CUDA probes) go straight to file
    descriptor 2 while it is imported, before any setting can stop them; they are not ours to show.
    Errors are not lost: an import that fails raises after stderr is back."""
    if "keras" in sys.modules or os.environ.get("REPROBENCH_VERBOSE_IMPORT"):
        return
    try:
        saved = os.dup(2)
    except OSError:
        import keras  # noqa: F401
        return
    try:
        with open(os.devnull, "w") as devnull:
            sys.stderr.flush()
            os.dup2(devnull.fileno(), 2)
            try:
                import keras  # noqa: F401
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


def _report_backend() -> None:
    """The report trains nothing and reads the backend of each run from its tags. Keras' NumPy backend
    spares it TensorFlow's import (5-8 s of a report's 10 s budget), but Keras builds that backend on JAX,
    which `.[tensorflow]` does not install: without JAX the report keeps the configured backend."""
    import importlib.util

    if "keras" not in sys.modules and importlib.util.find_spec("jax") is not None:
        os.environ["KERAS_BACKEND"] = "numpy"


def _user_errors() -> tuple[type[Exception], ...]:
    """The errors that are the user's to fix (one line, exit 2). The store's and the data's are among them only
    once their modules are loaded (nothing else can raise them), so that `list` never imports MLflow for this."""
    errors = [UsageError, numerics.NumericsError]
    for module, name in (("mlflow_tracking.store", "StoreError"), ("reproductions.common.data", "DataError")):
        if module in sys.modules:
            errors.append(getattr(sys.modules[module], name))
    return tuple(errors)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        # the numeric environment the claims are measured under, set before any backend is imported, and before
        # NumPy is (OpenBLAS reads its thread count, OMP_NUM_THREADS, once, when NumPy is imported)
        numerics.configure(args.threads, cpu_isa=args.cpu_isa)
    except numerics.NumericsError as error:
        print(f"reprobench: error: {error}", file=sys.stderr)
        return 2
    try:
        _check_backend()
        selection = _selection(args)
        if selection is not None:  # a wrong claim id is refused before any backend is imported, where the index can
            from reproductions import index

            data = index.fresh()
            if data is not None:
                _check_selection(*selection, [claim["id"] for claim in data["claims"]], data["broken"])
        if args.command == "report":
            _report_backend()
        if args.command not in ("ui", "list"):  # `list` imports one only where its index is stale
            _import_keras_quietly()
        if args.command in ("run", "suite", "confirm"):
            import keras

            numerics.check(keras.backend.backend(), numerics.describe(keras.backend.backend()))
        return args.func(args)
    except Exception as error:
        if not isinstance(error, _user_errors()):
            raise
        print(f"reprobench: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # outside a run (e.g. while importing): nothing was in flight
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
