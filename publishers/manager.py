"""The plugin manager: built-in plugins registered exactly as installed ones.

Third-party plugins are packages that declare an entry point in the `opendata.publishers`
group; built-in ones are listed here by module name and registered the same way, so nothing
about the core is special and a plugin can do anything a built-in does.
"""

from __future__ import annotations

import importlib

import pluggy

from publishers import hookspecs

PROJECT = "opendata"
ENTRY_POINT_GROUP = "opendata.publishers"
BUILT_IN = (
    "publishers.kpi_machine",
    "publishers.disclosure",
    "publishers.release_log",
)


def plugin_manager(*, installed: bool = True) -> pluggy.PluginManager:
    """A fresh manager with the built-in plugins and, unless `installed` is False, every
    plugin installed through the entry point group (read from the current sys.path)."""
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in BUILT_IN:
        pm.register(importlib.import_module(name), name)
    if installed:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    return pm


def plugin_names(pm: pluggy.PluginManager) -> list[str]:
    """The names plugins are registered under (an installed one's is its entry point name)."""
    return sorted(name for name, _plugin in pm.list_name_plugin())


def each_impl(pm: pluggy.PluginManager, hook_name: str):
    """The implementations of one hook in the order pluggy would call them (tryfirst first,
    then the latest registered), for hooks whose calls chain or must fail one by one."""
    return list(reversed(getattr(pm.hook, hook_name).get_hookimpls()))


def call_impl(impl, **kwargs):
    """Call one implementation with the arguments it asks for (a plugin may take fewer)."""
    return impl.function(*(kwargs[name] for name in impl.argnames))
