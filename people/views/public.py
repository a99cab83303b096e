"""People and organisations, as readers may see them (people/models.py says who is visible).

What a person said and wrote comes from apps above this one, through the relations they
declare onto Person (speaker_roles, insights, memberships), each through its visible_to."""

from django.shortcuts import get_object_or_404, render

from core.pagination import paginate

from ..models import Organisation, Person


def person_list(request):
    people = Person.objects.visible_to(request.user).select_related("organisation")
    return render(request, "people/person_list.html", {"page": paginate(request, people, per_page=100)})


def person_detail(request, slug):
    person = get_object_or_404(Person.objects.visible_to(request.user).select_related("organisation"), slug=slug)
    context = {
        "person": person,
        "roles": person.speaker_roles.visible_to(request.user)
        .select_related("meeting__cell")
        .order_by("meeting__date", "meeting__number"),
        "memberships": person.memberships.leading().select_related("cell"),
        "insights": person.insights.visible_to(request.user).for_listing().newest_first(),
    }
    return render(request, "people/person_detail.html", context)


def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), slug=slug)
    people = organisation.people.visible_to(request.user)
    return render(request, "people/organisation_detail.html", {"organisation": organisation, "people": people})
