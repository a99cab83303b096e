"""The one way lists are cut into pages: `paginate(request, rows)` and templates/includes/pagination.html.

Out of range, a page number answers as Django's Paginator.get_page does: not a number is the first page,
past the end is the last one. A page that shows several lists names each list's own parameter (a principle's
?insights=, ?notes=, ?questions=) and gives its section that id, so each list pages on its own and a link
to its next page comes back to it; the other parameters of the address are kept.
"""

from django.conf import settings
from django.core.paginator import Paginator


def paginate(request, queryset, per_page=None, name="page"):
    """The page of `queryset` that ?`name`= asks for, with the addresses of the pages before and after it."""
    paginator = Paginator(queryset, per_page or settings.PAGE_SIZE)
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
