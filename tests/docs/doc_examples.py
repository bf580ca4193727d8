"""Reading the examples out of the guides, so tests can check each against the real code.

Two kinds of example:

* A fenced YAML block whose info string says ``example`` is an edit of an admin file::

      ```yaml example file=config/policy.yaml at=lifecycle.windows.Hot
      days: 30
      ```

  ``file`` is the file of a fresh ``leadsync init`` project; ``at`` (dotted, list
  indexes as numbers) is where the block goes, the file's top by default; ``mode`` is
  ``merge`` (default: mappings merge key by key, anything else replaces), ``replace``
  (the block replaces what is at ``at``), ``append`` (the block is a list added to the
  list at ``at``) or ``new`` (a file that does not exist yet, e.g. a new job). Blocks
  with the same ``group`` are applied together.

* Every ``leadsync ...`` command line, in fenced blocks (leadsync as the program, also
  after ``ExecStart=``, ``podman exec NAME`` and in exec-form ``["leadsync", ...]``
  arrays) and in inline code, must name an existing
  command and options; in inline code ``[...]`` marks optional parts and ``a|b``
  alternatives, as the README's table does.
"""

from __future__ import annotations

import enum
import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+)(?P<info>[^`]*)$")
_INLINE = re.compile(r"(?<!`)`(leadsync [^`]+)`(?!`)")
_EXEC_ARRAY = re.compile(r'\[\s*"leadsync"\s*(?:,\s*"[^"]*"\s*)*\]')
#: leadsync as the program of a line: after VAR=value words, a path, or systemd's ExecStart=.
_PROGRAM = re.compile(r"^(?:[A-Za-z_]\w*=\S*\s+)*(?:ExecStart=)?(?:\S*/)?leadsync\s+(?P<rest>.*)$")
#: ... or the command a container runs (``podman exec NAME leadsync status``).
_IN_CONTAINER = re.compile(
    r"^(?:podman|docker)\s+(?:exec|run)\b.*?\s(?:\S*/)?leadsync\s+(?P<rest>.*)$"
)


@dataclass
class Block:
    """One fenced block of a markdown file."""

    path: Path
    line: int
    info: str
    text: str

    @property
    def language(self) -> str:
        return self.info.split()[0] if self.info.split() else ""

    @property
    def attrs(self) -> dict[str, str]:
        out = {}
        for word in self.info.split()[1:]:
            key, _, value = word.partition("=")
            out[key] = value or "true"
        return out

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.line}"


def blocks(path: Path) -> list[Block]:
    """Every fenced block of ``path``."""
    out: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        fence, indent = match["fence"], len(match["indent"])
        body: list[str] = []
        start = index + 2  # the first line inside the fence, counted from 1
        index += 1
        while index < len(lines) and lines[index].strip() != fence:
            body.append(lines[index][indent:])
            index += 1
        out.append(Block(path, start, match["info"].strip(), "\n".join(body) + "\n"))
        index += 1
    return out


def prose(path: Path) -> str:
    """The text of ``path`` outside fenced blocks."""
    kept: list[str] = []
    inside: str | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _FENCE.match(line)
        if inside is None and match:
            inside = match["fence"]
            continue
        if inside is not None:
            if line.strip() == inside:
                inside = None
            continue
        kept.append(line)
    return "\n".join(kept)


# -- YAML examples ------------------------------------------------------------------------


@dataclass
class Edit:
    """One YAML example as an edit of one admin file."""

    block: Block
    file: str
    at: tuple[str | int, ...]
    mode: str
    group: str

    @classmethod
    def of(cls, block: Block) -> Edit:
        attrs = block.attrs
        if "file" not in attrs:
            msg = f"{block.where}: a yaml example needs file=..."
            raise ValueError(msg)
        at = tuple(int(p) if p.isdigit() else p for p in attrs.get("at", "").split(".") if p)
        mode = attrs.get("mode", "merge")
        if mode not in ("merge", "replace", "append", "new"):
            msg = f"{block.where}: mode must be merge, replace, append or new, got {mode!r}"
            raise ValueError(msg)
        return cls(block, attrs["file"], at, mode, attrs.get("group", block.where))


def yaml_examples(path: Path) -> list[Block]:
    """The YAML blocks of ``path`` marked ``example``."""
    return [b for b in blocks(path) if b.language == "yaml" and "example" in b.attrs]


def _merge(base: Any, new: Any) -> Any:
    if isinstance(base, dict) and isinstance(new, dict):
        merged = dict(base)
        for key, value in new.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    return new


def apply_edit(root: Path, edit: Edit) -> None:
    """Apply ``edit`` to the project at ``root`` (raises AssertionError if it cannot)."""
    target = root / edit.file
    value = yaml.safe_load(edit.block.text)
    if edit.mode == "new":
        assert not target.exists(), f"{edit.block.where}: {edit.file} already exists"
        assert not edit.at, f"{edit.block.where}: mode=new takes no at="
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(edit.block.text, encoding="utf-8")
        return
    assert target.is_file(), f"{edit.block.where}: {edit.file} is not a file of the project"
    document = yaml.safe_load(target.read_text(encoding="utf-8"))
    parent: Any = None
    node: Any = document
    for part in edit.at:
        parent = node
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError) as error:
            msg = f"{edit.block.where}: {edit.file} has no {'.'.join(map(str, edit.at))}"
            raise AssertionError(msg) from error
    if edit.mode == "append":
        assert isinstance(node, list), f"{edit.block.where}: mode=append needs a list there"
        assert isinstance(value, list), f"{edit.block.where}: mode=append needs a list block"
        replacement: Any = node + value
    elif edit.mode == "replace":
        replacement = value
    else:
        replacement = _merge(node, value)
    if parent is None:
        document = replacement
    else:
        parent[edit.at[-1]] = replacement
    target.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), "utf-8")


