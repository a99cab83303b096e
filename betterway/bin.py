"""The bin: meetings and insights moved there by convenors or staff, which staff restore."""

from django.http import Http404


def bin_list(request):
    raise Http404("Not built yet")


def restore(request, kind, pk):
    raise Http404("Not built yet")
