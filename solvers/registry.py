"""Backends by name: explicit registration, availability that says why, the `auto` preferences.

Registration names a module path, never imports it: the service process must stay free of
solver libraries (they are loaded in solve workers only). Adding a backend is one package under
`solvers/backends/` and one declaration in `solvers/builtin.py` (or `registry.register` for a
plug-in); nothing else names it.
"""

import importlib.metadata
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field

from models import ProblemKind, SolveRequest
from solvers.contract import BackendSpec


class UnknownBackend(LookupError):
    """No backend of that name is registered."""


@dataclass(frozen=True)
class Availability:
    """Whether a backend can run here, its library version, and if not, why not."""

    usable: bool
    version: str | None = None
    reason: str | None = None


@dataclass
class Registry:
    """The set of backends the service may dispatch to."""

    _specs: dict[str, BackendSpec] = field(default_factory=dict)
    preferences: Callable[[SolveRequest], list[str]] = lambda _request: []
    """Backend names in the order `auto` (and the portfolio's member choice) should try them for a
    request (its problem and its time limit), from measurements; backends not listed come after,
    in registration order."""

    def register(self, spec: BackendSpec) -> None:
        if spec.name in self._specs or spec.name == "auto":
            raise ValueError(f"backend name {spec.name!r} is taken")
        self._specs[spec.name] = spec

    def get(self, name: str) -> BackendSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise UnknownBackend(name) from None

    def names(self) -> list[str]:
        return list(self._specs)

    def specs(self) -> list[BackendSpec]:
        return list(self._specs.values())

    def for_family(self, kind: ProblemKind) -> list[BackendSpec]:
        return [s for s in self._specs.values() if kind in s.capabilities.families]

    def in_preference_order(self, request: SolveRequest) -> list[BackendSpec]:
        """Every registered backend, the preferred ones for `request` first."""
        preferred = [name for name in self.preferences(request) if name in self._specs]
        rest = [name for name in self._specs if name not in preferred]
        return [self._specs[name] for name in [*preferred, *rest]]


def availability(spec: BackendSpec) -> Availability:
    """Checks that the backend's libraries are installed, without importing them."""
    for module in spec.requires:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            return Availability(False, reason=f"python package providing {module!r} is not installed")
    version = None
    if spec.version_of:
        try:
            version = importlib.metadata.version(spec.version_of)
        except importlib.metadata.PackageNotFoundError:
            return Availability(False, reason=f"distribution {spec.version_of!r} is not installed")
    return Availability(True, version=version)


def load_builtin() -> Registry:
    """The registry of every backend shipped with optserve."""
    from solvers.builtin import BUILTIN_SPECS, auto_preferences

    registry = Registry(preferences=auto_preferences)
    for spec in BUILTIN_SPECS:
        registry.register(spec)
    return registry
