"""Site search: what a reader may see, ranked, with snippets, filters and help when nothing is found.

It reads the index (betterway/models.py, kept by betterway/search_index.py). Who finds what is decided by
joining each entry to its own model's visible_to(user) (`visible_entries`), never by what the index copies:
a meeting is found through its whole note by those who may read its notes, else through its first layer only.
Snippets are cut from the entry that matched, so they quote only what the reader may read.

On PostgreSQL: the reader's syntax through websearch_to_tsquery ("shared leadership" as a phrase, `or`,
`-covid`), English stemming, ranking by weight (titles above key points and standfirsts above the body), ties
newest first, snippets by ts_headline, and when nothing is found, "did you mean" from trigram similarity over
the titles, names and topics the reader may see. On SQLite the same syntax is read here and matched word by
word in the stored text (plurals folded), unranked: notes and insights first, then principles, people and
comments, each newest first; no suggestions.

A search page makes the same queries whatever the size of the archive: the counts for every filter (one query,
which also gives the number of results), the page of results, and the suggestions when nothing is found.
"""

import hashlib
import re
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramSimilarity,
)
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, F, IntegerField, Lookup, Q, TextField, Value, When
from django.db.models.functions import Concat, Greatest, Substr
from django.utils.html import escape
from django.utils.safestring import mark_safe

from cells.models import Cell, Meeting
from core import caching
from core.pagination import paginate
from core.visibility import through
from discussion.models import commentable_rule
from insights.models import Insight
from people.models import Person

from .models import SearchEntry, SearchFacet, SearchWord
from .postgres import planned_for_each_question
from .search_index import MARKS, WORDS, uses_vectors

PER_PAGE = 20
MAX_QUERY = 200
FACET_SIZE = 8
Type = SearchEntry.Type
TYPE_ORDER = [Type.NOTES, Type.INSIGHTS, Type.PRINCIPLES, Type.PEOPLE, Type.COMMENTS]
FILTERS = ["type", "year", "cell", "principle", "person", "topic"]
FACET_NAMES = {"year": "Year", "cell": "Cell", "principle": "Principle", "person": "Person", "topic": "Topic"}
SNIPPET_LENGTH = 240
# PostgreSQL: a search reads at most the CAP newest matches and the TITLES newest whose title or name matches,
# and ranks, counts and files those: bounded work for a common word in a large archive
CAP = 1000
TITLES = 200
COMMON_IN_TITLES = 2000  # a word in more titles than this is common there: the newest matches hold enough


