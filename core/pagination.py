"""The one way lists are cut into pages: `paginate(request, rows)` and templates/includes/pagination.html.

Out of range, a page number answers as Django's Paginator.get_page does: not a number is the first page,
past the end is the last one. A page that shows several lists names each list's own parameter (a principle's
?insights=, ?notes=, ?questions=) and gives its section that id, so each list pages on its own and a link
to its next page comes back to it; the other parameters of the address are kept.

The long lists of content (`keep_count=True`: a principle's, a cell's and a person's lists, the questions)
keep their length (how many pages; the count a heading shows) for the content generation (core.caching.kept_answer,
under the SQL of the count itself, where visitors' pages are kept): the same question asked again before
anything changes (the next page, the same reader coming back) is not counted again, and a count is never
given to a reader whose visibility rule differs. At 100,000 meetings counting a principle's open questions takes
a third of a second; the page of them, a few ms.

A long list counts only as far as it needs (`COUNT_MOST`, or as deep as the page asked for): a list longer than
that says "more than 1,000" and "Page 1 of 51 or more", and every later page is still reached by Next, each
counting a page further (a principle's 70,000 open questions at 100,000 meetings: 436 ms to count them all, 20 ms
to know there are more than 1,000). A page that reaches the end shows the exact count again.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from . import caching

COUNT_MOST = 1000  # rows a long list counts before it says "more than"


class KeptCountPaginator(Paginator):
    """Counts at most `reach` rows (and one more, to know whether there are more: `more`), kept (see above)."""

    def __init__(self, object_list, per_page, *, reach, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.reach = reach
        self.more = False

    @cached_property
    def count(self):
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return super().count
        counted = caching.kept_answer(rows.order_by()[: self.reach + 1], QuerySet.count)
        self.more = counted > self.reach
        return counted


def paginate(request, queryset, per_page=None, name="page", *, keep_count=False, count=None):
    """The page of `queryset` that ?`name`= asks for, with the addresses of the pages before and after it;
    `keep_count`: its length, counted as far as needed and kept for the content generation (see above); `count`:
    its length, where the view knows it already (the sum of the counts by kind a list shows above it), so that
    nobody counts it again."""
    per_page = per_page or settings.PAGE_SIZE
    asked = request.GET.get(name)
    if keep_count and count is None:
        deepest = int(asked) if asked and asked.isascii() and asked.isdigit() and len(asked) <= 6 else 1
        paginator = KeptCountPaginator(queryset, per_page, reach=max(COUNT_MOST, deepest * per_page))
    else:
        paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count
    page = paginator.get_page(asked)
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
