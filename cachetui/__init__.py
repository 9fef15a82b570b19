"""cachetui: a keyboard-driven terminal browser for Spack binary build caches.

The package root stays import-light: the UI-free core (model, loader, catalog, query, export)
never imports Textual, so the scriptable CLI starts fast.
"""

__version__ = "0.1.0"
