"""The catalog's column seam: Column, the questions the view and the UI ask, cancellation."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from conftest import SEEDS

from cachetui.cancel import Cancelled, never
from cachetui.catalog import Column, empty_catalog
from cachetui.loader import load
from cachetui.query import Evaluator, run_query
from cachetui.querysyntax import parse_query
from cachetui.schema import CODED, DERIVED, FACETS, PER_PAGE
from cachetui.search import find_hashes, find_packages
from cachetui.view import Scope, Sort, ViewModel


@pytest.fixture(scope="module")
def seeds():
    return load([SEEDS]).catalog


def cancel_after(checks: int):
    """A cancel check that says "cancelled" from its ``checks + 1``-th call on."""
    calls = [0]

    def cancelled() -> bool:
        calls[0] += 1
        return calls[0] > checks

    return cancelled


class Counting:
    """A cancel check that never cancels and counts how often it was asked."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> bool:
        self.calls += 1
        return False


# -- Column ----------------------------------------------------------------------------------


def column() -> Column:
    return Column("os", np.array([0, 1, 0, 2, 0], dtype=np.int32), ["a", "b", "c"])


def test_column_cells_codes_and_counts():
    col = column()
    assert len(col) == 5
    assert [col.cell(i) for i in range(5)] == ["a", "b", "a", "c", "a"]
    assert col.code(3) == 2
    assert col.counts().tolist() == [3, 1, 1]
    assert col.counts(np.array([1, 2, 3])).tolist() == [1, 1, 1]
    assert col.counts([0, 2]).tolist() == [2, 0, 0]
    assert col.value_counts(np.array([0, 3])) == [("a", 1), ("c", 1)]


def test_column_masks_run_the_predicate_once_per_distinct_value():
    col = column()
    assert col.mask_equal("a").tolist() == [True, False, True, False, True]
    assert not col.mask_equal("zzz").any() and len(col.mask_equal("zzz")) == 5
    seen = []

    def predicate(value: str) -> bool:
        seen.append(value)
        return value != "a"

    assert col.mask_where(predicate).tolist() == [False, True, False, True, False]
    assert seen == ["a", "b", "c"]


def test_column_derive_interns_the_derived_values():
    derived = column().derive("upper", lambda v: "x" if v in ("a", "b") else v.upper())
    assert derived.values == ["x", "C"]
    assert [derived.cell(i) for i in range(5)] == ["x", "x", "x", "C", "x"]


def test_an_empty_column_answers_with_empty_results():
    col = Column("os", np.zeros(0, dtype=np.int32), [])
    assert col.counts().tolist() == [] and col.value_counts() == []
    assert col.mask_where(lambda v: True).shape == (0,)
    assert col.mask_equal("a").shape == (0,)
    assert col.derive("d", str).values == []


# -- the catalog's questions, checked against the specs one by one --------------------------


def test_every_coded_per_page_and_derived_column_is_there(seeds):
    assert set(seeds.column_names) == set(CODED + PER_PAGE + DERIVED)
    with pytest.raises(KeyError):
        seeds.column("hash")


def test_columns_agree_with_the_specs(seeds):
    specs = list(seeds.specs())
    for name in CODED + PER_PAGE + ("version",):
        col = seeds.column(name)
        assert [col.cell(i) for i in range(len(seeds))] == [getattr(s, name) for s in specs]


def test_counts_per_tag_package_and_version_agree_with_the_specs(seeds):
    specs = list(seeds.specs())
    assert seeds.specs_per_tag() == dict(Counter(s.tag for s in specs))
    tag = specs[0].tag
    in_tag = Counter(s.package for s in specs if s.tag == tag)
    assert seeds.packages_in(tag) == sorted(in_tag.items())
    assert seeds.packages_in(None) == sorted(Counter(s.package for s in specs).items())
    package = "py-mpi4py"
    assert dict(seeds.tags_of(package)) == Counter(s.tag for s in specs if s.package == package)
    versions = Counter(s.version for s in specs if s.package == package and s.tag == tag)
    assert seeds.versions_of(tag, package) == sorted(versions.items())
    assert seeds.package_names == sorted(set(seeds.package_names), key=seeds.package_names.index)


