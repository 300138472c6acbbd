"""CKAN's query language, read once above the search interface so every backend answers alike.

CKAN clients (harvesters, ckanapi scripts, portals) send Solr's Lucene syntax in `q`, `fq` and
`fq_list`. `parse` reads it into a small expression of frozen values that a backend evaluates
over what the public may see; `read_sort` reads CKAN's `sort`. Understood:

- `*:*` (everything), bare words (matched as the site search matches them: stems, prefixes,
  ranking) and quoted phrases (`"road safety"`);
- `field:value` on the fields CKAN indexes, named as CKAN names them (`FIELDS`); a value may be
  quoted, and a field may take a group (`tags:(parking OR transport)`);
- `AND`, `OR`, `NOT` (also `&&`, `||`, `!`), `+` and `-` before a clause, parentheses;
- date ranges on metadata_modified and metadata_created in Solr's forms: `[X TO *]`,
  `{X TO NOW]`, `2026-01-01T00:00:00Z`, `NOW-1DAY`, `NOW/DAY`, `2026-01-01T00:00:00Z+1MONTH`.

NOT binds tightest, then AND, then OR; clauses side by side must all match (Solr's default
operator as CKAN sets it). So the CKAN harvester's `organization:a OR organization:b
metadata_modified:[X TO *]` means "from a or b, and changed since X". Boosts (`^2`) and
fuzziness (`~1`) are read and ignored. Anything else is a `QueryError` that names what could not
be read and where, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import NoReturn

from catalog.errors import Invalid
from catalog.search.solr_dates import DATE_HELP, read_date


@dataclass(frozen=True)
class All:
    """Every dataset the search may show."""


@dataclass(frozen=True)
class Words:
    """Words that must all be found, in `field` ("title" or "notes") or, with None, anywhere."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Phrase:
    """Words found next to each other in this order (lower case, as typed)."""

    words: tuple[str, ...]
    field: str | None = None


@dataclass(frozen=True)
class Field:
    """An exact value: a facet's (organisation, topic, tag, format, licence), the dataset's
    URL `name` or `id`, or its `state` ("active" is public; "draft" is a member's own)."""

    name: str
    value: str


@dataclass(frozen=True)
class Range:
    """Times from `low` to `high` (naive UTC; None is open) of "modified" or "created"."""

    name: str
    low: datetime | None
    high: datetime | None
    include_low: bool = True
    include_high: bool = True


@dataclass(frozen=True)
class And:
    parts: tuple[Expression, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Expression, ...]


@dataclass(frozen=True)
class Not:
    """What the search may show, less what `part` matches: never anything hidden."""

    part: Expression


@dataclass(frozen=True)
class Synonyms:
    """What was typed, or any of its synonyms (`others`, from the council's list in
    `synonyms.py`): matches as an Or does, ranks only by what was typed, so a document in the
    resident's own words is not put below one that only shares a synonym."""

    typed: Expression
    others: tuple[Expression, ...]

    @property
    def alternatives(self) -> tuple[Expression, ...]:
        return (self.typed, *self.others)


Expression = All | Words | Phrase | Field | Range | And | Or | Not | Synonyms
NOTHING: Expression = Not(All())

EXACT = {  # CKAN's field -> the catalogue's exact-valued field
    "organization": "organisation",
    "groups": "topic",
    "tags": "tag",
    "res_format": "format",
    "license_id": "licence",
    "name": "name",
    "id": "id",
    "state": "state",
}
TEXT = {"title": "title", "notes": "notes", "text": None}
DATES = {"metadata_modified": "modified", "metadata_created": "created"}
FIELDS = (*EXACT, *TEXT, *DATES, "owner_org", "dataset_type")
MAX_TERMS = 200  # a query is typed or built by a client; this is far past either
MAX_DEPTH = 20  # parentheses inside parentheses

