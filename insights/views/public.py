from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render

from cells.models import Meeting, Question
from core.pagination import paginate
from core.permissions import readable_or_invite

from ..models import Insight, Principle
from ..permissions import can_author_insights


def _count(queryset):
    """A subquery: how many rows of `queryset` serve the principle; 0 for none."""
    rows = queryset.filter(principles=OuterRef("pk")).order_by().values("principles")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), Value(0))


def principle_list(request):
    principles = Principle.objects.annotate(
        insight_count=_count(Insight.objects.visible_to(request.user)),
        note_count=_count(Meeting.objects.visible_to(request.user)),
    )
    return render(request, "insights/principle_list.html", {"principles": principles})


def body_after_statement(principle):
    """The body without the statement it often opens with: the page shows the statement once, above it."""
    body, statement = principle.body.strip(), principle.statement.strip()
    return body[len(statement) :].strip() if statement and body.startswith(statement) else body


def principle_detail(request, slug):
    """A principle with everything the reader may see that serves it: its insights, the notes of the meetings
    linked to it (Principle.meetings), and the questions those meetings raised that no meeting has taken up,
    each list a page at a time (?insights=, ?notes=, ?questions=)."""
    principle = get_object_or_404(Principle, slug=slug)
    meetings = Meeting.objects.visible_to(request.user)
    insights = Insight.objects.visible_to(request.user).filter(principles=principle).for_listing().newest_first()
    open_questions = (
        Question.objects.visible_to(request.user)
        .filter(raised_at__principles=principle)
        .exclude(taken_up_in__in=meetings)
        .newest_first()
    )
    context = {
        "principle": principle,
        "body": body_after_statement(principle),
        "insights": paginate(request, insights, name="insights", keep_count=True),
        "meetings": paginate(
            request, meetings.filter(principles=principle).for_listing().newest_first(), name="notes", keep_count=True
        ),
        "open_questions": paginate(request, open_questions, name="questions", keep_count=True),
        "other_principles": Principle.objects.exclude(pk=principle.pk),
    }
    return render(request, "insights/principle_detail.html", context)


def insight_list(request):
    insights = Insight.objects.visible_to(request.user).for_listing().newest_first()
    kind = request.GET.get("kind")
    if kind in Insight.Kind.values:
        insights = insights.filter(kind=kind)
    context = {"page": paginate(request, insights, keep_count=True), "kinds": Insight.Kind.choices, "kind": kind}
    return render(request, "insights/insight_list.html", context)


def insight_detail(request, slug):
    insight = readable_or_invite(request, Insight.objects.select_related("cell"), slug=slug)
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
    }
    return render(request, "insights/insight_detail.html", context)