def test_facets_agree_with_the_specs(seeds):
    ids = run_query(seeds, "%gcc")[0]
    picked = [seeds.spec(int(i)) for i in ids]
    facets = seeds.facets(ids)
    assert tuple(facets) == FACETS
    assert dict(facets["os"]) == Counter(s.os for s in picked)
    assert dict(facets["stack"]) == Counter(stack for s in picked for stack in s.stacks)
    counts = [n for _, n in facets["target"]]
    assert counts == sorted(counts, reverse=True)


def test_an_empty_catalog_answers_every_question():
    catalog = empty_catalog()
    assert len(catalog) == 0 and catalog.tags == [] and catalog.specs_per_tag() == {}
    assert all(counts == [] for counts in catalog.facets().values())
    assert catalog.packages_in(None) == [] and catalog.versions_of("t", "p") == []
    result = ViewModel(catalog).compute(Scope(), "py %gcc", Sort("package"))
    assert len(result.ids) == 0 and result.error is None


# -- cancellation -----------------------------------------------------------------------------


def test_facets_stop_between_facets_when_cancelled(seeds):
    with pytest.raises(Cancelled):
        seeds.facets(None, cancel_after(2))
    asked = Counting()
    assert seeds.facets(None, asked) == seeds.facets() and asked.calls == len(FACETS)


QUERIES = ["py %gcc os=ubuntu24.04", "!+cuda stack=e4s*", "ubuntu24.04 @4.0", "mpi4pi"]


@pytest.mark.parametrize("query", QUERIES)
def test_a_cancelled_view_raises_and_an_uncancelled_one_is_unchanged(seeds, query):
    view = ViewModel(seeds)
    expected = ViewModel(seeds).compute(Scope(), query, Sort("version"))
    with pytest.raises(Cancelled):
        view.compute(Scope(), query, Sort("version"), cancelled=lambda: True)
    asked = Counting()
    result = view.compute(Scope(), query, Sort("version"), cancelled=asked)
    assert asked.calls >= len(parse_query(query).tokens) + 1  # each token, then the sort
    assert result.ids.tolist() == expected.ids.tolist() and result.notes == expected.notes
    assert (
        view.compute(Scope(), query, Sort("version"), cancelled=never).ids.tolist()
        == result.ids.tolist()
    )


def test_the_evaluator_checks_between_tokens(seeds):
    query = parse_query("py %gcc os=ubuntu24.04")
    with pytest.raises(Cancelled):
        Evaluator(seeds).evaluate(query, None, cancel_after(1))  # after the first token
    with pytest.raises(Cancelled):
        run_query(seeds, "py", cancelled=lambda: True)


def test_a_word_in_no_package_name_checks_between_columns(seeds):
    # "ubuntu24.04" names no package: every other column is searched, one check each.
    with pytest.raises(Cancelled):
        Evaluator(seeds).evaluate(parse_query("ubuntu24.04"), None, cancel_after(2))


def test_searches_stop_when_cancelled(seeds):
    target = seeds.hashes[0]
    typo = target[:3] + ("a" if target[3] != "a" else "b") + target[4:8]
    assert any(hit.spec_id == 0 for hit in find_hashes(seeds, typo, limit=None))
    with pytest.raises(Cancelled):
        find_hashes(seeds, typo, limit=None, cancelled=lambda: True)
    # A prefix too short to forgive a typo needs no fuzzy step, so nothing is checked.
    assert find_hashes(seeds, target[:6], cancelled=lambda: True)[0].spec_id == 0
    assert find_packages(seeds, "mpi4pi")[0].name == "py-mpi4py"
    with pytest.raises(Cancelled):
        find_packages(seeds, "mpi4pi", cancelled=lambda: True)
