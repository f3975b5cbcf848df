"""The one YAML loader of simsvc: safe tags only, no duplicate keys, no alias bombs.

Every YAML file simsvc reads (scenarios, experiments, an output folder's ``scenario.yaml``,
the bundled examples) goes through :func:`parse_yaml`. On top of ``yaml.safe_load`` it refuses

- a key given twice in one mapping (YAML would silently keep the last one), naming the line
  of both; keys merged in with ``<<: *anchor`` may still be overridden, as YAML intends;
- a document whose aliases expand to more than :data:`MAX_ALIAS_NODES` nodes beyond the
  nodes written in it (a "billion laughs" of 1 KB would otherwise take all memory).

The C parser (``yaml.CSafeLoader``) is used when PyYAML has it, the pure-Python one otherwise;
both give the same data and the same messages.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode

__all__ = ["MAX_ALIAS_NODES", "YamlProblem", "parse_yaml"]

MAX_ALIAS_NODES = 100_000
"""How many nodes aliases (``*anchor``) may add to a document when expanded: far more than any
scenario or experiment reuses, far fewer than an alias bomb makes."""

_KEY_CHARS = 40
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
    one whose expansion crosses the limit.
    """
    size: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in size:
            continue
        children: list[Node] = []
        if isinstance(node, MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, CollectionNode):
            children = list(node.value)
        if not children_done and any(id(c) not in size for c in children):
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in size)
            continue
        size[id(node)] = 1 + sum(size[id(c)] for c in children)
        if size[id(node)] - len(size) > MAX_ALIAS_NODES:
            raise YamlProblem(
                f"line {_line(node)}",
                f"aliases (*name) here expand to over {MAX_ALIAS_NODES:,} nodes: refused as an alias bomb",
            )


class _Strict:
    """Loader mixin: the checks of :func:`parse_yaml` on either PyYAML parser."""

    def get_single_data(self) -> Any:
        node = self.get_single_node()  # type: ignore[attr-defined]
        if node is None:
            return None
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
    try:
        return yaml.load(text, Loader=loader)  # a safe loader: SafeConstructor, safe tags only
    except ConstructorError as exc:
        raise _problem(exc, "") from None
    except yaml.YAMLError as exc:
        raise _problem(exc, "YAML syntax error: ") from None
    except RecursionError:
        raise YamlProblem("", "YAML nested too deeply") from None


def _problem(exc: yaml.YAMLError, prefix: str) -> YamlProblem:
    # Only the problem and its place: the parser's context snippet would quote the file.
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return YamlProblem(where or "YAML", f"{prefix}{what}")
