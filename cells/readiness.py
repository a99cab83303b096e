"""Before publishing: what is missing or doubtful in a meeting note. Advice, never a block."""

from .models import Meeting, SpeakerReview


def readiness(meeting):
    """A list of plain sentences, empty when nothing looks amiss."""
    advice = []
    if not meeting.summary.strip():
        advice.append("There is no summary of key points.")
    if not meeting.notes.strip():
        advice.append("There are no detailed notes.")
    if meeting.date is None:
        advice.append("The meeting has no date (give at least the year).")
    if not meeting.principles.exists() and not meeting.tags.exists():
        advice.append("No principle or topic is chosen, so readers browsing by theme will not find it.")
    if meeting.speaker_roles.filter(role="").exists():
        advice.append("A speaker has no role at this meeting.")
    previous = _previous(meeting)
    if previous is not None:
        raised = previous.questions.count()
        taken = previous.questions.filter(taken_up_in=meeting).count()
        if raised and not taken:
            advice.append(
                f"The previous meeting ({previous.title}) raised {raised} question"
                f"{'s' if raised != 1 else ''} for later; this note takes none of them up."
            )
    waiting = meeting.reviews.exclude(status=SpeakerReview.Status.CONFIRMED).count()
    if waiting:
        advice.append(f"{waiting} named speaker{'s have' if waiting != 1 else ' has'} not confirmed the draft.")
    return advice


def _previous(meeting):
    if not meeting.cell_id or meeting.number is None:
        return None
    return Meeting.objects.live().filter(cell_id=meeting.cell_id, number__lt=meeting.number).order_by("-number").first()