class ReadersQuery(SearchQuery):
    """The reader's syntax for PostgreSQL: websearch_to_tsquery('english', …) of the words asked for, none of the
    words left out with a minus (so `a or b -c` leaves out every c, as on SQLite), each stemmed word of five
    letters or more also matching the words it begins, so that a word finds its family: 'leaders' (leader)
    finds leadership and leaders, 'partner' partnership. The query's text is read back as a tsquery as it is
    (not parsed again), so that its stems are not stemmed twice and a compound stays whole: 'place-based' is the
    lexemes 'place-bas' <-> 'place' <-> 'base', as in the index, where parsing 'place-bas' again made it a phrase of
    five that nothing matched. A lexeme is one quoted word without spaces: the text between two of them
    (`' <2> '`, a phrase with a word left out) is never taken for one.

    Two forms: `matching=True` finds entries (a compound asked as itself, COMPOUND; the words left out excluded);
    the default ranks them and cuts their snippets (the words asked for, each compound with its parts)."""

    PREFIX = ("'([^'[:space:]]{5,})'", "'\\1':*")
    # To find entries (matching=True), a hyphenated word outside quotation marks ('place-bas' <-> 'place' <->
    # 'base') is asked as its compound alone ('place-bas'): the same entries (the parser writes the parts after
    # the compound, always), found on the index without reading each entry's words again to check the phrase,
    # and judged by PostgreSQL as common as it is. Taking the three for independent words, it judged
    # "place-based" 7.5 times rarer than it is at 100,000 meetings and sorted all its 74,000 matches by date
    # (about 400 ms) instead of reading the newest few (40 ms). In a quoted phrase a compound's parts place it
    # among the phrase's words, and it is left as it is; ranks and snippets read the parts (ts_headline marks
    # "place" and "based", never the compound).
    COMPOUND = ("'([^'[:space:]]+-[^'[:space:]]*)'( <[-0-9]+> '[^'[:space:]]+')+", "'\\1'")

    def __init__(self, value, *, matching=False):
        super().__init__(value, search_type="websearch", config="english")
        self.matching = matching
        wanted, unwanted = [], []
        for negated, phrase, bare in _TOKEN.findall(value):
            if negated or bare.startswith("-"):
                unwanted.append(f'"{phrase}"' if phrase else bare.lstrip("-"))
            else:
                wanted.append(f'"{phrase}"' if phrase else bare)
        self.wanted, self.unwanted = " ".join(wanted), " or ".join(unwanted)

    def _words(self, text):
        sql, params = "websearch_to_tsquery('english'::regconfig, %s)::text", [text]
        if self.matching and '"' not in text:
            sql, params = f"regexp_replace({sql}, %s, %s, 'g')", [*params, *self.COMPOUND]
        return f"regexp_replace({sql}, %s, %s, 'g')::tsquery", [*params, *self.PREFIX]

    def as_sql(self, compiler, connection, function=None, template=None):
        sql, params = self._words(self.wanted)
        # Words left out only narrow what is found: ranks and snippets read the words asked for (ts_headline marks
        # every word of its query, and a result may hold "place" of a "-place-based" left out). An empty query is
        # left alone: "the -covid" finds nothing, not all but covid.
        if self.unwanted and self.matching:
            left_out, more = self._words(self.unwanted)
            sql, params = (
                f"(CASE WHEN numnode({sql}) = 0 THEN {sql} ELSE {sql} && !!{left_out} END)",
                [*params, *params, *params, *more],
            )
        return sql, params


def visible_entries(user, *, matching=None):
    """The entries `user` may find: each entry's own meeting, insight or person asked its model's rule
    (visible_rule, through the entry's join), so that a search walking its newest matches asks only of the
    rows it reads. A meeting: its whole note where they may read its notes, else its first layer. (Asked as
    `meeting_id IN (every meeting the reader may see)`, PostgreSQL first listed all 100,000 of them: 60 to 85 ms
    before the first row.)

    `matching` (a condition on entries: what a search asks for) names the only entries that will be asked: the
    people rule then looks only at what names the people whose entries match, instead of listing every name the
    reader may see in the archive first (PostgreSQL hashed all 195,000 speakers of the visible meetings at
    100,000 meetings, 160 ms, for any search that reached a person's entry). The same answer for those entries."""
    Kind = SearchEntry.Kind
    people = None
    if matching is not None:
        people = Person.objects.filter(pk__in=SearchEntry.objects.filter(matching, kind=Kind.PERSON).values("person"))
    meeting = through(Meeting.objects.visible_rule(user), "meeting")
    notes = through(Meeting.objects.notes_rule(user), "meeting")
    return SearchEntry.objects.filter(
        (Q(kind=Kind.MEETING) & meeting & ~notes)
        | (Q(kind=Kind.MEETING_NOTES) & meeting & notes)
        | (Q(kind=Kind.INSIGHT) & through(Insight.objects.visible_rule(user), "insight"))
        | Q(kind=Kind.PRINCIPLE)  # principles are public
        | (Q(kind=Kind.PERSON) & through(Person.objects.visible_rule(user, among=people), "person"))
        # a comment's entry exists only while it is shown (not removed, not hidden: search_index) and names what
        # it is on: Comment.objects.visible_to's rule then comes down to whether the reader may read that
        | (
            Q(kind=Kind.COMMENT)
            & (
                through(commentable_rule(Meeting, user), "meeting")
                | through(commentable_rule(Insight, user), "insight")
            )
        )
    )


# --- what the reader asked ----------------------------------------------------------------------------------


