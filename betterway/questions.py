"""The network's questions: those its meetings carried forward for later meetings, at /questions/.

Open: raised at a meeting and not yet taken up by a later meeting the reader may see. Taken up: each with the
meetings (that the reader may see) that took it up. A question is read by those who may read the detailed
notes of the meeting that raised it (Question.objects.visible_to, core/visibility.py). Newest first, by the
meeting that raised them; each list a page at a time (?open=2, ?answered=2), so the queries do not grow with
the archive: for each list its count and its page, and the meetings that took up the answered ones.
"""

from django.db.models import F, Prefetch
from django.shortcuts import render

from cells.models import Meeting, Question
from core.pagination import paginate


def question_list(request):
    visible = Meeting.objects.visible_to(request.user)
    questions = Question.objects.visible_to(request.user)
    taken_up = Question.taken_up_in.through.objects.filter(meeting__in=visible).values("question_id")
    open_questions = questions.exclude(pk__in=taken_up).newest_first()
    answered = (
        questions.filter(pk__in=taken_up)
        .newest_first()
        .prefetch_related(
            Prefetch(
                "taken_up_in",
                queryset=visible.select_related("cell").order_by(F("date").asc(nulls_last=True), "number", "pk"),
                to_attr="visible_taken_up_in",
            )
        )
    )
    context = {
        "open": paginate(request, open_questions, name="open", keep_count=True),
        "answered": paginate(request, answered, name="answered", keep_count=True),
    }
    return render(request, "questions/question_list.html", context)
