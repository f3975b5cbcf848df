"""Hostile and extreme files (issue 16): nothing crashes, nothing leaks, nothing is silently wrong.

Generated from every bundled scenario (``scenarios/*.yaml``) and experiment
(``experiments/*.yaml``), each copied into a folder of its own:

- names holding terminal markup (``[/bold]``, ``[east]``, ``:smile:``, ``[link=x]``) in every
  name field, and in the file names, are printed literally by ``validate`` and a short ``run``;
- a CSV file or a base scenario outside the folder (an absolute path, ``../``, a symbolic link
  pointing out) is refused with exit code 2 naming the field, and the file's content (a unique
  marker) never reaches the output; with ``--allow-dir`` the same file is read;
- an alias bomb or a duplicate key in every YAML input is refused with its line, within 5 s and
  without growing memory (a bomb in a sweep's ``levels`` used to take ~20 MB/s until killed).
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import shutil
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import simsvc
from simsvc.app import core
from simsvc.scenario.yaml_safe import MAX_ALIAS_NODES, PyStrictLoader, StrictLoader, YamlProblem, parse_yaml
from tests.helpers import ROOT, SCENARIOS, invoke_cli

SCENARIO_FILES = sorted(SCENARIOS.glob("*.yaml"))
EXPERIMENT_FILES = sorted((ROOT / "experiments").glob("*.yaml"))
MARKUP = " [/bold] [east] :smile: [link=x]"
FILE_MARKUP = " [bold] [east] :smile: [link=x]"  # a file name holds no "/"
EMOJI = "\N{SMILING FACE WITH OPEN MOUTH AND SMILING EYES}"  # what rich makes of :smile:
SECONDS, MEGABYTES = 5.0, 200


def _flat(text: str) -> str:
    """Text without whitespace: a table may wrap a long name over lines."""
    return re.sub(r"\s+", "", text)


def _first_cells(text: str) -> list[str]:
    """The first-column cells of the tables in ``text``, a cell wrapped over lines joined again."""
    cells: list[str] = []
    for line in text.splitlines():
        if line.startswith("│"):
            parts = [p.strip() for p in line.strip().strip("│").split("│")]
            if cells and not any(parts[1:]):
                cells[-1] += " " + parts[0]
            else:
                cells.append(parts[0])
    return cells


def _names(node: Any) -> set[str]:
    """Every ``name:`` value in a scenario or experiment mapping."""
    if isinstance(node, dict):
        own = {node["name"]} if isinstance(node.get("name"), str) else set()
        return own.union(*(_names(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_names(v) for v in node))
    return set()


def _renamed(node: Any, names: dict[str, str]) -> Any:
    """``node`` with every string (value or key) that is a name replaced: references follow their names."""
    if isinstance(node, dict):
        return {names.get(k, k) if isinstance(k, str) else k: _renamed(v, names) for k, v in node.items()}
    if isinstance(node, list):
        return [_renamed(v, names) for v in node]
    return names.get(node, node) if isinstance(node, str) else node


def _copy_scenarios(folder: Path) -> Path:
    """The bundled scenarios and their CSV files in ``folder/scenarios`` (as ``simsvc examples`` lays them out)."""
    target = folder / "scenarios"
    shutil.copytree(SCENARIOS, target)
    return target


def _marked_scenario(tmp_path: Path, source: Path) -> tuple[Path, dict[str, Any]]:
    """``source`` with markup in every name and in its own and its CSV files' names."""
    folder = _copy_scenarios(tmp_path)
    raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    data = _renamed(raw, {n: n + MARKUP for n in _names(raw)})
    for cls in data["customer_classes"]:
        for key in ("csv", "trace_csv"):
            if key in cls["arrivals"]:
                old = folder / cls["arrivals"][key]
                new = old.with_name(old.stem + FILE_MARKUP + old.suffix)
                old.rename(new)
                cls["arrivals"][key] = new.name
    path = folder / f"{source.stem}{FILE_MARKUP}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path, data


def _assert_clean(done) -> None:
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    assert EMOJI not in done.stdout + done.stderr


