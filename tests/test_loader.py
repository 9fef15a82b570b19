import json
import os
import re
import shutil

import numpy as np
import pytest
from conftest import CORPUS, SEEDS, page_text, spec_entry

from cachetui.loader import bundled_seeds, load
from cachetui.pages import parse_page


def test_seeds_load_as_four_packages_and_285_specs():
    result = load([SEEDS])
    catalog = result.catalog
    assert len(catalog) == 285
    assert result.problems == []
    counts = {p.name: p.num_specs for p in catalog.package_list()}
    assert counts == {"py-msgpack": 67, "py-multidict": 61, "py-mpi4py": 91, "py-ml-dtypes": 66}
    for package in catalog.package_list():
        assert package.tag == "develop"
        assert package.meta_num_specs == package.num_specs
        assert package.meta_specs_by_stack == package.specs_by_stack
    assert catalog.tags == ["develop"]


def test_bundled_seeds_are_the_seed_pages():
    assert sorted(os.listdir(bundled_seeds())) == sorted(os.listdir(SEEDS))


def expected_count(path) -> int:
    """What the page itself says: meta num_specs (eras A/B) or its spec-N.json references."""
    text = path.read_text()
    meta = re.search(r"^meta: (.*)$", text, re.M)
    if meta and "num_specs" in json.loads(meta.group(1)):
        return json.loads(meta.group(1))["num_specs"]
    return len(re.findall(r"spec-\d+\.json", text))


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.md")))
def test_every_real_page_loads_with_its_spec_count(name):
    path = CORPUS / name
    result = load([path])
    assert not result.errors
    assert len(result.catalog) == expected_count(path) > 0
    tag = name.split("__")[0]
    assert result.catalog.tags == [tag]
    package = name.split("__")[1]
    assert [p.name for p in result.catalog.package_list()] == [package]


def test_eras_are_recognised():
    eras = {}
    for path in CORPUS.glob("*.md"):
        page = parse_page(path.read_text(), str(path))
        eras[path.name] = page.era
    assert eras["legacy__zlib__index.md"] == "legacy"
    assert eras["v0.22.1__bc__specs.md"] == "A"
    assert eras["develop-2023-05-14__bricks__specs.md"] == "A"
    assert eras["develop__arkouda__specs.md"] == "B"


def test_legacy_page_that_is_not_valid_yaml_still_loads():
    result = load([CORPUS / "legacy__zlib__index.md"])
    assert len(result.catalog) == 54
    assert [p.level for p in result.problems] == ["warning"]
    assert "not valid YAML" in result.problems[0].reason
    xl = [s for s in result.catalog.specs() if s.compiler == "xl@16.1"]
    assert len(xl) == 1
    assert xl[0].variants[0] == 'fflags="-qzerosize"'
    assert xl[0].os == "rhel7" and xl[0].target == "power9le"
    assert xl[0].hash == "" and xl[0].tag == "legacy"


def test_legacy_hashes_come_from_sibling_spec_files(tmp_path):
    shutil.copy(CORPUS / "legacy__zlib__specs.md", tmp_path / "specs.md")
    (tmp_path / "spec-0.json").write_text(
        json.dumps(
            {"spec": {"_meta": {"version": 2}, "nodes": [{"name": "zlib", "hash": "h" * 32}]}}
        )
    )
    (tmp_path / "spec-1.json").write_text(json.dumps({"spec": [{"zlib": {"hash": "k" * 32}}]}))
    catalog = load([tmp_path]).catalog
    specs = list(catalog.specs())
    assert specs[0].hash == "h" * 32 and specs[0].os == "ubuntu20.04"
    assert specs[1].hash == "k" * 32 and specs[1].target == "ppc64le"
    assert all(s.hash == "" for s in specs[2:])


def test_legacy_index_and_specs_of_one_folder_are_not_doubled(tmp_path):
    shutil.copy(CORPUS / "legacy__zlib__specs.md", tmp_path / "specs.md")
    shutil.copy(CORPUS / "legacy__zlib__index.md", tmp_path / "index.md")
    result = load([tmp_path])
    assert len(result.catalog) == 54
    assert any("repeat" in p.reason for p in result.problems)


def test_whole_real_corpus_and_tags():
    result = load([CORPUS])
    assert result.pages == 29 and not result.errors
    catalog = result.catalog
    assert "legacy" in catalog.tags and "v0.18.1" in catalog.tags
    assert len(catalog.tags) == 20  # 16 develop snapshots, 3 releases, legacy


def test_page_recognised_by_front_matter_not_by_name(write_page, tmp_path):
    write_page("whatever.txt", page_text("alpha"))
    write_page("notes.md", "# not a page\n")
    write_page("other.md", "---\nlayout: post\n---\nhello\n")
    result = load([tmp_path])
    assert [p.name for p in result.catalog.package_list()] == ["alpha"]
    assert result.not_pages == 2 and result.problems == []


def test_several_paths_and_duplicate_specs_that_differ_by_hash(write_page, tmp_path):
    a = write_page("a/p.md", page_text("p", specs=[spec_entry(), spec_entry(hash="b" * 32)]))
    b = write_page("b/q.md", page_text("q", tag="v1"))
    catalog = load([a, b]).catalog
    assert len(catalog) == 3
    assert sorted(catalog.tags) == ["develop", "v1"]


def test_index_by_tag_package_hash_and_facets():
    catalog = load([SEEDS]).catalog
    ids = catalog.ids_for(tag="develop", package="py-mpi4py")
    assert len(ids) == 91
    assert len(catalog.ids_for(tag="develop", package="py-mpi4py", version="4.0.1")) == 86
    assert catalog.by_hash_prefix("/255hk") == catalog.by_hash("255hkvjjlmt7je7ljqabxkt4rcdwlcbh")
    assert catalog.spec(catalog.by_hash_prefix("255hk")[0]).package == "py-msgpack"
    facets = catalog.facets()
    assert set(facets) == {"os", "target", "compiler", "stack", "version", "platform"}
    assert dict(facets["stack"])["root"] == 285
    assert sum(n for _, n in facets["platform"]) == 285
    # @= and @ forms count as one compiler
    assert all("@=" not in value for value, _ in facets["compiler"])
    scoped = dict(catalog.facet_counts("version", ids))
    assert scoped == {"4.0.1": 86, "3.1.6": 5}


def test_catalog_spec_round_trip_matches_page():
    path = SEEDS / "000_03e1940b4f8d0fcd.txt"
    entries = json.loads(re.search(r"^spec_details: (.*)$", path.read_text(), re.M).group(1))
    catalog = load([path]).catalog
    for index, entry in enumerate(entries):
        spec = catalog.spec(index)
        assert spec.hash == entry["hash"]
        assert list(spec.versions) == entry["versions"]
        assert list(spec.variants) == entry["variants"] and list(spec.stacks) == entry["stacks"]
        assert (spec.compiler, spec.os, spec.platform, spec.target) == (
            entry["compiler"],
            entry["os"],
            entry["platform"],
            entry["target"],
        )
        assert spec.size is None and spec.tarball is None and spec.source == str(path)


def test_era_a_keeps_tarball():
    catalog = load([CORPUS / "v0.22.1__bc__specs.md"]).catalog
    assert catalog.spec(0).tarball.endswith("tqqwjomdyzif7jcnhgekhcr6tjg6dl2v.spack")


def test_meta_disagreement_is_a_warning_and_both_numbers_kept(write_page):
    path = write_page("p.md", page_text("p", meta={"num_specs": 5}))
    result = load([path])
    assert len(result.catalog) == 1
    (problem,) = result.problems
    assert problem.level == "warning" and "num_specs is 5 but the page lists 1" in problem.reason
    assert result.catalog.packages[("develop", "p")].meta_num_specs == 5


