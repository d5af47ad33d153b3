"""The code's layout rules, checked on the source (docs/contributors/layout.md):

* imports between the apps run one way, `program` → `speakers` (and `selfservice`, speakers'
  own page, on both), and no modules import each other in a cycle;
* only the models' querysets say what "published" means: nobody else filters on a publish flag.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("opml", "program", "speakers", "selfservice", "ops")


def modules():
    """{module name: parsed source} for every module of our packages (migrations aside)."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return found


def imported_modules(name, tree, known):
    """The modules of `known` that module `name` imports, wherever the import statement is."""
    targets = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            # "from program.admin import people" imports the module program.admin.people.
            targets.add(node.module)
            targets.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {target for target in targets if target in known and target != name}


def import_graph():
    found = modules()
    return {name: imported_modules(name, tree, found) for name, tree in found.items()}


def find_cycle(graph):
    """One import cycle as a list of modules, or None (depth-first search)."""
    state = {}

    def visit(node, path):
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target, [*path, target])):
                return cycle
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node, [node])):
            return cycle
    return None


def test_the_import_graph_has_no_cycle():
    graph = import_graph()
    assert {"program.models", "speakers.models", "opml.urls"} <= graph.keys()
    assert find_cycle(graph) is None


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_speakers_never_imports_program():
    wrong = {
        (name, target)
        for name, targets in import_graph().items()
        if name.startswith("speakers")
        for target in targets
        if target.startswith("program")
    }
    assert wrong == set()


PUBLISH_FLAG = "is_published"
QUERY_METHODS = {"filter", "exclude", "get", "Q", "annotate", "update"}


def flag_lookups(tree):
    """Line numbers of calls such as `.filter(is_published=True)`, `Q(session__is_published=…)`
    or `.exclude(**{"is_published": …})` that name a publish flag."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        if name not in QUERY_METHODS:
            continue
        keywords = [keyword.arg or "" for keyword in node.keywords]
        strings = [
            constant.value
            for constant in ast.walk(node)
            if isinstance(constant, ast.Constant) and isinstance(constant.value, str)
        ]
        if any(PUBLISH_FLAG in text for text in keywords + strings):
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("Talk.objects.filter(is_published=True)", True),
        ("Q(session__is_published=True)", True),
        ("qs.exclude(**{'session__is_published': False})", True),
        ("Talk.objects.published()", False),
        ("Talk.objects.filter(title='is it published?')", False),
    ],
)
def test_flag_lookups_are_recognised(source, found):
    assert bool(flag_lookups(ast.parse(source))) is found


def test_only_the_models_querysets_filter_on_a_publish_flag():
    """The querysets in program/models.py are the one home of "published"; everything else
    composes `published()`, `visible()` and `drafts()`."""
    offenders = {
        f"{name}:{line}"
        for name, tree in modules().items()
        if name != "program.models"
        for line in flag_lookups(tree)
    }
    assert offenders == set()


MAX_MODULE_LINES = 600


def test_no_module_outgrows_one_file():
    """A module past 600 lines is split along its API (as the importer was: parser and writer)."""
    long = {
        str(path.relative_to(ROOT)): length
        for package in ("program", "speakers")
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
        and (length := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}