def read_filters(params):
    """The filters in the address that make sense (anything else is left out, never an error)."""
    filters = {}
    for name in FILTERS:
        value = params.get(name, "")
        if name == "type":
            if value in Type.values:
                filters[name] = value
        elif value.isascii() and value.isdigit() and 0 < len(value) <= 12:
            filters[name] = int(value)
    return filters


@dataclass
class Term:
    text: str  # a word (plural folded) or a phrase, lower case
    phrase: bool = False


@dataclass
class Parsed:
    """The reader's syntax as websearch_to_tsquery reads it: every clause must match (a clause is one term or
    several joined by `or`), and no excluded term may."""

    clauses: list = field(default_factory=list)
    excluded: list = field(default_factory=list)

    @property
    def terms(self):
        return [term for clause in self.clauses for term in clause]


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def _fold(word):
    """A light stand-in for stemming on SQLite: plurals match their singular ('leaders' finds 'leadership')."""
    word = word.lower().replace("’", "'")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def in_quotes(query):
    """The reader's words as the page repeats them back, in quotation marks: a search that is one phrase in
    straight quotes ("shared leadership") is shown in the page's quotation marks, not inside them as well."""
    if len(query) > 2 and query[0] == query[-1] == '"' and '"' not in query[1:-1]:
        query = query[1:-1]
    return f"“{query}”"


def parse(query):
    parsed, joining = Parsed(), False
    for negated, phrase, bare in _TOKEN.findall(query):
        if bare and bare.lower() == "or":
            joining = bool(parsed.clauses)
            continue
        if bare:
            negated = "-" if bare.startswith("-") else ""
            words = WORDS.findall(bare)
            if not words:
                continue
            term = Term(" ".join(_fold(word) for word in words), phrase=len(words) > 1)
        else:
            words = WORDS.findall(phrase)
            if not words:
                continue
            term = Term(" ".join(word.lower() for word in words), phrase=True)
        if negated:
            parsed.excluded.append(term)
        elif joining:
            parsed.clauses[-1].append(term)
        else:
            parsed.clauses.append([term])
        joining = False
    return parsed


def _contains(term):
    return reduce(
        or_, (Q(**{f"{column}__icontains": term.text}) for column in ("text_a", "text_b", "text_c", "labels"))
    )


def _text_match(parsed):
    rule = reduce(and_, (reduce(or_, (_contains(term) for term in clause)) for clause in parsed.clauses))
    for term in parsed.excluded:
        rule &= ~_contains(term)
    return rule


# --- searching ----------------------------------------------------------------------------------------------


def _narrowed(entries, filters):
    """`entries` under every filter but the type (whose counts show all types)."""
    if "year" in filters:
        entries = entries.filter(year=filters["year"])
    if "cell" in filters:
        entries = entries.filter(cell_id=filters["cell"])
    for name in ("principle", "person", "topic"):
        if name in filters:
            entries = entries.filter(
                thing__in=SearchFacet.objects.filter(name=name, value=filters[name]).values("thing")
            )
    return entries


