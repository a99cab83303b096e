"""Whole pages for visitors, from the cache (core.middleware.PageCacheMiddleware), and when they go stale.

A visitor's page (not logged in: no session cookie, no message waiting) is the same for every visitor, so
the first visitor's answer is kept in Django's cache and given to the next ones without running the view.
Every kept page holds the site's *content generation* it was made in: a number kept in the cache that goes
up whenever anything a page can show changes (`content_changed`: the receivers betterway/apps.py connects to
every save, delete and many-to-many change of the content apps, so publishing, editing, comments, topics, the
bin, people, principles and cells all count). A page of an earlier generation is never given (it is made
again): nothing has to know which pages showed what. The number goes up when the change is made and again
when its transaction commits, so a page built from the uncommitted state in between is never served. A visit
reads the generation and the page in one round trip to the cache. Old pages expire by themselves
(PAGE_CACHE_SECONDS).

Only a page that is the same for everyone is kept: answered 200 to a GET, setting no cookie (so no session
and no CSRF token, which sets its cookie whenever a page uses one), adding no message, varying on nothing
but the cookie. Each kept page carries an ETag (a hash of its bytes): a browser that sends it back in
If-None-Match gets 304 (django.middleware.http.ConditionalGetMiddleware answers it).

Pieces of members' pages are kept the same way, for the generation they were made in (`kept_pieces`): answers
to costly questions about content (a long list's length, a topic's counts by kind, whether a topic is public:
`kept_answer(queryset, answer)`, under the query's own SQL, so that each reader's visibility rule has its own),
the cards of a list (made from their rows alone: core/templatetags/cards.py), and what is made for one reader
(`reader_key`: "More like this", the topics a member may add).

The cache is local memory in development and Redis when REDIS_URL is set (settings.CACHES): several app
servers then share the pages and the generation, and each process keeps its own copies of the pages it gives,
told of every new generation by Redis pub/sub (core/copies.py: `bump` announces it). Local memory is per
process, so without Redis the page cache is on only under DEBUG (one `runserver` process) unless PAGE_CACHE says
otherwise (settings.py).
"""

import hashlib
import time

from django.apps import apps
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.http import HttpResponse
from django.utils import timezone

from . import copies
from .roles import is_member, is_staff

GENERATION_KEY = "content-generation"
KEEP_HEADERS_VARYING_ON = {"cookie"}