SORTS = {  # CKAN's sort -> the catalogue's (see catalog.search.SORTS)
    "score desc": "relevance",
    "rank": "relevance",
    "metadata_modified desc": "updated",
    "metadata_modified asc": "updated_asc",
    "metadata_created desc": "created",
    "metadata_created asc": "created_asc",
    "title_string asc": "name",
    "title_string desc": "name_desc",
    "name asc": "url_name",
    "id asc": "id",
}


class QueryError(Invalid):
    """A query that cannot be read; `field` is the parameter it came in (q, fq, ...)."""


def read_sort(text: str) -> str:
    """CKAN's comma-separated sort, every part known; the first part orders the results (the
    relevance sort already breaks its ties by metadata_modified desc, as CKAN's default)."""
    parts = [" ".join(part.lower().split()) for part in text.split(",")]
    for part in parts:
        if part not in SORTS:
            known = ", ".join(f"'{s}'" for s in SORTS)
            raise Invalid(f"Cannot sort by '{part}': sort by one of {known}.", field="sort")
    return SORTS[parts[0]]


def every(parts: list[Expression]) -> Expression:
    """All of `parts` (a search without any matches everything)."""
    needed = [part for part in parts if part != All()]
    if not needed:
        return All()
    return needed[0] if len(needed) == 1 else And(tuple(needed))


def parse(
    text: str,
    *,
    param: str,
    now: datetime,
    organisation_named: Callable[[str], str | None] = lambda ref: ref,
) -> Expression:
    """The expression for one parameter's text; `now` is the query's time (naive UTC) for
    NOW in dates, and `organisation_named` turns an owner_org (an id or a name) into the
    organisation's name, None when there is none."""
    tokens = list(islice(_tokens(text, param), MAX_TERMS + 1))
    if len(tokens) > MAX_TERMS:
        raise QueryError(f"The query has over {MAX_TERMS} terms: send a shorter one.", field=param)
    return _Parser(tokens, param, now, organisation_named).read()


# -- Reading the text into tokens --------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # word, phrase, field, range, (, ), and, or, not, must, end
    text: str
    at: int  # where it starts, counting characters from 1


_OPERATORS = {"AND": "and", "&&": "and", "OR": "or", "||": "or", "NOT": "not"}
_SPECIAL = set('()"[]{}')
_IGNORED = re.compile(r"[~^][0-9.]*")  # a boost or fuzziness after a term


def _tokens(text: str, param: str) -> Iterator[_Token]:
    i = 0
    while i < len(text):
        char, at = text[i], i + 1
        if char.isspace():
            i += 1
        elif char in "()":
            yield _Token(char, char, at)
            i = _skip_ignored(text, i + 1)
        elif char == '"':
            phrase, i = _quoted(text, i, param)
            yield phrase
        elif char in "[]{}":
            raise QueryError(
                f"'{char}' at character {at}: a range follows a date field, as in "
                "metadata_modified:[2026-01-01T00:00:00Z TO *].",
                field=param,
            )
        elif char in "+-!" and i + 1 < len(text) and not text[i + 1].isspace():
            yield _Token("must" if char == "+" else "not", char, at)
            i += 1
        else:
            found, i = _term(text, i, param)
            yield from found


def _term(text: str, i: int, param: str) -> tuple[list[_Token], int]:
    """A word, an operator, or `field:` with its value (a word, a phrase, a range, or the `(`
    of a group, left for the next token); and where the term ends."""
    word, colon, end = _word(text, i)
    if colon < 0:
        return [_Token(_OPERATORS.get(word, "word"), word, i + 1)], end
    field, value = _Token("field", word[:colon], i + 1), word[colon + 1 :]
    following = text[end] if end < len(text) else ""
    if value:
        return [field, _Token("word", value, i + colon + 2)], end
    if following == '"':
        phrase, end = _quoted(text, end, param)
        return [field, phrase], end
    if following in ("[", "{"):
        span, end = _range(text, end, param)
        return [field, span], end
    if following == "(":
        return [field], end
    raise QueryError(f"'{field.text}:' at character {i + 1} has no value after it.", field=param)