def _facet_counts(entries, selected_type):
    """One query: how many of `entries` there are of each type; and, among those of the selected type (all when
    none is), the years, and the most common cells, principles, people and topics, each with its count."""
    types = {kind: 0 for kind in TYPE_ORDER}
    facets = {name: [] for name in FACET_NAMES}
    try:
        sql, params = entries.values("type", "year", "cell_id", "thing").query.sql_with_params()
    except EmptyResultSet:  # nothing to look for (only words left out, or no words)
        return types, facets
    of_type, type_params = ("WHERE m.type = %s", [selected_type]) if selected_type else ("", [])
    cells = connection.ops.quote_name(Cell._meta.db_table)
    filed = connection.ops.quote_name(SearchFacet._meta.db_table)
    statement = f"""
        WITH m AS ({sql})
        SELECT 'type', m.type, CAST(0 AS BIGINT), '', COUNT(*) FROM m GROUP BY m.type
        UNION ALL
        SELECT 'year', '', CAST(m.year AS BIGINT), '', COUNT(*) FROM m {of_type or "WHERE TRUE"} AND m.year IS NOT NULL
        GROUP BY m.year
        UNION ALL
        SELECT name, '', value, label, n FROM (
            SELECT 'cell' AS name, m.cell_id AS value, c.name AS label, COUNT(*) AS n,
                ROW_NUMBER() OVER (ORDER BY COUNT(*) DESC, c.name) AS place
            FROM m JOIN {cells} c ON c.id = m.cell_id {of_type}
            GROUP BY m.cell_id, c.name
        ) cells WHERE place <= {FACET_SIZE}
        UNION ALL
        SELECT name, '', value, label, n FROM (
            SELECT f.name AS name, f.value AS value, f.label AS label, COUNT(*) AS n,
                ROW_NUMBER() OVER (PARTITION BY f.name ORDER BY COUNT(*) DESC, f.label) AS place
            FROM m JOIN {filed} f ON f.thing = m.thing {of_type}
            GROUP BY f.name, f.value, f.label
        ) filed WHERE place <= {FACET_SIZE}
    """
    rows = caching.kept_rows(statement, [*params, *type_params, *type_params, *type_params])
    for name, kind, value, label, count in rows:
        if name == "type":
            types[kind] = count
        else:
            facets[name].append({"value": int(value), "label": str(value) if name == "year" else label, "count": count})
    facets["year"].sort(key=lambda row: -row["value"])
    return types, facets


class _Found:
    """For the paginator: the rows found, whose number is already known (from the counts by type); or, kept, the
    rows of the page asked for alone (search() asks for that page again, of the same number of rows)."""

    def __init__(self, rows, count):
        self.rows, self._count = rows, count

    def count(self):
        return self._count

    def __len__(self):
        return self._count

    def __getitem__(self, key):
        return self.rows if isinstance(self.rows, list) else self.rows[key]


def _page_rows(entries, query, parsed):
    if query is not None:
        document = Concat("text_b", Value("\n"), "text_c", output_field=TextField())
        return (
            entries.defer("text_a", "text_b", "text_c", "labels", "terms", "vector")
            .annotate(
                rank=SearchRank(F("vector"), query, normalization=Value(1)),
                headline=SearchHeadline(
                    document,
                    query,
                    config="english",
                    start_sel=MARKS[0],
                    stop_sel=MARKS[1],
                    max_fragments=2,
                    max_words=24,
                    min_words=12,
                    short_word=3,
                    fragment_delimiter=" … ",
                ),
                opening=Substr(document, 1, 60),
            )
            .order_by("-rank", F("date").desc(nulls_last=True), "-pk")
        )
    order = Case(*(When(type=kind, then=Value(i)) for i, kind in enumerate(TYPE_ORDER)), output_field=IntegerField())
    return entries.defer("text_a", "labels", "terms", "vector").order_by(order, F("date").desc(nulls_last=True), "-pk")


class _IdIn(Lookup):
    """`id = ANY(%s)`: a pool's thousand ids sent as one array (as `IN (%s, …)`, a thousand parameters took
    longer to bind, send and parse than the search took to run: ~50 ms a search page). PostgreSQL only."""

    lookup_name = "id_in"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*params, list(self.rhs)]


def _newest(entries, limit):
    """The ids of the `limit` newest of `entries` (undated ones last): read along search_entry_newest_idx, or
    from the words' own index for a rare word, as PostgreSQL judges."""
    return _ids(entries.order_by(F("date").desc(nulls_last=True), "-pk").values_list("pk", flat=True)[:limit])


def _ids(ids):
    """The ids a query for ids finds, kept for the content generation under its SQL (core.caching.kept_rows), which
    is compiled once: for the key and the query both (the reader's rule makes it long to compile)."""
    try:
        sql, params = ids.query.sql_with_params()
    except EmptyResultSet:
        return []
    return [row[0] for row in caching.kept_rows(sql, params)]


