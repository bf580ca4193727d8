"""Fast construction of the engine's output models from values it already validated.

The engine builds ~20 frozen models per lead; pydantic validation (and even
``model_construct``, which resolves defaults per call) would dominate the cost of a
million-lead sweep (bench/engine.py). ``build`` fills defaults from a per-class table.
Only for values the engine computed itself, never for outside data.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_DEFAULTS: dict[type[BaseModel], dict[str, Any]] = {}


def _defaults(cls: type[BaseModel]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for name, info in cls.model_fields.items():
        if not info.is_required():
            table[name] = info.get_default(call_default_factory=True)
    _DEFAULTS[cls] = table
    return table


def build(cls: type[M], **values: Any) -> M:
    """An instance of ``cls`` with ``values`` (trusted) and the field defaults."""
    defaults = _DEFAULTS.get(cls)
    if defaults is None:
        defaults = _defaults(cls)
    data = dict(defaults)
    data.update(values)
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", data)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj
