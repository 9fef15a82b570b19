"""The query language, token by token, and the searches behind it."""

from __future__ import annotations

import pytest
from conftest import CORPUS, SEEDS

from cachetui.loader import load
from cachetui.query import run_query
from cachetui.querysyntax import QueryError, parse_query
from cachetui.search import find_hashes, find_packages, one_edit_variants, pasted_hashes


@pytest.fixture(scope="module")
def seeds():
    return load([SEEDS]).catalog


@pytest.fixture(scope="module")
def corpus():
    return load([CORPUS]).catalog


def specs_for(catalog, text):
    ids, notes = run_query(catalog, text)
    return [catalog.spec(int(i)) for i in ids], notes


def brute(catalog, predicate):
    return sum(1 for s in catalog.specs() if predicate(s))


@pytest.mark.parametrize(
    ("query", "predicate"),
    [
        ("mpi4py", lambda s: "mpi4py" in s.package),
        ("/255hk", lambda s: s.hash.startswith("255hk")),
        ("@4.0", lambda s: s.version == "4.0.1"),
        ("@4.0.1", lambda s: s.version == "4.0.1"),
        ("@=4.0.1", lambda s: s.version == "4.0.1"),
        ("@=4.0", lambda s: False),
        ("@1:4", lambda s: s.version in ("1.0.3", "1.0.5", "3.1.6", "4.0.1")),
        ("%gcc", lambda s: s.compiler.startswith("gcc")),
        ("%gcc@13", lambda s: s.compiler.replace("@=", "@").startswith("gcc@13")),
        ("%gcc@=13.2.0", lambda s: s.compiler.replace("@=", "@") == "gcc@13.2.0"),
        ("%apple-clang", lambda s: s.compiler.startswith("apple-clang")),
        ("os=ubuntu22.04", lambda s: s.os == "ubuntu22.04"),
        ("os=ubuntu*", lambda s: s.os.startswith("ubuntu")),
        ("target=aarch64", lambda s: s.target == "aarch64"),
        ("platform=darwin", lambda s: s.platform == "darwin"),
        ("stack=e4s", lambda s: "e4s" in s.stacks),
        ("stack=e4s*", lambda s: any(x.startswith("e4s") for x in s.stacks)),
        ("tag=develop", lambda s: s.tag == "develop"),
        ("package=py-msgpack", lambda s: s.package == "py-msgpack"),
        ("build_system=python_pip", lambda s: "build_system=python_pip" in s.variants),
        ("!stack=e4s", lambda s: "e4s" not in s.stacks),
        ("!%gcc", lambda s: not s.compiler.startswith("gcc")),
        (
            "mpi4py os=ubuntu24.04 target=aarch64",
            lambda s: "mpi4py" in s.package and s.os == "ubuntu24.04" and s.target == "aarch64",
        ),
        ("target=aarch64 mpi4py", lambda s: "mpi4py" in s.package and s.target == "aarch64"),
        ("compiler=gcc@13.2.0", lambda s: s.compiler.replace("@=", "@") == "gcc@13.2.0"),
    ],
)
def test_tokens_match_what_a_brute_force_scan_finds(seeds, query, predicate):
    specs, _ = specs_for(seeds, query)
    assert len(specs) == brute(seeds, predicate)
    assert all(predicate(s) for s in specs)


def test_variant_tokens_on_real_pages(corpus):
    specs, _ = specs_for(corpus, "+cuda")
    assert specs and all("+cuda" in s.variants for s in specs)
    specs, _ = specs_for(corpus, "~cuda bricks")
    assert [s.hash for s in specs] == ["zonl5cg2ln4lk56xwmtu4plb5ibto3fx"]
    specs, _ = specs_for(corpus, "patches=cc8ac22")  # written patches:=cc8ac22
    assert {s.package for s in specs} == {"arkouda"}
    specs, _ = specs_for(corpus, "%none")
    assert specs and all(s.compiler == "none" for s in specs)
    specs, _ = specs_for(corpus, "+optimize+pic zlib")
    assert len(specs) == 54


def test_bare_word_falls_back_to_any_column_then_to_fuzzy_names(seeds):
    specs, notes = specs_for(seeds, "ubuntu24.04")
    assert len(specs) == 113 and "any column" in notes[0]
    specs, notes = specs_for(seeds, "mpi4pi")
    assert {s.package for s in specs} == {"py-mpi4py"}
    assert "closest are py-mpi4py" in notes[0]
    specs, notes = specs_for(seeds, "qqqqqqqq")
    assert specs == [] and "nothing matches" in notes[0]