def _pool(matched, query, kind):
    """(the entries to rank, count and file; whether there were more matches than CAP). Up to CAP newest
    matches and, when there are more, the TITLES newest whose title or name matches (so that an old note titled
    with the word still comes first; read on search_entry_title_idx, and left out for a word in more than
    COMMON_IN_TITLES titles); with a type chosen, the same of that type too (its page, counts and filters are
    then of those)."""
    ids = _newest(matched, CAP + 1)
    if len(ids) <= CAP:
        return SearchEntry.objects.filter(_IdIn(F("pk"), ids)), False
    # the entries whose title matches, from the titles' own index, unless the word is in so many titles that
    # the newest matches hold plenty of them already
    in_titles = SearchEntry.objects.annotate(title_vector=SearchVector("text_a", config="english"))
    in_titles = _ids(in_titles.filter(title_vector=query).values_list("pk", flat=True)[: COMMON_IN_TITLES + 1])
    titled = matched.filter(_IdIn(F("pk"), in_titles)) if len(in_titles) <= COMMON_IN_TITLES else matched.none()
    ids = ids[:CAP] + _newest(titled, TITLES)
    if kind:
        ids += _newest(matched.filter(type=kind), CAP) + _newest(titled.filter(type=kind), TITLES)
    return SearchEntry.objects.filter(_IdIn(F("pk"), set(ids))), True


def search(request):
    """The context of the search page for request.GET (q, filters, page); None when nothing was asked.

    What was found is kept for the content generation per reader and question (`core.caching.reader_key`: the
    reader, their role and whether their email is confirmed; a change of their cells or of any content is a
    new generation): the same search asked again — a reader coming back to it, a page reloaded — is answered
    without building or running a query. The next page or another filter is a new question."""
    query_text = request.GET.get("q", "").strip()[:MAX_QUERY]
    filters = read_filters(request.GET)
    if not query_text:
        return None
    question = hashlib.sha256(repr((query_text, sorted(filters.items()), request.GET.get("page", ""))).encode())
    found = caching.kept_piece(
        caching.reader_key("search", request.user, question.hexdigest()), lambda: _found(request, query_text, filters)
    )
    page = paginate(request, _Found(found["rows"], found["total"]), PER_PAGE)
    return {
        "query": query_text,
        "filters": filters,
        "count": found["total"],
        "more": found["more"],  # more than CAP matches: the count, the filters and the pages are of the pool (_pool)
        "cap": CAP,
        "page": page,
        "facets": _facet_links(found["facets"], filters, request.GET),
        "active": _active(found["facets"], filters, request.GET),
        "type_links": _type_links(found["types"], filters, request.GET),
        "people": [row for row in page.object_list if row["type"] == Type.PEOPLE],
        "suggestion": found["suggestion"],
        "suggested": found["suggested"],
    }


def _found(request, query_text, filters):
    """What the search finds for the reader: the counts by type and filter, whether the pool was capped, the rows
    of the page asked for (as _result gives them), and "did you mean" when nothing is found."""
    with planned_for_each_question():
        return _found_in_archive(request, query_text, filters)


def _found_in_archive(request, query_text, filters):
    user = request.user
    kind = filters.get("type")
    if uses_vectors():
        query, parsed = ReadersQuery(query_text), None
        asked = Q(vector=ReadersQuery(query_text, matching=True)) if query.wanted.strip() else None
    else:
        query, parsed = None, parse(query_text)
        asked = _text_match(parsed) if parsed.clauses else None
    matched = visible_entries(user, matching=asked).filter(asked) if asked else SearchEntry.objects.none()
    narrowed, more = _narrowed(matched, filters), False
    if query is not None and query.wanted.strip():
        narrowed, more = _pool(narrowed, ReadersQuery(query_text, matching=True), kind)
    types, facets = _facet_counts(narrowed, kind)
    total = types[kind] if kind else sum(types.values())
    rows = narrowed.filter(type=kind) if kind else narrowed
    page = paginate(request, _Found(_page_rows(rows, query, parsed), total), PER_PAGE)
    suggestion, suggested = None, []
    if total == 0 and query is not None and not filters:
        suggestion, suggested = _did_you_mean(query_text, visible_entries(user))
    return {
        "total": total,
        "more": more,
        "types": types,
        "facets": facets,
        "rows": [_result(entry, parsed) for entry in page.object_list],
        "suggestion": suggestion,
        "suggested": suggested,
    }


