"""The one YAML loader of simsvc: safe tags only, no duplicate keys, no alias bombs.

Every YAML file simsvc reads (scenarios, experiments, an output folder's ``scenario.yaml``,
the bundled examples) goes through :func:`parse_yaml`. On top of ``yaml.safe_load`` it refuses

- a key given twice in one mapping (YAML would silently keep the last one), naming the line
  of both; keys merged in with ``<<: *anchor`` may still be overridden, as YAML intends;
- a document whose aliases expand to more than :data:`MAX_ALIAS_NODES` nodes beyond the
  nodes written in it (a "billion laughs" of 1 KB would otherwise take all memory).

The C parser (``yaml.CSafeLoader``) is used when PyYAML has it, the pure-Python one otherwise;
both give the same data and the same messages (a syntax error found by the C parser is
worded by the Python one, which reads the text again: errors are rare, and the C parser
is several times faster on large files; beyond 2 MB of text libyaml's wording is kept).
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode

__all__ = ["MAX_ALIAS_NODES", "YamlProblem", "parse_yaml"]

MAX_ALIAS_NODES = 100_000
"""How many nodes aliases (``*anchor``) may add to a document when expanded: far more than any
scenario or experiment reuses, far fewer than an alias bomb makes."""

_KEY_CHARS = 40
_REWORD_CHARS = 2_000_000
"""Up to this size a syntax error is worded by the Python parser (beyond, it would take seconds)."""
_MERGE_TAG = "tag:yaml.org,2002:merge"


class YamlProblem(ValueError):
    """A YAML text that cannot be read: ``where`` is ``"line L, column C"`` (or empty), ``what`` the problem."""

    def __init__(self, where: str, what: str) -> None:
        self.where, self.what = where, what
        super().__init__(f"{where}: {what}" if where else what)


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _check_expansion(root: Node) -> None:
    """Refuse a node graph whose aliases, expanded, add more than :data:`MAX_ALIAS_NODES` nodes.

    Sizes are counted bottom-up with a memo by node id, so the check takes time in the number
    of distinct nodes however large the expansion; the node reported is the first (smallest)
    one whose expansion crosses the limit. A recursive alias (``&a [*a]``) is refused too.
    """
    size: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[Node] = [root]
    while stack:
        node = stack[-1]
        if isinstance(node, ScalarNode) or id(node) in size:
            size.setdefault(id(node), 1)
            stack.pop()
            continue
        children = [n for pair in node.value for n in pair] if isinstance(node, MappingNode) else node.value
        pending = [c for c in children if id(c) not in size]
        if pending and id(node) not in open_:
            open_.add(id(node))
            if any(id(c) in open_ for c in pending):
                raise YamlProblem(f"line {_line(node)}", "a recursive alias (*name inside its own &name)")
            stack.extend(pending)
            continue
        stack.pop()
        open_.discard(id(node))
        size[id(node)] = 1 + sum(size[id(c)] for c in children)
        if size[id(node)] - len(size) > MAX_ALIAS_NODES:
            raise YamlProblem(
                f"line {_line(node)}",
                f"aliases (*name) here expand to over {MAX_ALIAS_NODES:,} nodes: refused as an alias bomb",
            )


class _Strict:
    """Loader mixin: the checks of :func:`parse_yaml` on either PyYAML parser."""

    aliases = True
    """Whether the text may hold aliases (a ``*``); without, the check is skipped (large traces load faster)."""

    def get_single_data(self) -> Any:
        node = self.get_single_node()  # type: ignore[attr-defined]
        if node is None:
            return None
        if self.aliases:
            _check_expansion(node)
        return self.construct_document(node)  # type: ignore[attr-defined]

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG or not isinstance(key_node, ScalarNode):
                    continue
                key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
                if key in seen:
                    text = repr(key)
                    text = text if len(text) <= _KEY_CHARS else text[: _KEY_CHARS - 1] + "…"
                    raise ConstructorError(
                        None, None, f"duplicate key {text} (first on line {seen[key]})", key_node.start_mark
                    )
                seen[key] = _line(key_node)
        return super().construct_mapping(node, deep)  # type: ignore[misc]


_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StrictLoader(_Strict, _Base):  # type: ignore[misc, valid-type]
    """``CSafeLoader`` (or ``SafeLoader``) with duplicate keys and alias bombs refused."""


class PyStrictLoader(_Strict, yaml.SafeLoader):  # type: ignore[misc]
    """The same on the pure-Python parser (the fallback; tests compare both)."""


def parse_yaml(text: str, loader: type = StrictLoader) -> Any:
    """The data of a YAML document.

    Raises:
        YamlProblem: a syntax error, a duplicate key or an alias bomb, with its line and column.
    """
    reader = None
    try:
        reader = loader(text)  # a safe loader: SafeConstructor, safe tags only
        reader.aliases = "*" in text
        return reader.get_single_data()
    except ConstructorError as exc:
        raise _problem(exc, "") from None
    except yaml.YAMLError as exc:
        if loader is StrictLoader and _Base is not yaml.SafeLoader and len(text) <= _REWORD_CHARS:
            # libyaml words its syntax errors its own way: say it as the Python parser does.
            try:
                parse_yaml(text, PyStrictLoader)
            except YamlProblem as same:
                raise same from None
        raise _problem(exc, "YAML syntax error: ") from None
    except RecursionError:
        raise YamlProblem("", "YAML nested too deeply") from None
    finally:
        if reader is not None:
            reader.dispose()


def _problem(exc: yaml.YAMLError, prefix: str) -> YamlProblem:
    # Only the problem and its place: the parser's context snippet would quote the file.
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return YamlProblem(where, f"{prefix}{what}")
