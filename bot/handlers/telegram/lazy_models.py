"""aiogram's models of the Bot API, built when first used instead of all at import.

``aiogram.types`` ends by rebuilding every one of its some 300 pydantic models with the
namespace of all types, and each build copies the schemas of every model it nests, so importing
aiogram 3.31 (pydantic 2.13) takes about 170 MB of resident memory, most of a worker's (aiogram
issue #1513). A bot uses a few of them: the update it reads, the methods it calls and the
keyboards it sends, which take a few megabytes. Before aiogram is imported,
:func:`defer_aiogram_builds` makes pydantic's ``model_rebuild`` keep the namespace aiogram gives
each of its models instead of building it; pydantic builds a model on first use (its deferred
build), and the namespace kept is then handed to that build, so every model gets exactly the
schema the eager import gave it. Models of other packages are not affected.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

_PACKAGE = "aiogram."
_TYPES = "aiogram.types."
_namespaces: dict[type[BaseModel], Any] = {}
_all_types: list[Any] = []
"""The namespace of every ``aiogram.types`` name, for aiogram models not given one (the
methods, whose build at class creation waited for the types)."""
_eager_rebuild = BaseModel.model_rebuild.__func__  # type: ignore[attr-defined]


def _deferred_rebuild(
    cls: type[BaseModel],
    *,
    force: bool = False,
    raise_errors: bool = True,
    _parent_namespace_depth: int = 2,
    _types_namespace: Any = None,
) -> bool | None:
    given = _types_namespace
    if cls.__module__.startswith(_PACKAGE) and not force:
        if given is not None and not cls.__pydantic_complete__:
            _namespaces.setdefault(cls, given)
            if cls.__module__.startswith(_TYPES) and not _all_types:
                _all_types.append(given)
            return None
        if given is None:
            given = _namespaces.get(cls) or next(iter(_all_types), None)
    result: bool | None = _eager_rebuild(
        cls,
        force=force,
        raise_errors=raise_errors,
        _parent_namespace_depth=_parent_namespace_depth + 1,  # one frame more: this one
        _types_namespace=given,
    )
    return result


def defer_aiogram_builds() -> None:
    """Install the deferred builds; call before the first import of ``aiogram``. Idempotent."""
    BaseModel.model_rebuild = classmethod(_deferred_rebuild)  # type: ignore[method-assign,assignment]
