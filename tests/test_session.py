"""The loading session without a UI: lazy tags, the tag queue, progress and cache saves."""

from __future__ import annotations

import threading

import pytest
from conftest import SEEDS, write_small_site

import cachetui.discovery as discovery
import cachetui.loader as loader
import cachetui.session as session_module
from cachetui.loader import LoadResult
from cachetui.session import LoadOptions, LoadSession

TAGS = ["develop", "v0.22.1", "v0.23.0"]


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setattr(discovery, "LAZY_MIN_PACKAGES", 0)
    return write_small_site(tmp_path / "site", TAGS)


def lazy_session(site) -> LoadSession:
    session = LoadSession([str(site)])
    groups = session.tag_groups()
    assert groups is not None and [g.label for g in groups] == TAGS
    session.start_lazy(groups)
    return session


def test_whole_load_reports_progress_and_queues_its_cache():
    session = LoadSession([str(SEEDS)], LoadOptions(lazy=False))
    assert session.tag_groups() is None and session.progress() is None
    session.begin()
    assert session.progress().label.startswith("Loading pages: ")
    result = session.load_all()
    assert len(result.catalog) == 285
    progress = session.progress()  # still loading until the UI has shown the result
    assert progress.done == progress.total > 0
    assert f"{progress.done:,} of {progress.total:,} files" in progress.label
    session.finished()
    assert session.progress() is None and session.unsaved() == 1
    assert session.save_next() and not session.save_next() and session.unsaved() == 0


def test_tags_load_on_request_in_batches(site):
    session = lazy_session(site)
    seen: list[tuple[int, list[str]]] = []

    def loaded(batch: LoadResult, combined: LoadResult, catalog) -> None:
        seen.append((len(catalog), session.pending_tags()))

    assert session.request_tags(["develop", "v0.22.1", "nope"], "") is True
    assert session.request_tags(["develop"], "") is False  # queued already: never twice
    assert session.queued() == ["develop", "v0.22.1"]
    assert session.loading and session.progress() is not None
    session.load_tags(loaded)
    assert seen == [(12, ["v0.23.0"])]  # both in one pass: one rebuild
    assert not session.loading and session.queued() == [] and session.unsaved() == 1
    assert session.request_tags(["develop"], "") is False  # loaded: nothing to do


def test_tags_asked_for_while_a_load_ends_are_never_stranded(site, monkeypatch):
    """A tag asked for (from another thread) just as the loading thread finishes a batch is
    picked up by the same loop, and the asker is told not to start a second one."""
    session = lazy_session(site)
    real_load = session_module.load
    answers: list[bool] = []

    def load_then_ask(paths, **options):
        result = real_load(paths, **options)
        if not answers:  # while this load ends, the UI thread asks for the other tags
            asker = threading.Thread(
                target=lambda: answers.append(session.request_tags(TAGS[1:], ""))
            )
            asker.start()
            asker.join()
        return result

    monkeypatch.setattr(session_module, "load", load_then_ask)
    assert session.request_tags([TAGS[0]], "")
    batches: list[int] = []
    session.load_tags(lambda batch, combined, catalog: batches.append(len(catalog)))
    assert answers == [False]  # a load was running: it took them
    assert batches == [6, 18] and session.pending() == [] and not session.loading


def test_a_failed_load_clears_the_queue(site):
    session = lazy_session(site)
    session.request_tags(TAGS, "")
    session.failed()
    assert session.queued() == [] and not session.loading
    assert session.request_tags(TAGS[:1], "") is True  # the next request starts a load again


def test_preload_is_taken_over(monkeypatch):
    preload = loader.BackgroundLoad([SEEDS])
    session = LoadSession([str(SEEDS)], preload=preload)
    assert session.has_preload and session.tag_groups() is None
    result = session.load_all()
    assert len(result.catalog) == 285 and not session.has_preload