def generation():
    """The site's content generation. A missing one (a new or flushed cache) starts from the clock, never
    from a number an earlier generation may have used, so that no earlier page comes back; it is announced, so
    that every process's copies (core/copies.py) move on to it too."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY, time.time_ns())
        copies.announce(value)
    return value


def bump():
    """A new generation: every page kept so far is stale. Announced to every process (core/copies.py)."""
    try:
        value = cache.incr(GENERATION_KEY)
    except ValueError:  # not in the cache
        value = time.time_ns()
        cache.set(GENERATION_KEY, value, timeout=None)
    copies.announce(value)


def content_changed(**kwargs):
    """Receiver of the content apps' model signals (betterway/apps.py): a new generation now, and another
    when the transaction commits (that one once per transaction, however many rows it writes)."""
    bump()
    connection = transaction.get_connection()
    if connection.in_atomic_block and not any(func is bump for _sids, func, _robust in connection.run_on_commit):
        transaction.on_commit(bump)


def watch(*app_labels):
    """A new generation on every save, delete and many-to-many change of a model of these apps (taggit's too:
    topics added and removed). Connected once, by the app on top (betterway/apps.py), which knows the apps."""

    def changed(sender, **kwargs):
        content_changed()

    # Connected to each model of these apps (their many-to-many tables too: m2m_changed's sender), not to every
    # model: a model with a delete receiver is deleted a row at a time, each read first (Django's Collector), and
    # the search index deletes its own rows in batches on every save (betterway/search_index.py).
    for label in app_labels:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            for signal in (post_save, post_delete, m2m_changed):
                signal.connect(changed, sender=model, weak=False, dispatch_uid="core.caching.watch")
    # migrate and flush (a database rebuilt, e.g. a benchmark's archive) make every kept page stale too
    post_migrate.connect(lambda **kwargs: bump(), weak=False, dispatch_uid="core.caching.watch")


def enabled():
    return settings.PAGE_CACHE


def may_serve(request):
    """A request a kept page may answer: a GET or HEAD from someone with no session and no message waiting (and
    not for a static file, which whitenoise serves from memory: no round trip to the cache for it)."""
    return (
        request.method in ("GET", "HEAD")
        and not request.path.startswith(settings.STATIC_URL)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES  # a message waiting to be shown
    )


def key(request):
    """The page's key: today's date (pages show upcoming dates from today) and the address. The generation it
    was made in is kept with it (`keep`), so that a visit costs one round trip to the cache (`kept`)."""
    address = request.build_absolute_uri()
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"page:{timezone.localdate():%Y%m%d}:{digest}"


def may_keep(request, response):
    """A response that any other visitor may be given as it is."""
    vary = {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}
    cache_control = response.get("Cache-Control", "").lower()
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies  # a session, a CSRF token, messages: this visitor's own
        and not getattr(getattr(request, "user", None), "is_authenticated", False)
        and not getattr(getattr(request, "_messages", None), "added_new", False)
        and vary <= KEEP_HEADERS_VARYING_ON
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


def keep(page_key, made_in, response):
    """Keep the response under `page_key` as made in generation `made_in` (read before the view ran, so that a
    change made while it ran leaves it behind), with its ETag and a Cache-Control that has browsers ask again."""
    response["ETag"] = f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'
    if "Cache-Control" not in response:
        response["Cache-Control"] = "no-cache"  # keep it, but ask (If-None-Match) before using it again
    value = (made_in, response.content, list(response.items()))
    cache.set(page_key, value, settings.PAGE_CACHE_SECONDS)
    copies.keep(page_key, made_in, value)


def kept(page_key):
    """(the response kept under `page_key` if it is of the current generation, else None; the current
    generation): from this process's own copy when it has heard the generation (core/copies.py), else in one
    round trip to the cache."""
    heard = copies.current()
    if heard is not None and (value := copies.page(page_key, heard)) is not None:
        return _response(value), heard
    found = cache.get_many([GENERATION_KEY, page_key])
    current = found.get(GENERATION_KEY)
    if current is None:
        return None, generation()
    value = found.get(page_key)
    if value is None or value[0] != current:
        return None, current
    copies.keep(page_key, current, value)
    return _response(value), current


def _response(value):
    _made_in, content, headers = value
    response = HttpResponse(content)
    for name, header in headers:
        response[name] = header
    return response


KEPT_SECONDS = 600


def kept_pieces(pieces, prepare=None):
    """For each (key, make) of `pieces`, `make()` — a piece of a page (a card in a list: core/templatetags/cards.py),
    an answer (`kept_answer`), something made for one reader (`reader_key`) — kept under its key for the content
    generation. One round trip to the cache reads the generation and every piece (as `kept` does for a page),
    one more keeps those made. Where pages are not kept (`enabled`), always made. `prepare(keys)`, when given,
    is called once with the set of keys about to be made, before any is (to read what they need in one go)."""
    if not enabled():
        if prepare:
            prepare({key for key, _make in pieces})
        return [make() for _key, make in pieces]
    found = cache.get_many([GENERATION_KEY, *(key for key, _make in pieces)])
    current = found.get(GENERATION_KEY)
    if current is None:
        current = generation()
    missing = {key for key, _make in pieces if found.get(key) is None or found[key][0] != current}
    if prepare and missing:
        prepare(missing)
    made, new = [], {}
    for key, make in pieces:
        value = found.get(key) if key not in missing else None
        if value is None:
            value = new[key] = (current, make())
        made.append(value[1])
    if new:
        cache.set_many(new, KEPT_SECONDS)
    return made


def kept_piece(key, make):
    """`make()` kept under `key` for the content generation (`kept_pieces`, for one piece)."""
    return kept_pieces([(key, make)])[0]


def kept_answer(queryset, answer):
    """`answer(queryset)` (a count, a list of rows, whether any exist) kept in the cache for the content
    generation, under the query's own SQL: the same question asked again before anything changes is not put
    to the database again. The SQL holds the reader's part of the visibility rule, so an answer is never given
    to a reader whose rule differs. Where pages are not kept (`enabled`), always asked."""
    if not enabled():
        return answer(queryset)
    try:
        sql = str(queryset.query)
    except EmptyResultSet:
        return answer(queryset)
    question = f"{queryset.db}:{answer.__module__}.{answer.__qualname__}:{sql}"
    return kept_piece("kept:" + hashlib.sha256(question.encode()).hexdigest(), lambda: answer(queryset))


def kept_rows(sql, params):
    """The rows of a statement written in SQL (search's counts by filter), kept as `kept_answer` keeps a queryset's
    answer: under the statement and its parameters, which hold the reader's part of the visibility rule."""

    def rows():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    if not enabled():
        return rows()
    question = f"{connection.alias}:rows:{sql}:{params!r}"
    return kept_piece("kept:" + hashlib.sha256(question.encode()).hexdigest(), rows)


def reader_key(name, user, *parts):
    """A key (for `kept_piece`) for something made for one reader: who they are counts too (a change of role or a
    confirmed email changes what they may see, and is no change of content)."""
    return ":".join(map(str, (name, user.pk, is_staff(user), is_member(user), *parts)))