def _address(params, **changes):
    """The search's address with `changes` (a value of None takes a parameter off), back at its first page."""
    query = params.copy()
    query.pop("page", None)
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    return f"?{query.urlencode()}"


def _type_links(types, filters, params):
    """All, then each type found, with its count (the type filter is the one whose counts show every type)."""
    if not any(types.values()):
        return []
    links = [
        {
            "label": "All",
            "count": sum(types.values()),
            "url": _address(params, type=None),
            "current": "type" not in filters,
        }
    ]
    for kind in TYPE_ORDER:
        if types[kind]:
            links.append(
                {
                    "label": Type(kind).label,
                    "count": types[kind],
                    "url": _address(params, type=kind),
                    "current": filters.get("type") == kind,
                }
            )
    return links


def _facet_links(facets, filters, params):
    """The facets to offer: each not in use that has a value to choose, its values with their counts."""
    shown = []
    for name, label in FACET_NAMES.items():
        if name in filters or not facets[name]:
            continue
        rows = [dict(row, url=_address(params, **{name: row["value"]})) for row in facets[name]]
        shown.append({"name": name, "label": label, "rows": rows})
    return shown


def _active(facets, filters, params):
    """The filters in use, named, each with the address that takes it off."""
    active = []
    for name in FILTERS:
        if name not in filters:
            continue
        if name == "type":
            label = Type(filters[name]).label
        else:
            found = [row["label"] for row in facets.get(name, []) if row["value"] == filters[name]]
            label = found[0] if found else (str(filters[name]) if name == "year" else "the one chosen")
        title = "Type" if name == "type" else FACET_NAMES[name]
        active.append({"title": title, "label": label, "url": _address(params, **{name: None})})
    return active


# --- what a result shows ------------------------------------------------------------------------------------


def _marked(text):
    """Text with MARKS around the words found, as safe HTML: escaped, then the marks made <mark>."""
    return mark_safe(escape(text).replace(MARKS[0], "<mark>").replace(MARKS[1], "</mark>"))


def _result(entry, parsed):
    if parsed is None:
        snippet = _headline(entry.headline, entry.opening)
    else:
        snippet = _snippet("\n".join(part for part in (entry.text_b, entry.text_c) if part), parsed)
    return {
        "type": entry.type,
        "kicker": entry.kicker,
        "title": entry.title,
        "url": entry.url,
        "byline": entry.byline,
        "badge": entry.badge,
        "date": entry.date,
        "date_precision": entry.date_precision or "day",
        "snippet": snippet,
    }


def _headline(headline, opening):
    text = " ".join((headline or "").split())
    if not text:
        return ""
    plain = text.replace(MARKS[0], "").replace(MARKS[1], "")
    if not " ".join((opening or "").split()).startswith(plain[:20]):
        text = "… " + text
    if not text.endswith((".", "?", "!", "…")):
        text += " …"
    return _marked(text)


