"""The query language of the filter box and ``--query``: its tokens, parsed. UI-free.

Tokens are ANDed, in any order. Everything spelled as Spack spells a spec means what Spack
means by it (``specsyntax``, ``versions``, ``targets``); the rest is this tool's own::

    /abc12          hash prefix (7+ characters forgive one typo); /abc12,def34: any of them
    py-numpy@1.26:  a Spack spec token: name@versions%compiler+variant key=value ...
    @1.2:1.4,2.0    versions          %gcc@13:        compiler
    +mpi ~mpi       boolean variant   foo=bar         multi-valued variant, values include
    arch=linux-rhel8-zen2, target=x86_64_v3:, target=zen2,zen3   microarchitecture order
    ^zlib@1.3       a dependency (specs from Spack indexes)
    os= platform= stack= tag= package= compiler=   the value exactly; a trailing * is a prefix
    runs=yes|no|unknown   whether the spec runs on the host (``host``)
    installed=yes|no      whether its hash is installed in the user's Spack (when known)
    closure=complete|incomplete|unknown   whether its link/run closure is loaded (``closure``)
    !token          negation
    word            package names containing it; else any column containing it; else the
                    closest package names (rapidfuzz)
``query`` evaluates a parsed query against a catalog.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Optional

from .specsyntax import SpecSyntaxError, SpecToken, parse_token

# key= aliases onto catalog columns
FIELD_KEYS = {
    "os": "os",
    "target": "target",
    "platform": "platform",
    "stack": "stacks",
    "stacks": "stacks",
    "tag": "tag",
    "package": "package",
    "name": "package",
    "version": "versions",
    "compiler": "compiler",
    "hash": "hash",
    "runs": "runs",
    "installed": "installed",
    "closure": "closure",
}
# What ``runs=`` takes, as the codes ``host.runs_codes`` gives (``here`` reads as yes).
RUNS_VALUES = {"yes": 1, "here": 1, "no": 0, "unknown": -1}
INSTALLED_VALUES = ("yes", "no")
# What ``closure=`` takes, as the codes ``closure.closure_mask`` gives.
CLOSURE_VALUES = {"complete": 1, "incomplete": 0, "unknown": -1}
_KEY_VALUE = re.compile(r"(?P<key>[A-Za-z0-9_][A-Za-z0-9_.\-]*)(?P<op>:?==?)(?P<value>.*)\Z", re.S)
# A token is Spack syntax when it starts with one of these, or has one after a name.
_SPEC_HEADS = "@%+~^"
_SPEC_MARKS = re.compile(r"[@%+~^]")


class QueryError(ValueError):
    """A token that cannot be understood; the message is one line for the status bar."""


@dataclass
class Token:
    kind: str  # hash, spec, field, variant_prefix, runs, installed, closure, word
    text: str
    negated: bool = False
    key: str = ""
    value: str = ""
    spec: Optional[SpecToken] = None


@dataclass
class Query:
    tokens: list[Token] = field(default_factory=list)
    source: str = ""

    def __bool__(self) -> bool:
        return bool(self.tokens)


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:  # an unclosed quote: split plainly rather than fail on every keystroke
        return text.split()


def parse_query(text: str) -> Query:
    tokens: list[Token] = []
    for raw in _split(text):
        negated = raw.startswith("!")
        body = raw[1:] if negated else raw
        if not body:
            raise QueryError(f"'{raw}': nothing after '!'")
        tokens.append(_parse_token(raw, body, negated))
    return Query(tokens, text)


def _spec(raw: str, text: str, negated: bool, key: str = "") -> Token:
    try:
        spec = parse_token(text)
    except SpecSyntaxError as error:
        raise QueryError(str(error)) from None
    return Token("spec", raw, negated, key=key, spec=spec)


def _parse_token(raw: str, body: str, negated: bool) -> Token:
    if body[0] == "/":
        value = body[1:].lower()
        if not value.strip(","):
            raise QueryError(f"'{raw}': a hash prefix needs characters after '/'")
        return Token("hash", raw, negated, value=value)
    if body in ("@", "@="):
        raise QueryError(f"'{raw}': a version needs a value after '@'")
    if body in ("+", "~", "++", "~~"):
        raise QueryError(f"'{raw}': not a variant (expected +name or ~name)")
    if body[0] == "=":
        raise QueryError(f"'{raw}': expected key=value")
    pair = _KEY_VALUE.match(body)
    if pair and not _SPEC_MARKS.search(pair["key"]):
        key, value = pair["key"], pair["value"]
        if not value:
            raise QueryError(f"'{raw}': no value after '{pair['op']}'")
        field_key = key.lower()
        if field_key == "hash":
            return Token("hash", raw, negated, value=value.rstrip("*").lower())
        if field_key == "version":
            return _spec(raw, "@" + value, negated)
        if field_key == "runs":
            if value.lower() not in RUNS_VALUES:
                raise QueryError(f"'{raw}': runs= takes yes, no or unknown")
            return Token("runs", raw, negated, value=value.lower())
        if field_key == "installed":
            if value.lower() not in INSTALLED_VALUES:
                raise QueryError(f"'{raw}': installed= takes yes or no")
            return Token("installed", raw, negated, value=value.lower())
        if field_key == "closure":
            if value.lower() not in CLOSURE_VALUES:
                raise QueryError(f"'{raw}': closure= takes complete, incomplete or unknown")
            return Token("closure", raw, negated, value=value.lower())
        if field_key == "target" and not value.endswith("*"):
            return _spec(raw, f"target={value}", negated)
        if field_key in FIELD_KEYS:
            return Token("field", raw, negated, key=field_key, value=value)
        if len(value) > 1 and value.endswith("*"):  # this tool's prefix match, on a variant
            return Token("variant_prefix", raw, negated, key=key, value=value[:-1])
        return _spec(raw, body, negated, key=key)
    if body[0] in _SPEC_HEADS or _SPEC_MARKS.search(body):
        return _spec(raw, body, negated)
    return Token("word", raw, negated, value=body.lower())


# The query language in one table, (token, meaning): the help screen lists it, and the README's
# query table says the same at more length.
SYNTAX: tuple[tuple[str, str], ...] = (
    ("word", "package names containing it; if none, any column containing it; else the closest names"),
    ("/abc12  /abc12,def34", "hash prefix, any length; 7+ characters forgive one typo; a list: any of them (a pasted list of hashes)"),
    ("@1.2  @=1.2  @1.2:1.4  @1.2,1.4:1.6", "versions as Spack means them: 1.2 and 1.2.x; exactly 1.2; a range; any of a list"),
    ("py-numpy@1.26:  hdf5+mpi%gcc@13", "a Spack spec token: the exact name, then its constraints"),
    ("%gcc  %gcc@13:  %none", "compiler, with Spack version constraints (gcc@13.2.0 and gcc@=13.2.0 both match)"),
    ("+mpi  ~mpi  mpi=True  ++mpi", "boolean variant on or off (propagation spellings accepted)"),
    ("foo=bar  foo=bar,baz  foo=*", "multi-valued variant: the spec has these values (any order); any value"),
    ("patches=873745d", "a prefix of any patch hash"),
    ("target=x86_64_v3:  target=:zen3  target=zen2,zen3", "microarchitecture ranges and lists, archspec's order"),
    ("arch=linux-rhel8-zen2", "platform-os-target"),
    ("^zlib@1.3", "a dependency (specs from Spack indexes)"),
    ("runs=yes  runs=no  runs=unknown", "runs on this machine, or the one --host or ctrl+o names"),
    ("installed=yes  installed=no", "installed in your Spack (with --spack)"),
    ("closure=complete  closure=incomplete  closure=unknown", "every link/run dependency is in the loaded caches; some is not; not known (site pages list none)"),
    ("os=  platform=  stack=  tag=  package=", "exact value, or prefix with *: stack=e4s*"),
    ("!token", "negate a token: !stack=e4s"),
)  # fmt: skip
