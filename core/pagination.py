from django.conf import settings
from django.core.paginator import Paginator


def paginate(request, queryset, per_page=None):
    """The page of `queryset` that ?page= asks for (the last one if it is past the end)."""
    paginator = Paginator(queryset, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))