def _pattern(terms):
    parts = []
    for term in sorted(terms, key=lambda t: -len(t.text)):
        words = [re.escape(word) for word in term.text.split()]
        parts.append(r"\b" + r"[\W_]+".join(words) + r"\w*")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def _snippet(text, parsed):
    """About SNIPPET_LENGTH characters of `text` around the first term found, cut at word boundaries, the
    terms marked (SQLite; PostgreSQL's ts_headline does the same there)."""
    text = " ".join(text.split())
    if not text:
        return ""
    pattern = _pattern(parsed.terms)
    found = pattern.search(text) if pattern else None
    start = 0
    if found and found.start() > SNIPPET_LENGTH // 3:
        start = text.rfind(" ", 0, found.start() - SNIPPET_LENGTH // 3) + 1
    end = len(text)
    if end - start > SNIPPET_LENGTH:
        end = text.rfind(" ", start, start + SNIPPET_LENGTH)
        end = end if end > start else start + SNIPPET_LENGTH
    piece = text[start:end]
    if pattern:
        piece = pattern.sub(lambda m: MARKS[0] + m.group(0) + MARKS[1], piece)
    return _marked(("… " if start else "") + piece + (" …" if end < len(text) else ""))


# --- when nothing is found ----------------------------------------------------------------------------------

# For each word of a search that found nothing, the closest words of the vocabulary to try, at least this close
# (pg_trgm's similarity: "leadreship" is 0.47 from "leadership", "hosting" 0.33 from "housing")
CLOSE_WORDS = 4
CLOSE = 0.4
HOLDERS = 200  # of the entries that hold a close word, how many are asked whether the reader may find them (_held)


def _did_you_mean(query_text, visible):
    """(a corrected query, up to three things the reader may see whose titles come close) when nothing is found.

    The words close to the search's (trigram similarity) come from the vocabulary of titles, names and topics
    (SearchWord), which says nothing of who may see them: a close word is offered only where an entry the reader
    may find holds it in its titles, names or topics (`_held`), and that entry is a suggestion. Three queries,
    each bounded whatever the archive's size (asking the reader's entries for close titles directly read every
    entry they may see: 0.4 to 2 s at 100,000 meetings)."""
    words = [word for word in map(str.lower, WORDS.findall(query_text)) if word != "or" and len(word) > 3][:5]
    if not words:
        return None, []
    similarity = [TrigramSimilarity("word", word) for word in words]
    close = list(
        SearchWord.objects.filter(reduce(or_, (Q(word__trigram_similar=word) for word in words)))
        .annotate(similarity=Greatest(*similarity) if len(similarity) > 1 else similarity[0])
        .filter(similarity__gte=CLOSE)
        .order_by("-similarity", "word")
        .values_list("word", flat=True)[: CLOSE_WORDS * len(words)]
    )
    held = _held(close, visible)
    if not held:
        return None, []
    corrected, changed = [], False
    for word in WORDS.findall(query_text):
        best = max(held, key=lambda known: (similar(word.lower(), known), known))
        if best != word.lower() and word.lower() != "or" and similar(word.lower(), best) >= CLOSE:
            corrected.append(best)
            changed = True
        else:
            corrected.append(word)
    entries = [pk for word in close if word in held for pk in held[word]]  # the closest words' first
    found = {row["pk"]: row for row in SearchEntry.objects.filter(pk__in=entries).values("pk", "title", "url")}
    suggested = {}
    for pk in entries:
        suggested.setdefault(found[pk]["url"], found[pk]["title"])
    shown = [{"title": title, "url": url} for url, title in suggested.items()][:3]
    return (" ".join(corrected) if changed else None), shown


def _held(words, visible):
    """{word: up to three entries the reader may find that hold it} for these words of the vocabulary, in one
    query: for each word, the first HOLDERS entries whose titles, names or topics hold it (read on
    search_entry_terms_words_idx), and of those the first three the reader may find. (Asked of the reader's
    entries directly, PostgreSQL walked them in another index's order: 60 ms a common word at 100,000 meetings.)"""

    def holding(word):
        holders = (
            SearchEntry.objects.annotate(words=SearchVector("terms", config="simple"))
            .filter(words=SearchQuery(word, config="simple", search_type="plain"))
            .values("pk")[:HOLDERS]
        )
        return (
            SearchWord.objects.filter(word=word)
            .annotate(entries=ArraySubquery(visible.filter(pk__in=holders).values("pk")[:3]))
            .values_list("word", "entries")
        )

    if not words:
        return {}
    rows = reduce(lambda first, more: first.union(more, all=True), map(holding, words))
    return {word: entries for word, entries in rows if entries}


def _trigrams(word):
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similar(a, b):
    """pg_trgm's similarity of two words: shared trigrams over all trigrams."""
    ta, tb = _trigrams(a), _trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0
