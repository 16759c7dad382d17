"""YAML loading that remembers where every value came from, so errors can say file:line:col."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.errors import ContentError, Problem


@dataclass(frozen=True)
class Where:
    """A position in a content file (1-based line and column)."""

    file: str
    line: int
    col: int

    def problem(self, message: str) -> Problem:
        """A problem reported at this position."""
        return Problem(self.file, self.line, self.col, message)


class YamlMap(dict[str, Any]):
    """A mapping that knows where it starts and where each key and value sits."""

    where: Where
    key_where: dict[str, Where]
    value_where: dict[str, Where]

    def at(self, key: str) -> Where:
        """Where the value of `key` is, or the mapping itself when the key is absent."""
        return self.value_where.get(key, self.where)


class YamlList(list[Any]):
    """A sequence that knows where it starts and where each item sits."""

    where: Where
    item_where: list[Where]


def _where(file: str, mark: yaml.Mark | None) -> Where:
    if mark is None:
        return Where(file, 1, 1)
    return Where(file, mark.line + 1, mark.column + 1)


# libyaml's parser gives the same marks as the pure-Python one and is several times faster.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    file_label = "?"
    key_problems: list[Problem]


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> YamlMap:
    result = YamlMap()
    result.where = _where(loader.file_label, node.start_mark)
    result.key_where = {}
    result.value_where = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key_at = _where(loader.file_label, key_node.start_mark)
        if not isinstance(key, str):
            loader.key_problems.append(
                key_at.problem(f"key {key!r} must be text; put it in quotes")
            )
            continue
        if key in result:
            loader.key_problems.append(key_at.problem(f"duplicate key '{key}'"))
            continue
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_where[key] = key_at
        result.value_where[key] = _where(loader.file_label, value_node.start_mark)
    return result


def _construct_list(loader: _Loader, node: yaml.SequenceNode) -> YamlList:
    result = YamlList(loader.construct_object(child, deep=True) for child in node.value)
    result.where = _where(loader.file_label, node.start_mark)
    result.item_where = [_where(loader.file_label, child.start_mark) for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_list)


def load_yaml(path: Path, label: str | None = None) -> Any:
    """Parse one YAML file; syntax errors and bad keys become a ContentError naming each place.

    Every duplicate or non-text key in the file is reported, not only the first.
    """
    shown = label or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError([Problem(shown, 1, 1, "file is missing")]) from None
    except UnicodeDecodeError as exc:
        raise ContentError([Problem(shown, 1, 1, f"not UTF-8 text ({exc.reason})")]) from None
    except OSError as exc:
        raise ContentError([Problem(shown, 1, 1, f"cannot be read ({exc.strerror})")]) from None

    loader = _Loader(text)
    loader.file_label = shown
    loader.key_problems = []
    try:
        data = loader.get_single_data()
        if loader.key_problems:
            raise ContentError(loader.key_problems)
        return data
    except yaml.MarkedYAMLError as exc:
        where = _where(shown, exc.problem_mark or exc.context_mark)
        reason = exc.problem or exc.context or "not valid YAML"
        raise ContentError([where.problem(f"YAML syntax: {reason}")]) from None
    except yaml.YAMLError as exc:
        raise ContentError([Problem(shown, 1, 1, f"YAML syntax: {exc}")]) from None
    finally:
        loader.dispose()
