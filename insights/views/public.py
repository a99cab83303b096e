from django.shortcuts import get_object_or_404, render

from cells.models import Meeting
from core.pagination import paginate

from ..models import Insight, Principle
from ..permissions import can_author_insights


def principle_list(request):
    return render(request, "insights/principle_list.html", {"principles": Principle.objects.all()})


def principle_detail(request, slug):
    principle = get_object_or_404(Principle, slug=slug)
    context = {
        "principle": principle,
        "insights": Insight.objects.visible_to(request.user).filter(principles=principle).for_listing().newest_first(),
        "meetings": Meeting.objects.visible_to(request.user)
        .filter(principles=principle)
        .for_listing()
        .newest_first()[:20],
        "other_principles": Principle.objects.exclude(pk=principle.pk),
    }
    return render(request, "insights/principle_detail.html", context)


def insight_list(request):
    insights = Insight.objects.visible_to(request.user).for_listing().newest_first()
    kind = request.GET.get("kind")
    if kind in Insight.Kind.values:
        insights = insights.filter(kind=kind)
    context = {"page": paginate(request, insights), "kinds": Insight.Kind.choices, "kind": kind}
    return render(request, "insights/insight_list.html", context)


def insight_detail(request, slug):
    visible = Insight.objects.visible_to(request.user)
    insight = get_object_or_404(visible.select_related("cell"), slug=slug)
    principles = list(insight.principles.all())
    context = {
        "insight": insight,
        "can_edit": can_author_insights(request.user),
        "authors": insight.authors.select_related("organisation"),
        "principles": principles,
        "tags": insight.tags.all(),
        "source_meetings": Meeting.objects.visible_to(request.user)
        .filter(insights=insight)
        .for_listing()
        .chronological(),
        "more": visible.filter(principles__in=principles)
        .exclude(pk=insight.pk)
        .distinct()
        .for_listing()
        .newest_first()[:5],
    }
    return render(request, "insights/insight_detail.html", context)
