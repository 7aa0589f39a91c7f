"""Start-up time: pydantic's plugin discovery, skipped.

The first time pydantic builds a model, it imports ``importlib.metadata`` and reads the entry
points of every installed distribution, looking for pydantic plugins. That costs 20-40 ms on a
machine like a classroom laptop: an eighth of opening and replaying a saved game from the
command line. The game uses no pydantic plugins, so before pydantic is imported, its plugin
loader is stood in for by a module that reports none.

The stand-in answers ``get_plugins`` only. Should a later pydantic ask its loader for anything
else, the stand-in steps aside and loads pydantic's own module, so nothing breaks; and when
``PYDANTIC_DISABLE_PLUGINS`` is set, pydantic's own switch decides as it always has.
"""

from __future__ import annotations

import importlib
import os
import sys
import types
from collections.abc import Iterable

LOADER = "pydantic.plugin._loader"


class _NoPlugins(types.ModuleType):
    """Stands in for pydantic's plugin loader and finds no plugins."""

    @staticmethod
    def get_plugins() -> Iterable[object]:
        return ()

    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):  # the import system asking what kind of module this is
            raise AttributeError(name)
        # Anything else: let pydantic's own loader take over from here on.
        if sys.modules.get(LOADER) is self:
            del sys.modules[LOADER]
        return getattr(importlib.import_module(LOADER), name)


def skip_plugin_discovery() -> bool:
    """Stand in for pydantic's plugin loader if it is not loaded yet; True if it now is."""
    if LOADER in sys.modules or "PYDANTIC_DISABLE_PLUGINS" in os.environ:
        return False
    sys.modules[LOADER] = _NoPlugins(LOADER)
    return True
