"""One registry mechanism for everything nlptransfer looks up by name.

Classifiers, vector formats, tokenizers, OOV policies, fallback rules and datasets each live in a
:class:`Registry`. An entry is either the object itself or an import string (``"module:attr"``)
resolved on first use, so listing names imports nothing heavy (no torch for ``--help``). Other
packages add entries through the entry point group a registry names (``nlptransfer.classifiers``,
``nlptransfer.formats``, ...), without editing this package. A name that is not there raises
:class:`~nlptransfer.errors.UnknownNameError` listing the close matches and every known name.

Example:
    >>> colours = Registry("colour")
    >>> colours.register("red", (255, 0, 0), aliases=("rouge",))
    (255, 0, 0)
    >>> @colours.register("green")
    ... def green():
    ...     return (0, 255, 0)
    >>> colours.register("sqrt", "math:sqrt")  # lazy: imported by get()
    'math:sqrt'
    >>> colours.names()
    ('red', 'green', 'sqrt')
    >>> colours.get("rouge")
    (255, 0, 0)
    >>> colours.get("sqrt")(4.0)
    2.0
    >>> colours.get("gren")
    Traceback (most recent call last):
    ...
    nlptransfer._util.errors.UnknownNameError: unknown colour 'gren'; did you mean 'green'? (known: red, green, sqrt)
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar, overload

from nlptransfer._util.errors import NLPTransferError, UnknownNameError
from nlptransfer._util.extras import import_optional

T = TypeVar("T")

log = logging.getLogger(__name__)


@dataclass
class _Entry:
    """One registered name: the object, or the import string that yields it."""

    target: Any
    lazy: bool
    source: str  # "nlptransfer", or the distribution a plugin came from


def import_string(spec: str, *, what: str | None = None) -> Any:
    """The object an import string names: ``"package.module:attribute"`` (or ``"package.module"``).

    A module that needs a missing extra raises :class:`~nlptransfer.errors.MissingExtraError`
    saying that ``what`` (default: ``spec``) needs it.

    Example:
        >>> import_string("math:pi") > 3
        True
    """
    module_name, _, attribute = spec.partition(":")
    module = import_optional(module_name, what=what or repr(spec))
    obj: Any = module
    for part in filter(None, attribute.split(".")):
        obj = getattr(obj, part)
    return obj


class Registry(Generic[T]):
    """Named objects of one kind, listable without importing them, open to plugins.

    Args:
        kind: what the entries are, in words, for messages (``"classifier"``).
        entry_point_group: the entry point group third-party packages register into
            (``"nlptransfer.classifiers"``); ``None`` for a registry closed to plugins.
        normalize: how a name is folded before lookup (the default lowercases it).
    """

    def __init__(
        self,
        kind: str,
        entry_point_group: str | None = None,
        *,
        normalize: Callable[[str], str] = str.lower,
    ) -> None:
        self.kind = kind
        self.entry_point_group = entry_point_group
        self._normalize = normalize
        self._entries: dict[str, _Entry] = {}
        self._aliases: dict[str, str] = {}
        self._plugins_loaded = entry_point_group is None

    # -- registering ---------------------------------------------------------------------------

    @overload
    def register(self, name: str) -> Callable[[T], T]: ...

    @overload
    def register(self, name: str, obj: T | str, *, aliases: tuple[str, ...] = ()) -> T | str: ...

    def register(self, name: str, obj: Any = None, *, aliases: tuple[str, ...] = ()) -> Any:
        """Add ``obj`` under ``name`` (and ``aliases``); with no ``obj``, a decorator that adds it.

        An ``obj`` that is a string is an import string, resolved on the first :meth:`get`.
        Registering a name twice is an error: it would silently change what a name means.
        """
        if obj is None:

            def decorator(target: T) -> T:
                self._add(name, target, aliases, lazy=False, source="nlptransfer")
                return target

            return decorator
        self._add(name, obj, aliases, lazy=isinstance(obj, str), source="nlptransfer")
        return obj

    def _add(
        self, name: str, target: Any, aliases: tuple[str, ...], *, lazy: bool, source: str
    ) -> None:
        key = self._normalize(name)
        if key in self._entries or key in self._aliases:
            raise NLPTransferError(f"{self.kind} {name!r} is registered twice")
        self._entries[key] = _Entry(target, lazy, source)
        for alias in aliases:
            alias_key = self._normalize(alias)
            if alias_key in self._entries or alias_key in self._aliases:
                raise NLPTransferError(f"{self.kind} alias {alias!r} is registered twice")
            self._aliases[alias_key] = key

    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        assert self.entry_point_group is not None
        for point in entry_points(group=self.entry_point_group):
            key = self._normalize(point.name)
            if key in self._entries or key in self._aliases:
                log.warning(
                    "ignoring the %s %r from the package %s: nlptransfer already has one",
                    self.kind,
                    point.name,
                    point.dist.name if point.dist else "?",
                )
                continue
            source = point.dist.name if point.dist else point.value
            self._entries[key] = _Entry(point.value, True, source)

    # -- looking up ----------------------------------------------------------------------------

    def names(self) -> tuple[str, ...]:
        """Every registered name (plugins included) in registration order; imports nothing."""
        self._load_plugins()
        return tuple(self._entries)

    def canonical(self, name: str) -> str:
        """The registered name ``name`` stands for (itself, or what it is an alias of)."""
        self._load_plugins()
        key = self._normalize(name)
        key = self._aliases.get(key, key)
        if key not in self._entries:
            raise self._unknown(name)
        return key

    def get(self, name: str) -> T:
        """The object registered under ``name`` or one of its aliases (imported if lazy)."""
        key = self.canonical(name)
        entry = self._entries[key]
        if entry.lazy:
            entry.target = import_string(entry.target, what=f"the {self.kind} {key!r}")
            entry.lazy = False
        return entry.target

    def source(self, name: str) -> str:
        """Where ``name`` comes from: ``"nlptransfer"`` or the plugin distribution's name."""
        return self._entries[self.canonical(name)].source

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        self._load_plugins()
        key = self._normalize(name)
        return key in self._entries or key in self._aliases

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self.names())

    def items(self) -> Iterator[tuple[str, T]]:
        """``(name, object)`` pairs, importing lazy entries."""
        for name in self.names():
            yield name, self.get(name)

    def _unknown(self, name: str) -> UnknownNameError:
        known = self.names()
        close = difflib.get_close_matches(
            self._normalize(name), [*known, *self._aliases], n=3, cutoff=0.6
        )
        close = list(dict.fromkeys(self._aliases.get(c, c) for c in close))
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        return UnknownNameError(
            f"unknown {self.kind} {name!r}{hint} (known: {', '.join(known)})",
            kind=self.kind,
            name=name,
            known=known,
        )

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {len(self._entries)} entries)"
