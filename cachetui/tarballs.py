"""Tarball URLs as templates: the URL with the spec's own hash cut out, so the specs of one
package, version, compiler and architecture share one stored text. UI-free and numpy-free (the
page parser uses it, and the loader starts before numpy is imported)."""

from __future__ import annotations

from typing import Optional

Template = Optional[tuple]


def template(tarball: Optional[str], full_hash: str) -> Template:
    """``tarball`` with ``full_hash`` cut out (its last occurrence)."""
    if tarball is None:
        return None
    at = tarball.rfind(full_hash) if full_hash else -1
    if at < 0:
        return (tarball,)
    return (tarball[:at], tarball[at + len(full_hash) :])


def untemplate(shape: Template, full_hash: str) -> Optional[str]:
    if shape is None:
        return None
    if len(shape) == 1:
        return shape[0]
    return shape[0] + full_hash + shape[1]