def test_hash_token_forgives_one_typo_with_a_note(seeds):
    specs, notes = specs_for(seeds, "/255hxvjj")
    assert [s.hash[:7] for s in specs] == ["255hkvj"]
    assert "one edit away" in notes[0]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("foo=bar", "unknown key 'foo'"),
        ("@", "needs a value"),
        ("%", "needs a name"),
        ("!", "nothing after '!'"),
        ("/", "hash prefix needs"),
        ("+", "not a variant"),
        ("=x", "expected key=value"),
        ("os=", "no value after '='"),
    ],
)
def test_bad_tokens_raise_one_line_errors(seeds, query, message):
    with pytest.raises(QueryError) as error:
        run_query(seeds, query)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_unclosed_quote_does_not_fail():
    assert [t.value for t in parse_query('"py-msg').tokens] == ['"py-msg']


def test_hash_prefix_of_any_length_across_tags(corpus):
    hits = find_hashes(corpus, "4qc7")
    assert [corpus.spec(h.spec_id).package for h in hits] == ["arkouda"]
    assert find_hashes(corpus, "/4qc7unx")[0].match == "prefix"
    everything = find_hashes(corpus, "", limit=None)
    assert everything == []


def test_ambiguous_fragment_lists_every_match(corpus):
    first_chars = {}
    for h in corpus.hashes:
        if h:
            first_chars[h[0]] = first_chars.get(h[0], 0) + 1
    char, count = max(first_chars.items(), key=lambda kv: kv[1])
    hits = find_hashes(corpus, char, limit=None)
    assert len(hits) == count > 1
    assert {corpus.hashes[h.spec_id][0] for h in hits} == {char}


@pytest.mark.parametrize("typo", ["255hxvjj", "255kvjjl", "2554hkvjj", "255hkvjjx"])
def test_fuzzy_hash_one_wrong_missing_or_extra(seeds, typo):
    hits = find_hashes(seeds, typo)
    assert hits and seeds.hashes[hits[0].spec_id].startswith("255hkvjj")
    assert hits[0].match == "fuzzy"


def test_exact_prefix_ranks_before_fuzzy(seeds):
    target = seeds.hashes[0][:8]
    fuzzy_target = target[:-1] + ("a" if target[-1] != "a" else "b")
    hits = find_hashes(seeds, fuzzy_target, limit=None)
    assert [h.match for h in hits] == sorted((h.match for h in hits), key=lambda m: m != "prefix")


def test_short_fragments_are_not_fuzzy(seeds):
    assert find_hashes(seeds, "255hxv") == []


def test_one_edit_variants():
    variants = one_edit_variants("abc")
    assert "abd" in variants and "ab" in variants and "abcd" in variants and "xabc" in variants
    assert "abc" not in variants and "ab22" not in variants


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("mpi4pi", "py-mpi4py"),
        ("msgpak", "py-msgpack"),
        ("mldtypes", "py-ml-dtypes"),
        ("py-mpi4py", "py-mpi4py"),
        ("mpi4", "py-mpi4py"),
        ("multidict", "py-multidict"),
    ],
)
def test_package_names_typo_tolerant(seeds, text, name):
    assert find_packages(seeds, text)[0].name == name


def test_package_ranking_exact_then_prefix_then_fuzzy(corpus):
    hits = find_packages(corpus, "bc")
    assert hits[0].name == "bc" and hits[0].match == "exact"
    tiers = [h.match for h in hits]
    order = ["exact", "prefix", "substring", "fuzzy"]
    assert tiers == sorted(tiers, key=order.index)


def test_a_hash_list_matches_any_of_its_hashes(seeds):
    specs, _ = specs_for(seeds, "/255hk,2eh3w,4bluh7l")
    assert sorted(s.hash[:5] for s in specs) == ["255hk", "2eh3w", "4bluh"]
    specs, _ = specs_for(seeds, "hash=255hk,2eh3w !/2eh3w")
    assert [s.hash[:5] for s in specs] == ["255hk"]
    with pytest.raises(QueryError):
        parse_query("/,")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("spack install /abc2345 /def2347", ["abc2345", "def2347"]),
        ("abc2345 zlib@1.3\n-- linux-rhel8-zen2 --\ndef2347 bzip2@1.0\n", ["abc2345", "def2347"]),
        ("abc2345\nabc2345\n", ["abc2345"]),  # each once
        ("install zlib\nopenmpi mpich\n", ["install", "openmpi"]),  # 7+ first words: a guess
        ("mpich zlib", []),  # short words: names, not hashes
        ("ABC2345 /x", ["abc2345", "x"]),
        ("zlib@1.3 /0000000", []),  # 0 and 1 are not in the hash alphabet
    ],
)
def test_pasted_hashes(text, expected):
    assert pasted_hashes(text) == expected