def test_memory_per_spec_is_small():
    from cachetui.builder import CatalogBuilder

    builder = CatalogBuilder()
    builder.start_page("p", "t", "s", {}, "B")
    rows = [
        (
            f"{i:032d}",
            ("1.0",),
            "gcc@11",
            "ubuntu",
            "linux",
            "x86_64",
            ("+a",),
            ("root",),
            None,
            None,
        )
        for i in range(20000)
    ]
    builder.add_rows(rows)
    catalog = builder.build()
    columns = [catalog.column(name) for name in catalog.column_names]
    column_bytes = sum(column.codes.nbytes for column in columns)
    assert column_bytes / len(catalog) < 100
    assert all(isinstance(column.codes, np.ndarray) for column in columns)


def test_made_to_last_freezes_what_a_load_made(write_page, tmp_path):
    import gc
    import weakref

    from cachetui.loader import made_to_last

    write_page("p/specs.md", page_text("p", specs=[spec_entry()]))
    gc.unfreeze()
    try:
        with made_to_last():
            assert not gc.isenabled()
            result = load([tmp_path])
        assert gc.isenabled() and gc.get_freeze_count() > 0
        assert len(result.catalog) == 1

        class Cyclic:
            pass

        garbage = Cyclic()
        garbage.itself = garbage
        gone = weakref.ref(garbage)
        del garbage
        with made_to_last():
            assert gone() is None  # collected, not frozen forever
    finally:
        gc.unfreeze()


def test_a_library_load_leaves_the_collector_as_it_found_it(write_page, tmp_path):
    """The GC policy (pause, then freeze) is the entry points' business, not the library's."""
    import gc

    write_page("p/specs.md", page_text("p", specs=[spec_entry()]))
    gc.unfreeze()
    was = gc.isenabled()
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            assert len(load([tmp_path]).catalog) == 1
            assert gc.isenabled() is enabled and gc.get_freeze_count() == 0
    finally:
        (gc.enable if was else gc.disable)()


def test_background_load_applies_the_policy_it_is_given(write_page, tmp_path):
    import gc

    from cachetui.loader import BackgroundLoad, made_to_last

    write_page("p/specs.md", page_text("p", specs=[spec_entry()]))
    gc.unfreeze()
    try:
        plain = BackgroundLoad([tmp_path], cache=False)
        assert plain.done(wait=30) and len(plain.result().catalog) == 1
        assert gc.get_freeze_count() == 0
        lasting = BackgroundLoad([tmp_path], around=made_to_last, cache=False)
        assert lasting.done(wait=30) and len(lasting.result().catalog) == 1
        assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_background_load_gives_the_same_result_and_its_errors(write_page, tmp_path):
    from cachetui.loader import BackgroundLoad

    write_page("p/specs.md", page_text("p", specs=[spec_entry(), spec_entry(hash="b" * 32)]))
    background = BackgroundLoad([tmp_path], cache=False)
    assert background.done(wait=30)
    result = background.result()
    assert [s.hash for s in result.catalog.specs()] == [
        s.hash for s in load([tmp_path]).catalog.specs()
    ]
    assert background.progress == (1, 1)
    # A bug outside any one file's reading (a path that is not a path) reaches the caller; a
    # bug inside one file's reading only costs that file (see test_hostile_values).
    failing = BackgroundLoad([42])
    assert failing.done(wait=30)
    with pytest.raises(TypeError):
        failing.result()


def test_build_false_leaves_the_catalog_to_its_first_use(write_page, tmp_path):
    write_page("p/specs.md", page_text("p", specs=[spec_entry(), spec_entry(hash="b" * 32)]))
    result = load([tmp_path], build=False)
    assert result.built is None and len(result.builder) == 2
    assert len(result.catalog) == 2 and result.built is result.catalog


def test_loading_leaves_no_reference_cycles(write_page, tmp_path):
    """The loader pauses the cyclic GC: anything cyclic per page would pile up until the end."""
    import gc

    for n in range(20):
        write_page(f"p{n}/specs.md", page_text(f"p{n}", specs=[spec_entry(hash=f"{n:032d}")]))
    write_page("bad/specs.md", "---\nlayout: cache\nspec_details: [1, \n---\n")
    write_page("legacy/index.md", (CORPUS / "legacy__zlib__index.md").read_text())
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        load([tmp_path])
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()
