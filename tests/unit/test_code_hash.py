"""A claim's code hash covers the claim modules it imports: editing a lecture net defined in a sibling claim
reruns the claims built on it."""

import ast
import importlib.util
from pathlib import Path

import pytest

import reproductions
from benchmarks import identity
from reproductions import module_of

pytestmark = pytest.mark.unit


def test_the_claim_modules_a_module_imports_are_found_through_one_another(tmp_path):
    package = tmp_path / "reproductions"
    (package / "topic").mkdir(parents=True)
    (package / "other").mkdir()
    (package / "topic" / "a.py").write_text(
        "from reproductions.topic.b import net\nimport numpy\nfrom reproductions.common.data import x\n"
        "from reproductions.claim import Arm, Claim\nfrom reproductions.topic.d import judged_only\n"
        "CLAIM = Claim(id='a', run=net, base_config=x, arms=(Arm('a', {}),), expectations=(judged_only(),))\n")
    (package / "topic" / "d.py").write_text("def judged_only():\n    pass\n")  # only its sub-claims use it
    (package / "topic" / "b.py").write_text("import reproductions.other.c\n")
    (package / "other" / "c.py").write_text("from reproductions.topic import a\n")  # a cycle back to a
    found = identity.imported_claim_modules(package / "topic" / "a.py", package)
    assert found == [package / "other" / "c.py", package / "topic" / "b.py"]


def test_editing_an_imported_sibling_changes_the_hash(tmp_path, monkeypatch):
    claim = reproductions.registry()["learning-rate-regimes"]
    package = Path(reproductions.__file__).parent
    assert package / "babysitting" / "initial_loss.py" in identity.imported_claim_modules(Path(module_of(claim.id)), package)
    before = identity.claim_code_hash(claim)
    edited = tmp_path / "initial_loss.py"
    edited.write_text((package / "babysitting" / "initial_loss.py").read_text() + "\nEDITED = 1\n")
    real = Path.read_text
    monkeypatch.setattr(Path, "read_text",
                        lambda self, *a, **k: real(edited, *a, **k) if self.name == "initial_loss.py" else real(self, *a, **k))
    assert identity.claim_code_hash(claim) != before


# --------------------------------------------------------------------------- a prose edit changes nothing (issue 30)

def _reworded(source: str) -> str:
    """The module's source with its words changed: every string given to a prose keyword (statement=, lecture=,
    title=, …), every docstring, an Arm's description, the module-level text constants that only the words read,
    and a comment added. What it computes is untouched."""
    tree = ast.parse(source)
    kept = identity.code_text(source, claim_module=True)
    spans = []

    def take(node):
        if isinstance(node, (ast.Constant, ast.JoinedStr)) and (not isinstance(node, ast.Constant)
                                                                  or isinstance(node.value, str)):
            spans.append((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset))

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg in identity.PROSE_KEYWORDS:
                    take(keyword.value)
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name == "Arm" and len(node.args) > 2:
                take(node.args[2])
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body \
                and isinstance(node.body[0], ast.Expr):
            take(node.body[0].value)
    for statement in tree.body:  # text constants the code never reads (e.g. a lecture quote passed as lecture=)
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
                and isinstance(statement.targets[0], ast.Name) and f"{statement.targets[0].id} =" not in kept:
            take(statement.value)
    lines = source.encode().split(b"\n")
    for first, start, last, end in sorted(set(spans), reverse=True):
        head, tail = lines[first - 1][:start], lines[last - 1][end:]
        lines[first - 1:last] = [head + b"'reworded: a typo fixed'" + tail]
    return "# a comment added\n" + b"\n".join(lines).decode()


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("claim_id", list(reproductions.registry()))
def test_rewording_a_claim_keeps_its_code_hash_and_its_definitions(claim_id, tmp_path):
    """Fixing a typo in a claim's words keeps its stored runs (the code hash) and its pins (the definition hashes)."""
    claim = reproductions.registry()[claim_id]
    source = Path(module_of(claim_id)).read_text()
    reworded = _reworded(source)
    assert reworded != source
    assert identity.code_text(reworded, claim_module=True) == identity.code_text(source, claim_module=True)
    path = tmp_path / "reworded_claim.py"
    path.write_text(reworded)
    twin = _load(path, f"reworded_{claim_id.replace('-', '_')}").CLAIM
    assert twin.statement != claim.statement or twin.title != claim.title
    for profile in claim.budgets:
        for e in claim.expectations:
            assert twin.definition_hash(e.id, profile) == claim.definition_hash(e.id, profile), (profile, e.id)


@pytest.mark.parametrize("claim_id", list(reproductions.registry()))
def test_no_words_of_a_claim_are_in_its_code_hash(claim_id):
    """The words reach the code hash only if passed where the hash cannot tell them from code (a positional
    argument): every sub-claim's statement and lecture quote, and every plot title, must be left out."""
    claim = reproductions.registry()[claim_id]
    kept = identity.code_text(Path(module_of(claim_id)).read_text(), claim_module=True)
    words = [e.statement for e in claim.expectations] + [e.lecture for e in claim.expectations if e.lecture] + [
        p.title for p in claim.plots] + [claim.statement, claim.setup]
    # (a quote that is only numbers, e.g. '2.9, 0.0, 12.9', may well appear in the code as the numbers themselves)
    assert not [w for w in words if w and any(c.isalpha() for c in w) and w in kept]


def _with_number_doubled(source: str, where) -> str:
    """The source with the first number inside the node `where` picks out doubled."""
    tree = ast.parse(source)
    node = where(tree)
    number = next(n for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, (int, float))
                  and not isinstance(n.value, bool) and n.value not in (0, 1))
    lines = source.split("\n")
    line = lines[number.lineno - 1].encode()
    lines[number.lineno - 1] = (line[:number.col_offset] + repr(number.value * 2).encode()
                                + line[number.end_col_offset:]).decode()
    return "\n".join(lines)


def _claim_keyword(name):
    def find(tree):
        call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "Claim")
        return next(k.value for k in call.keywords if k.arg == name)
    return find


def test_a_change_to_what_is_computed_changes_the_code_hash():
    source = Path(module_of("initial-loss")).read_text()
    edited = _with_number_doubled(source, _claim_keyword("base_config"))
    assert identity.code_text(edited, claim_module=True) != identity.code_text(source, claim_module=True)
    run = _with_number_doubled(source, lambda tree: next(n for n in tree.body if isinstance(n, ast.FunctionDef)
                                                          and any(isinstance(c, ast.Constant) and isinstance(c.value, float)
                                                                  for c in ast.walk(n))))
    assert identity.code_text(run, claim_module=True) != identity.code_text(source, claim_module=True)


def test_a_changed_margin_is_a_new_definition_judged_from_the_same_runs(tmp_path):
    """What only judges a claim's runs (its sub-claims) is outside the code hash and inside the definition hash:
    a changed margin keeps every stored run and renews its pins."""
    claim = reproductions.registry()["weight-decay"]
    source = Path(module_of(claim.id)).read_text()
    edited = _with_number_doubled(source, _claim_keyword("expectations"))
    assert identity.code_text(edited, claim_module=True) == identity.code_text(source, claim_module=True)
    path = tmp_path / "margin_changed.py"
    path.write_text(edited)
    twin = _load(path, "margin_changed_weight_decay").CLAIM
    assert any(twin.definition_hash(e.id, "quick") != claim.definition_hash(e.id, "quick") for e in claim.expectations)