# -- command lines --------------------------------------------------------------------------


@dataclass
class CommandLine:
    """One ``leadsync ...`` line a guide shows."""

    where: str
    words: list[str] = field(default_factory=list)
    notation: bool = False  # inline code: [optional] and a|b alternatives

    def __str__(self) -> str:
        return "leadsync " + " ".join(self.words)


_SHELL_STOP = {"|", "||", "&&", ";", ">", ">>", "2>", "2>&1", "&", "\\"}


def _shell_words(rest: str) -> list[str]:
    try:
        words = shlex.split(rest, comments=True)
    except ValueError:
        words = rest.split()
    out = []
    for word in words:
        if word in _SHELL_STOP or word.startswith((">", "2>")):
            break
        out.append(word)
    return out


def command_lines(path: Path) -> list[CommandLine]:
    """Every leadsync command line of ``path``."""
    found: list[CommandLine] = []
    for block in blocks(path):
        if block.language == "yaml":
            continue
        joined = block.text.replace("\\\n", " ")
        for offset, line in enumerate(joined.splitlines()):
            where = f"{path.name}:{block.line + offset}"
            for array in _EXEC_ARRAY.findall(line):
                found.append(CommandLine(where, json.loads(array)[1:]))
            if _EXEC_ARRAY.search(line):
                continue
            stripped = line.strip().removeprefix("$ ")
            match = _PROGRAM.match(stripped) or _IN_CONTAINER.match(stripped)
            if match is None or stripped.startswith("#"):
                continue
            found.append(CommandLine(where, _shell_words(match["rest"])))
    text = prose(path)
    for line in text.splitlines():
        for span in _INLINE.findall(line.replace("\\|", "|")):
            words = span.split()[1:]
            found.append(CommandLine(f"{path.name}: `{span}`", words, notation=True))
    return found


def _is_placeholder(word: str) -> bool:
    bare = word.strip("[]().,")
    return (
        not bare
        or "<" in bare
        or "..." in bare
        or bare.startswith("$")
        or bare.replace("_", "").replace(".YAML", "").isupper()
        or bare.endswith(".yaml")
    )


#: Values of options typed ``str`` whose allowed values the command checks itself.
_KNOWN_VALUES = {"--crm": {"salesforce", "hubspot", "both", "all"}}


def _options(command: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"--help": None}
    for param in command.params:
        if param.param_type_name == "option":
            for name in (*param.opts, *param.secondary_opts):
                out[name] = param
    return out


def _capacity(command: Any) -> float:
    total = 0.0
    for param in command.params:
        if param.param_type_name == "argument":
            total += float("inf") if param.nargs == -1 else param.nargs
    return total


def _allowed(option: Any) -> set[str] | None:
    annotation = getattr(getattr(option, "type_descriptor", None), "annotation", None)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return {str(m.value) for m in annotation}
    return _KNOWN_VALUES.get(option.opts[0])


def _value_problem(option: Any, value: str, *, notation: bool) -> str | None:
    allowed = _allowed(option)
    if allowed is None:
        return None
    for alternative in value.split("|") if notation else [value]:
        if not _is_placeholder(alternative) and alternative not in allowed:
            return f"{option.opts[0]} takes {sorted(allowed)}, not {alternative!r}"
    return None


def check_command(root: Any, line: CommandLine) -> str | None:
    """Why ``line`` is not a valid leadsync command line, or None.

    ``root`` is the app's command tree (``typer.main.get_command(app)``).
    """
    command = root
    words = list(line.words)
    positionals = 0
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if line.notation:
            word = word.strip("[]")
            if not word or word in ("|", "..."):
                continue
        alternatives = word.split("|") if line.notation else [word]
        if word.startswith("-"):
            options = _options(command)
            for alternative in alternatives:
                name = alternative.split("=")[0]
                if name.startswith("-") and name not in options:
                    return f"{command.name or 'leadsync'} has no option {name}"
            option = options.get(alternatives[0].split("=")[0])
            takes_value = option is not None and not option.is_flag and not option.count
            if takes_value and "=" not in word and index < len(words):
                value = words[index].strip("[]") if line.notation else words[index]
                index += 1
                problem = _value_problem(option, value, notation=line.notation)
                if problem:
                    return problem
            continue
        subcommands = getattr(command, "commands", None)
        if subcommands is not None and positionals == 0:
            if word not in subcommands:
                return f"{command.name or 'leadsync'} has no command {word!r}"
            command = subcommands[word]
            continue
        positionals += 1
        if positionals > _capacity(command):
            return f"{command.name} takes {int(_capacity(command))} argument(s); got {word!r}"
    return None


__all__ = [
    "Block",
    "CommandLine",
    "Edit",
    "apply_edit",
    "blocks",
    "check_command",
    "command_lines",
    "prose",
    "yaml_examples",
]