@contextlib.contextmanager
def _bounded() -> Iterator[None]:
    """Fail, instead of hanging or swapping, if the block takes over 5 s or grows the peak memory by 200 MB."""

    def too_slow(signum, frame):
        raise TimeoutError(f"over {SECONDS} s")

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    start = time.perf_counter()
    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.setitimer(signal.ITIMER_REAL, SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.perf_counter() - start < SECONDS
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown < MEGABYTES, f"peak memory grew by {grown:.0f} MB"


# Markup in names ---------------------------------------------------------------------------------


@pytest.mark.parametrize("source", SCENARIO_FILES, ids=lambda p: p.stem)
def test_markup_in_every_name_is_printed_as_written(tmp_path, source):
    path, data = _marked_scenario(tmp_path, source)
    done = invoke_cli("validate", str(path))
    assert done.returncode == 0, done.stderr
    _assert_clean(done)
    assert _flat(f"ok {path}: {data['name']!r}") in _flat(done.stdout)

    done = invoke_cli("run", str(path), "-r", "2", "-w", "1", "--seed", "1")
    assert done.returncode == 0, done.stderr
    _assert_clean(done)
    assert _flat(data["name"]) in _flat(done.stdout)  # the first table's title
    classes = [c["name"] for c in data["customer_classes"]]
    if len(classes) > 1:  # the by-class table
        assert set(classes) <= set(_first_cells(done.stdout)), done.stdout


@pytest.mark.parametrize("source", SCENARIO_FILES, ids=lambda p: p.stem)
def test_markup_in_a_bad_reference_is_quoted_as_written(tmp_path, source):
    path, data = _marked_scenario(tmp_path, source)
    data["teams"][0]["serves"] = ["[/bold]nobody :smile:"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    done = invoke_cli("validate", str(path))
    assert done.returncode == 2
    _assert_clean(done)
    # The field path keeps its [0] (rich would take "[0]"-like text for a tag), the name its markup.
    assert "teams[0].serves[0]: unknown class '[/bold]nobody :smile:'" in done.stderr, done.stderr
    assert str(path) in done.stderr


def test_control_characters_in_names_are_shown_escaped(tmp_path):
    data = yaml.safe_load((SCENARIOS / "bank_branch.yaml").read_text(encoding="utf-8"))
    name = data["name"]
    data = _renamed(data, {n: n + "\x1b[2J\x1b]0;owned\x07\u202e" for n in _names(data)})  # clear, retitle, bidi
    path = tmp_path / "controls.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")  # written as "\e[2J..."
    done = invoke_cli("run", str(path), "-r", "2", "-w", "1")
    assert done.returncode == 0, done.stderr
    for text in (done.stdout, done.stderr):
        assert not set(text) & {"\x1b", "\x07", "\u202e"}
    assert _flat(name + r"\x1b[2J\x1b]0;owned\x07\u202e") in _flat(done.stdout)  # each control escaped
    data["teams"][0]["serves"] = ["\x1bnobody"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    done = invoke_cli("validate", str(path))
    assert done.returncode == 2 and "unknown class '\\x1bnobody'" in done.stderr and "\x1b" not in done.stderr


def test_markup_in_optimizer_plan_tables(tmp_path):
    path, data = _marked_scenario(tmp_path, SCENARIOS / "call_centre.yaml")
    done = invoke_cli("optimize", str(path), "--no-simulate")
    assert done.returncode == 0, done.stderr
    _assert_clean(done)
    assert _flat(data["teams"][0]["name"]) in _flat(done.stdout)  # the plan's shift table


def test_markup_in_the_report_is_html_text(tmp_path):
    path, data = _marked_scenario(tmp_path, SCENARIOS / "teaching.yaml")
    out = tmp_path / "out"
    assert invoke_cli("run", str(path), "-r", "2", "-w", "1", "--out", str(out)).returncode == 0
    data["name"] = "<script>alert(1)</script>" + MARKUP
    (out / "scenario.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    done = invoke_cli("report", str(out))
    assert done.returncode == 0, done.stderr
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_markdown_in_names_is_escaped_for_the_app():
    # Streamlit renders names through markdown: escaped, every character shows as written.
    name = "**b** [a](http://x) :smile: :red[r] $x$ <b>h</b> a_b" + MARKUP
    escaped = core.markdown_text(name)
    assert re.sub(r"\\(.)", r"\1", escaped) == name  # unescaping gives the name back
    assert not re.search(r"(?<!\\)[*\[\]:$<_]", escaped)  # no markdown character is left bare


# Files outside the scenario's folder ------------------------------------------------------------


@pytest.fixture
def secret(tmp_path) -> tuple[Path, str]:
    """A readable trace outside the scenario's folder, holding a unique marker."""
    marker = f"SECRET_{uuid.uuid4().hex}"
    path = tmp_path / "outside" / "secret.csv"
    path.parent.mkdir()
    path.write_text(f"time,{marker}\n1.0,{marker}\n", encoding="utf-8")
    return path, marker


def _pointing_out(folder: Path, target: Path, how: str) -> str:
    if how == "absolute":
        return str(target)
    if how == "dotdot":
        return os.path.relpath(target, folder)
    link = folder / "link.csv"
    link.symlink_to(target)
    return link.name


@pytest.mark.parametrize("how", ["absolute", "dotdot", "symlink"])
@pytest.mark.parametrize("source", SCENARIO_FILES, ids=lambda p: p.stem)
def test_a_csv_outside_the_folder_is_refused_without_its_content(tmp_path, secret, source, how):
    target, marker = secret
    folder = _copy_scenarios(tmp_path)
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["customer_classes"][0]["arrivals"] = {"trace_csv": _pointing_out(folder, target, how)}
    path = folder / "outward.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    for command in ("validate", "run"):
        done = invoke_cli(command, str(path))
        assert done.returncode == 2, done.stderr
        _assert_clean(done)
        assert "customer_classes[0].arrivals.trace_csv: " in done.stderr
        assert f"is outside the scenario's folder {folder.resolve()}" in done.stderr
        assert "--allow-dir" in done.stderr
        assert marker not in done.stdout + done.stderr
    done = invoke_cli("validate", str(path), "--allow-dir", str(target.parent))
    assert "is outside" not in done.stderr  # allowed, the same file is read
    assert done.returncode == 0 or "loyalty over several days needs demand as rates" in done.stderr, done.stderr


def test_a_loop_of_links_is_refused_not_a_traceback(tmp_path):
    (tmp_path / "a.csv").symlink_to("b.csv")
    (tmp_path / "b.csv").symlink_to("a.csv")
    (tmp_path / "dir_a").symlink_to("dir_b")
    (tmp_path / "dir_b").symlink_to("dir_a")
    data = yaml.safe_load((SCENARIOS / "teaching.yaml").read_text(encoding="utf-8"))
    data["customer_classes"][0]["arrivals"] = {"csv": "a.csv"}
    path = tmp_path / "loop.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    done = invoke_cli("validate", str(path), "--allow-dir", str(tmp_path / "dir_a"))
    assert done.returncode == 2
    _assert_clean(done)
    assert "customer_classes[0].arrivals.csv: " in done.stderr and "loop" in done.stderr


def test_a_forecast_outside_the_folder_is_refused_in_python_too(tmp_path, secret):
    target, marker = secret
    data = yaml.safe_load((SCENARIOS / "teaching.yaml").read_text(encoding="utf-8"))
    data["customer_classes"][0]["arrivals"] = {"csv": str(target), "column": marker}
    folder = tmp_path / "here"
    folder.mkdir()
    with pytest.raises(simsvc.ScenarioError) as refused:
        simsvc.load_scenario(data, base_dir=folder)
    assert "customer_classes[0].arrivals.csv" in str(refused.value) and marker not in str(refused.value)
    with pytest.raises(simsvc.ScenarioError, match=f"row 2, column '{marker}': '{marker}' is not a number"):
        simsvc.load_scenario(data, base_dir=folder, allowed_dirs=[target.parent])  # allowed: read


def test_a_file_that_is_not_csv_is_not_quoted(tmp_path):
    marker = f"SECRET_{uuid.uuid4().hex}"
    (tmp_path / "key.csv").write_text(f"-----BEGIN KEY {marker}-----\n{marker}\n", encoding="utf-8")
    data = yaml.safe_load((SCENARIOS / "teaching.yaml").read_text(encoding="utf-8"))
    for arrivals in ({"trace_csv": "key.csv"}, {"csv": "key.csv"}):
        data["customer_classes"][0]["arrivals"] = arrivals
        with pytest.raises(simsvc.ScenarioError) as refused:
            simsvc.load_scenario(data, base_dir=tmp_path)
        assert "has no column" in str(refused.value) and marker not in str(refused.value)


def test_a_bad_cell_is_quoted_at_most_40_characters(tmp_path):
    cell = "x" * 39 + "SECRET"
    (tmp_path / "t.csv").write_text(f"time\n{cell}\n", encoding="utf-8")
    data = yaml.safe_load((SCENARIOS / "teaching.yaml").read_text(encoding="utf-8"))
    data["customer_classes"][0]["arrivals"] = {"trace_csv": "t.csv"}
    with pytest.raises(simsvc.ScenarioError, match=r"t\.csv row 2, column 'time': 'x{39}…' is not a number"):
        simsvc.load_scenario(data, base_dir=tmp_path)


def test_an_upload_reads_only_the_files_uploaded_with_it(secret):
    target, marker = secret
    data = yaml.safe_load((SCENARIOS / "teaching.yaml").read_text(encoding="utf-8"))
    data["customer_classes"][0]["arrivals"] = {"trace_csv": str(target)}
    with pytest.raises(simsvc.ScenarioError) as refused:
        core.load_uploads({"mine.yaml": yaml.safe_dump(data).encode()})
    message = str(refused.value)
    assert message.startswith("mine.yaml: invalid scenario") and "simsvc-upload" not in message
    assert "outside the scenario's folder (the uploaded files); upload it together with the scenario" in message
    assert marker not in message
    data["customer_classes"][0]["arrivals"] = {"trace_csv": "trace.csv"}
    files = {"mine.yaml": yaml.safe_dump(data).encode(), "trace.csv": b"time\n1.5\n9.25\n"}
    assert core.load_uploads(files).customer_classes[0].arrivals.trace_times == (1.5, 9.25)
    with pytest.raises(simsvc.ScenarioError, match=r"file not found: trace\.csv"):  # named as uploaded
        core.load_uploads({"mine.yaml": files["mine.yaml"]})


# Experiments ------------------------------------------------------------------------------------


def _copy_experiment(tmp_path: Path, source: Path) -> Path:
    """The experiment in ``tmp_path/experiments``, beside ``tmp_path/scenarios`` (the examples' layout)."""
    _copy_scenarios(tmp_path)
    (tmp_path / "experiments").mkdir()
    return Path(shutil.copy(source, tmp_path / "experiments"))


@pytest.mark.parametrize("source", EXPERIMENT_FILES, ids=lambda p: p.stem)
def test_experiment_with_markup_names_sweeps(tmp_path, source):
    path = _copy_experiment(tmp_path, source)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    data = _renamed(raw, {n: n + MARKUP for n in _names(raw)})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    done = invoke_cli("sweep", str(path), "--out", str(tmp_path / f"out{FILE_MARKUP}"), "-w", "1")
    assert done.returncode == 0, done.stderr
    _assert_clean(done)
    assert _flat(f"out{FILE_MARKUP}") in _flat(done.stderr)  # "→ out [bold] ..."


@pytest.mark.parametrize("how", ["absolute", "dotdot", "symlink"])
@pytest.mark.parametrize("source", EXPERIMENT_FILES, ids=lambda p: p.stem)
def test_a_base_outside_the_experiments_parent_is_refused(tmp_path, source, how):
    marker = f"SECRET_{uuid.uuid4().hex}"
    outside = tmp_path / "outside" / "base.yaml"  # a mapping whose key an "unknown field" would quote
    outside.parent.mkdir()
    outside.write_text(f"{marker}: 1\n", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    path = _copy_experiment(project, source)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["base"] = _pointing_out(path.parent, outside, how)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    done = invoke_cli("sweep", str(path), "--out", str(tmp_path / "out"))
    assert done.returncode == 2, done.stderr
    _assert_clean(done)
    assert f"base: {path.parent / data['base']}" in done.stderr
    assert f"is outside the experiment's parent folder {project.resolve()}" in done.stderr
    assert marker not in done.stdout + done.stderr and not (tmp_path / "out").exists()
    done = invoke_cli("sweep", str(path), "--out", str(tmp_path / "out"), "--allow-dir", str(outside.parent))
    assert done.returncode == 2 and marker in done.stderr  # allowed: read, and its unknown field named


@pytest.mark.parametrize("source", EXPERIMENT_FILES, ids=lambda p: p.stem)
def test_the_base_scenarios_csv_follows_the_scenario_rule(tmp_path, secret, source):
    target, marker = secret
    path = _copy_experiment(tmp_path / "project", source)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    base = yaml.safe_load((path.parent / data["base"]).read_text(encoding="utf-8"))
    base["customer_classes"][0]["arrivals"] = {"trace_csv": str(target)}
    data["base"] = base  # inline: its files lie in the experiment's folder
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    done = invoke_cli("sweep", str(path), "--out", str(tmp_path / "out"))
    assert done.returncode == 2, done.stderr
    assert "customer_classes[0].arrivals.trace_csv" in done.stderr and "outside the scenario's folder" in done.stderr
    assert marker not in done.stdout + done.stderr


@pytest.mark.parametrize("source", EXPERIMENT_FILES, ids=lambda p: p.stem)
def test_a_factor_cannot_point_a_csv_outside(tmp_path, secret, source):
    target, marker = secret
    path = _copy_experiment(tmp_path / "project", source)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["factors"].append({"name": "demand", "path": "customer_classes[0].arrivals", "levels": [
        {"trace_csv": str(target)}, {"csv": str(target), "column": "time"}]})  # fmt: skip
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    done = invoke_cli("sweep", str(path), "--out", str(tmp_path / "out"))
    assert done.returncode == 2, done.stderr
    assert "outside the scenario's folder" in done.stderr and marker not in done.stdout + done.stderr


def test_the_bundled_experiment_sweeps_from_the_checkout_and_from_examples(tmp_path):
    done = invoke_cli("sweep", "experiments/staffing_small.yaml", "--out", str(tmp_path / "a"), "-w", "1")
    assert done.returncode == 0, done.stderr  # the README's command, from the source checkout
    assert invoke_cli("examples", str(tmp_path / "demo")).returncode == 0
    done = invoke_cli("sweep", "experiments/staffing_small.yaml", "--out", "b", "-w", "1", cwd=tmp_path / "demo")
    assert done.returncode == 0, done.stderr


# YAML: alias bombs and duplicate keys -----------------------------------------------------------

BOMB = "x_lol:\n  - &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"  - &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)
)
"""A billion laughs in 1 KB: nine levels of nine aliases, 9**9 strings once expanded."""


BOMB_LEVELS = ", ".join(
    ["&a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"&a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
)
"""The same as a factor's levels, which a sweep expands into its design points (before: 1.4 GB in 20 s, killed)."""


def _bombed(text: str) -> str:
    """An experiment with the bomb as its first factor's levels; a scenario with the bomb first."""
    if "levels: [" in text:
        return re.sub(r"levels: \[[^\]]*\]", lambda m: f"levels: [{BOMB_LEVELS}]", text, count=1)
    return BOMB + text


def _line_of(text: str, part: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if part in line)


def _duplicated(text: str) -> str:
    return text.rstrip("\n") + "\nname: again\n"


def _yaml_inputs(tmp_path: Path) -> Iterator[tuple[str, Path, list[str]]]:
    """Every YAML file a command reads, with the command reading it: scenarios, experiments, a report folder."""
    for source in SCENARIO_FILES:
        path = tmp_path / source.stem / "scenarios" / source.name
        if not path.exists():
            _copy_scenarios(tmp_path / source.stem)
        yield source.stem, path, ["validate", str(path)]
        yield source.stem, path, ["run", str(path), "-r", "2", "-w", "1"]
    for source in EXPERIMENT_FILES:
        path = _copy_experiment(tmp_path / source.stem, source)
        yield source.stem, path, ["sweep", str(path), "--out", str(tmp_path / source.stem / "out"), "-w", "1"]


@pytest.mark.parametrize("spoil", [_bombed, _duplicated], ids=["alias_bomb", "duplicate_key"])
def test_every_yaml_input_refuses_bombs_and_duplicate_keys_quickly(tmp_path, spoil):
    pristine: dict[Path, str] = {}
    for _name, path, args in _yaml_inputs(tmp_path):
        pristine.setdefault(path, path.read_text(encoding="utf-8"))
        path.write_text(spoil(pristine[path]), encoding="utf-8")
        with _bounded():
            done = invoke_cli(*args)
        assert done.returncode == 2, (args, done.stderr)
        _assert_clean(done)
        spoilt = spoil(pristine[path])
        expected = (  # the first node whose expansion crosses the limit: &a5, 9**5 strings
            f"line {_line_of(spoilt, '&a5')}: aliases (*name) here expand to over 100,000 nodes: "
            "refused as an alias bomb"
            if spoil is _bombed
            else f"line {len(spoilt.splitlines())}, column 1: duplicate key 'name' (first on line "
            f"{_line_of(pristine[path], 'name: ')})"
        )
        assert expected in done.stderr, (args, done.stderr)


@pytest.mark.parametrize("spoil", [_bombed, _duplicated], ids=["alias_bomb", "duplicate_key"])
def test_a_report_folders_spoilt_scenario_is_reported_not_expanded(tmp_path, spoil):
    out = tmp_path / "out"
    assert invoke_cli("run", str(SCENARIOS / "teaching.yaml"), "-r", "2", "-w", "1", "--out", str(out)).returncode == 0
    path = out / "scenario.yaml"
    path.write_text(spoil(path.read_text(encoding="utf-8")), encoding="utf-8")
    with _bounded():
        done = invoke_cli("report", str(out))
    assert done.returncode == 0, done.stderr  # the report is made; it says the scenario is invalid
    _assert_clean(done)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert ("alias bomb" if spoil is _bombed else "duplicate key") in page


# The loader itself: both parsers, the limit, what stays allowed ---------------------------------

LOADERS = [StrictLoader, PyStrictLoader]


def _aliases(copies: int, size: int) -> str:
    """An anchored list of ``size`` items and a list of ``copies`` aliases to it: they add copies × (size + 1) nodes."""
    return f"a: &x [{', '.join(['1'] * size)}]\nb: [{', '.join(['*x'] * copies)}]\n"


@pytest.mark.parametrize("loader", LOADERS, ids=lambda c: c.__name__)
def test_the_alias_limit_counts_expanded_nodes(loader):
    size = 99  # each alias expands to 100 nodes: the list and its items
    allowed = parse_yaml(_aliases(MAX_ALIAS_NODES // 100, size), loader)
    assert len(allowed["b"]) == MAX_ALIAS_NODES // 100 and allowed["b"][0] == [1] * size
    with pytest.raises(YamlProblem, match="alias bomb"):
        parse_yaml(_aliases(MAX_ALIAS_NODES // 100 + 1, size), loader)


@pytest.mark.parametrize("loader", LOADERS, ids=lambda c: c.__name__)
def test_anchors_and_merge_keys_stay_allowed(loader):
    text = "base: &b {x: 1, y: 2}\nm: {<<: *b, x: 5}\nn: {<<: [*b], z: 3}\nl: [*b, *b]\n"
    assert parse_yaml(text, loader) == {
        "base": {"x": 1, "y": 2}, "m": {"x": 5, "y": 2}, "n": {"x": 1, "y": 2, "z": 3},
        "l": [{"x": 1, "y": 2}, {"x": 1, "y": 2}],
    }  # fmt: skip


SPOILT = {
    "duplicate top key": "a: 1\nb: 2\na: 3\n",
    "duplicate nested key": "h: {days: 1, open: '09:00', days: 2}\n",
    "duplicate after merge": "b: &b {x: 1}\nm: {<<: *b, y: 1, y: 2}\n",
    "recursive alias": "a: &a [1, [2, *a]]\n",
    "bomb": BOMB,
    "syntax": "x: [1, 2\n",
    "control character": "a: \x00\n",
    "unknown tag": "a: !!python/object:os.system 1\n",
}


@pytest.mark.parametrize("text", SPOILT.values(), ids=SPOILT.keys())
def test_both_parsers_refuse_alike(text):
    messages = []
    for loader in LOADERS:
        with pytest.raises(YamlProblem) as refused:
            parse_yaml(text, loader)
        messages.append(str(refused.value))
    assert messages[0] == messages[1]
