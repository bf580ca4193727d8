"""Read one admin YAML file into plain data plus the line of every key (style 7).

The admin files are edited by hand, so every problem must name its line. We
parse once with a composer (which keeps node positions) and build the Python
data from the same node tree, so values and line numbers can never disagree.

Two deliberate departures from PyYAML's ``safe_load``:

* Only ``true``/``false`` are booleans (YAML 1.2). PyYAML follows YAML 1.1, where
  ``yes``, ``no``, ``on`` and ``off`` silently become booleans; a picklist value
  ``No`` in a value map would otherwise turn into ``False`` (the "Norway problem").
* A key written twice in one mapping is reported, not silently overwritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from connector.errors import ConfigError, ConfigProblem

#: A key path inside a document: mapping keys and list indexes, from the top.
KeyPath = tuple[str | int, ...]


class _AdminLoader(yaml.SafeLoader):
    """SafeLoader whose booleans are YAML 1.2's ``true``/``false`` only."""


# Replace the YAML 1.1 bool resolver (yes/no/on/off) with the YAML 1.2 one.
_AdminLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_AdminLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


@dataclass
class YamlDocument:
    """The data of one admin file and where each key sits in it.

    Attributes:
        data: the document as plain Python (``None`` for an empty file).
        lines: 1-based line of each key path (the key's own line for mapping
            entries, the item's line for list items).
        duplicates: problems for keys written twice in one mapping.
    """

    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)
    duplicates: list[tuple[KeyPath, int]] = field(default_factory=list)

    def line_of(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its nearest ancestor present in the file."""
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return self.lines.get(())


def _walk(node: Node, path: KeyPath, doc: YamlDocument) -> None:
    doc.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else str(key_node.value)
            child = (*path, key)
            if key in seen:
                doc.duplicates.append((child, key_node.start_mark.line + 1))
            seen.add(key)
            doc.lines[child] = key_node.start_mark.line + 1
            _walk(value_node, child, doc)
            # The key line wins over the value line for the path itself.
            doc.lines[child] = key_node.start_mark.line + 1
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), doc)


def parse_yaml(text: str, *, label: str) -> YamlDocument:
    """Parse ``text`` (the content of the admin file ``label``).

    Args:
        text: the YAML source.
        label: the file as an admin knows it, e.g. ``config/policy.yaml``.

    Returns:
        The document with its line index.

    Raises:
        ConfigError: the text is not valid YAML (the problem names the line).
    """
    loader = _AdminLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        problem = ConfigProblem(
            file=label,
            key="",
            expected="valid YAML",
            found=f"a syntax error ({what})",
            line=line,
        )
        raise ConfigError(problems=[problem], hint=_SYNTAX_HINT) from None
    except yaml.YAMLError as exc:  # e.g. an unreadable stream
        problem = ConfigProblem(file=label, key="", expected="valid YAML", found=str(exc))
        raise ConfigError(problems=[problem], hint=_SYNTAX_HINT) from None
    finally:
        loader.dispose()
    doc = YamlDocument(data=data)
    if node is not None:
        _walk(node, (), doc)
    return doc


def read_yaml(path: Path, *, label: str) -> YamlDocument:
    """Read and parse the admin file at ``path``; see :func:`parse_yaml`.

    Raises:
        ConfigError: the file is missing, unreadable, not UTF-8 or not YAML.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problem = ConfigProblem(file=label, key="", expected="an existing file", found="no file")
        raise ConfigError(
            problems=[problem], hint="run `leadsync init DIR` to write the default files"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        problem = ConfigProblem(
            file=label, key="", expected="a readable UTF-8 file", found=type(exc).__name__
        )
        raise ConfigError(problems=[problem]) from None
    return parse_yaml(text, label=label)


_SYNTAX_HINT = "check indentation and quoting near that line (values with ':' or '#' need quotes)"

_KEY_TOKEN = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


def parse_key(key: str) -> KeyPath:
    """Turn ``score.rules[2].points`` into ``("score", "rules", 2, "points")``."""
    parts: list[str | int] = []
    for index, name in _KEY_TOKEN.findall(key):
        parts.append(int(index) if index else name)
    return tuple(parts)


def format_key(path: KeyPath) -> str:
    """Turn ``("score", "rules", 2, "points")`` into ``score.rules[2].points``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


__all__ = [
    "KeyPath",
    "YamlDocument",
    "format_key",
    "parse_key",
    "parse_yaml",
    "read_yaml",
]
