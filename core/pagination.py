"""The one way lists are cut into pages: `paginate(request, rows)` and templates/includes/pagination.html.

Out of range, a page number answers as Django's Paginator.get_page does: not a number is the first page,
past the end is the last one. A page that shows several lists names each list's own parameter (a principle's
?insights=, ?notes=, ?questions=) and gives its section that id, so each list pages on its own and a link
to its next page comes back to it; the other parameters of the address are kept.

The long lists of content (`keep_count=True`: a principle's, a cell's and a person's lists, the questions)
keep their length (how many pages; the count a heading shows) in the cache for the content generation
(core/caching.py), under the SQL of the count itself, where visitors' pages are kept (caching.enabled): the
same question asked again before anything changes (the next page, the same reader coming back) is not
counted again. The key is the query, which holds the reader's part of the visibility rule, so a count is
never given to a reader whose rule differs. At 100,000 meetings counting a principle's open questions takes
a third of a second; the page of them, a few ms.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from . import caching

COUNT_SECONDS = 600


class KeptCountPaginator(Paginator):
    @cached_property
    def count(self):
        rows = self.object_list
        if not (isinstance(rows, QuerySet) and caching.enabled()):
            return super().count
        try:
            sql = str(rows.order_by().query)
        except EmptyResultSet:
            return 0
        key = "count:" + hashlib.sha256(f"{caching.generation()}:{rows.db}:{sql}".encode()).hexdigest()
        counted = cache.get(key)
        if counted is None:
            counted = rows.count()
            cache.set(key, counted, COUNT_SECONDS)
        return counted


def paginate(request, queryset, per_page=None, name="page", *, keep_count=False):
    """The page of `queryset` that ?`name`= asks for, with the addresses of the pages before and after it;
    `keep_count`: its length kept for the content generation (see above)."""
    paginator = (KeptCountPaginator if keep_count else Paginator)(queryset, per_page or settings.PAGE_SIZE)
    page = paginator.get_page(request.GET.get(name))
    page.name = name
    if page.has_previous():
        page.previous_url = _address(request, name, page.previous_page_number())
    if page.has_next():
        page.next_url = _address(request, name, page.next_page_number())
    return page


def _address(request, name, number):
    query = request.GET.copy()
    if number == 1:
        query.pop(name, None)  # the first page is the list's own address
    else:
        query[name] = number
    fragment = "" if name == "page" else f"#{name}"
    return f"?{query.urlencode()}{fragment}" if query else f"{request.path}{fragment}"