def _word(text: str, i: int) -> tuple[str, int, int]:
    """(the word with escapes undone, where its first unescaped colon is or -1, its end)."""
    chars: list[str] = []
    colon = -1
    while i < len(text) and not text[i].isspace() and text[i] not in _SPECIAL:
        if text[i] == "\\" and i + 1 < len(text):
            chars.append(text[i + 1])
            i += 2
            continue
        if text[i] == ":" and colon < 0:
            colon = len(chars)
        chars.append(text[i])
        i += 1
    word = "".join(chars)
    ignored = _IGNORED.search(word)
    if ignored and ignored.end() == len(word) and ignored.start() > max(colon, 0):
        word = word[: ignored.start()]
    return word, colon, i


def _quoted(text: str, i: int, param: str) -> tuple[_Token, int]:
    chars: list[str] = []
    j = i + 1
    while j < len(text) and text[j] != '"':
        if text[j] == "\\" and j + 1 < len(text):
            j += 1
        chars.append(text[j])
        j += 1
    if j >= len(text):
        raise QueryError(
            f"The quote at character {i + 1} is never closed: end the phrase with '\"'.",
            field=param,
        )
    return _Token("phrase", "".join(chars), i + 1), _skip_ignored(text, j + 1)


def _range(text: str, i: int, param: str) -> tuple[_Token, int]:
    closing = re.compile(r"[\]}]").search(text, i)
    if closing is None:
        raise QueryError(
            f"The range at character {i + 1} ('{text[i : i + 40]}') is never closed: "
            "end it with ']' (or '}' to leave the end out).",
            field=param,
        )
    return _Token("range", text[i : closing.end()], i + 1), _skip_ignored(text, closing.end())


def _skip_ignored(text: str, i: int) -> int:
    ignored = _IGNORED.match(text, i)
    return ignored.end() if ignored else i


# -- Reading the tokens into an expression -----------------------------------------------------


