from django.shortcuts import get_object_or_404, render

from betterway.pagination import paginate
from cells.models import Meeting, Membership, Speaker
from insights.models import Insight

from ..models import Organisation, Person


def person_list(request):
    people = Person.objects.select_related("organisation")
    return render(request, "people/person_list.html", {"page": paginate(request, people, per_page=100)})


def person_detail(request, slug):
    person = get_object_or_404(Person.objects.select_related("organisation"), slug=slug)
    visible_meetings = Meeting.objects.visible_to(request.user)
    context = {
        "person": person,
        "roles": Speaker.objects.filter(person=person, meeting__in=visible_meetings)
        .select_related("meeting__cell")
        .order_by("meeting__date", "meeting__number"),
        "memberships": person.memberships.exclude(role=Membership.Role.MEMBER).select_related("cell"),
        "insights": Insight.objects.visible_to(request.user).filter(authors=person).for_listing().newest_first(),
    }
    return render(request, "people/person_detail.html", context)


def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    return render(
        request,
        "people/organisation_detail.html",
        {"organisation": organisation, "people": organisation.people.all()},
    )
