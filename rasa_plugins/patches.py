"""The one place where the Rasa server is patched.

Rasa 3.6 has no plugin hooks for what these do, so each patch replaces a Rasa function at start-up.
A patch is written against one Rasa minor version; `install_all()` refuses any other with a coded
error instead of silently changing code it was never written for.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

SUPPORTED_RASA = "3.6"


class UnsupportedRasaVersion(RuntimeError):
    """A patch was asked to install on a Rasa version it was not written for."""


@dataclass(frozen=True)
class Patch:
    name: str
    what: str
    module: str  # where the patch lives, for the error message
    install: Callable[[], None]


def rasa_version() -> str:
    from rasa.version import __version__

    return __version__


def check_version(patch: Patch, version: str | None = None) -> None:
    """Raise [E201] unless `version` (default: the installed Rasa's) is 3.6.x."""
    version = version or rasa_version()
    if version.split(".")[:2] != SUPPORTED_RASA.split("."):
        raise UnsupportedRasaVersion(
            f"[E201] The patch '{patch.name}' ({patch.what}) is written for Rasa "
            f"{SUPPORTED_RASA}.x, but Rasa {version} is installed. Install the pinned version "
            f"(rasa==3.6.21, see pyproject.toml) or port {patch.module} to Rasa {version}."
        )


def patches() -> list[Patch]:
    from rasa_plugins import resilient_actions, speedups

    return [
        Patch(
            "validator-once",
            "compiles the action-response JSON schema once instead of on every action call",
            "rasa_plugins/speedups.py",
            speedups.install_validator,
        ),
        Patch(
            "event-class-cache",
            "remembers which Event class each stored event type name resolves to",
            "rasa_plugins/speedups.py",
            speedups.install_event_cache,
        ),
        Patch(
            "resilient-actions",
            "answers 'I can't look that up right now' when a custom action fails",
            "rasa_plugins/resilient_actions.py",
            resilient_actions.install,
        ),
    ]


def install_all(version: str | None = None) -> list[str]:
    """Check every patch against the Rasa version first, then install them all (idempotent)."""
    selected = patches()
    for patch in selected:
        check_version(patch, version)
    for patch in selected:
        patch.install()
        logger.debug("Rasa patch installed: %s", patch.name)
    return [patch.name for patch in selected]