class _Parser:
    def __init__(
        self,
        tokens: list[_Token],
        param: str,
        now: datetime,
        organisation_named: Callable[[str], str | None],
    ) -> None:
        end = tokens[-1].at + len(tokens[-1].text) if tokens else 1
        self.tokens = [*tokens, _Token("end", "", end)]
        self.param, self.now, self.organisation_named = param, now, organisation_named
        self.position, self.depth = 0, 0

    def read(self) -> Expression:
        found = self._clauses(None)
        if self._peek().kind == ")":
            self._fail(f"')' at character {self._peek().at} closes nothing.")
        return found

    def _peek(self) -> _Token:
        return self.tokens[self.position]

    def _take(self) -> _Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def _fail(self, message: str) -> NoReturn:
        raise QueryError(message, field=self.param)

    def _clauses(self, field: str | None) -> Expression:
        """Clauses side by side, up to a `)` or the end: all must match."""
        parts = []
        while self._peek().kind not in ("end", ")"):
            parts.append(self._any_of(field))
        return every(parts)

    def _any_of(self, field: str | None) -> Expression:
        parts = [self._all_of(field)]
        while self._peek().kind == "or":
            self._take()
            parts.append(self._all_of(field))
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def _all_of(self, field: str | None) -> Expression:
        parts = [self._unary(field)]
        while self._peek().kind == "and":
            self._take()
            parts.append(self._unary(field))
        return every(parts) if len(parts) > 1 else parts[0]

    def _unary(self, field: str | None) -> Expression:
        token = self._peek()
        if token.kind == "not":
            self._take()
            return Not(self._unary(field))
        if token.kind == "must":
            self._take()
            return self._unary(field)
        return self._primary(field)

    def _primary(self, field: str | None) -> Expression:
        token = self._take()
        if token.kind == "(":
            return self._group(token, field)
        if token.kind in ("word", "phrase"):
            return self._value(field, token) if field else self._text(token, None)
        if token.kind == "field":
            return self._field(token)
        if token.kind == "end":
            before = self.tokens[self.position - 2].text
            self._fail(f"The query ends after '{before}': something must follow it.")
        if token.kind == ")":
            self._fail(f"Something to search for is missing before ')' at character {token.at}.")
        self._fail(f"'{token.text}' at character {token.at} has nothing before it.")

    def _group(self, opened: _Token, field: str | None) -> Expression:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self._fail(f"Parentheses are nested over {MAX_DEPTH} deep.")
        if self._peek().kind == ")":
            self._fail(f"The group at character {opened.at} is empty.")
        found = self._clauses(field)
        if self._take().kind != ")":
            self._fail(f"The '(' at character {opened.at} is never closed: add a ')'.")
        self.depth -= 1
        return found

    def _field(self, token: _Token) -> Expression:
        name = token.text
        if name not in FIELDS and name != "*":
            known = ", ".join(FIELDS)
            self._fail(f"Unknown field '{name}' at character {token.at}: search {known}.")
        value = self._take()
        if value.kind == "(":
            if name == "*" or name in DATES:
                self._fail(f"'{name}:' at character {token.at} cannot take a group.")
            return self._group(value, name)
        return self._value(name, value)

    def _value(self, name: str, token: _Token) -> Expression:
        """One value of a CKAN field, as the catalogue's expression."""
        if name == "*":
            if token.text != "*":
                self._fail(f"'*:{token.text}' at character {token.at}: use *:* for everything.")
            return All()
        if name in DATES:
            return self._dates(name, token)
        if token.kind == "range":
            self._fail(f"Only metadata_modified and metadata_created take a range ({name}).")
        if name in TEXT:
            return self._text(token, TEXT[name])
        if name == "dataset_type":
            return All() if token.text == "dataset" else NOTHING
        if name == "owner_org":
            organisation = self.organisation_named(token.text)
            return Field("organisation", organisation) if organisation else NOTHING
        if token.kind == "word" and ("*" in token.text or "?" in token.text):
            self._fail(f"'{name}:{token.text}' at character {token.at}: {name} takes whole values.")
        value = token.text.upper() if name == "res_format" else token.text
        return Field(EXACT[name], value)

    def _text(self, token: _Token, field: str | None) -> Expression:
        if token.kind == "word":
            if token.text == "*" and field is None:
                return All()
            return Words(token.text, field) if re.search(r"\w", token.text) else All()
        words = tuple(re.findall(r"\w+", token.text.lower()))
        if len(words) == 1:
            return Words(words[0], field)
        return Phrase(words, field) if words else All()

    def _dates(self, name: str, token: _Token) -> Expression:
        if token.kind == "range":
            low, high = self._range_ends(token)
            return Range(
                DATES[name],
                read_date(low, self.now),
                read_date(high, self.now),
                include_low=token.text.startswith("["),
                include_high=token.text.endswith("]"),
            )
        if token.text == "*":
            return All()
        moment = read_date(token.text, self.now)
        if moment is None:
            self._fail(f"Cannot read the date '{token.text}' at character {token.at}: {DATE_HELP}")
        return Range(DATES[name], moment, moment)

    def _range_ends(self, token: _Token) -> tuple[str, str]:
        parts = token.text[1:-1].split()
        if len(parts) != 3 or parts[1] != "TO":
            self._fail(
                f"The range '{token.text}' at character {token.at} reads [FROM TO UNTIL], "
                "as in [2026-01-01T00:00:00Z TO *]."
            )
        for part in (parts[0], parts[2]):
            if part != "*" and read_date(part, self.now) is None:
                self._fail(f"Cannot read the date '{part}' at character {token.at}: {DATE_HELP}")
        return parts[0], parts[2]
