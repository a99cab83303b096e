"""{% join_panel cell %}: the cell page's box about joining it, for whoever is looking."""

from django import template

from ..joining import JoinRequestForm, pending_requests, standing
from ..permissions import can_ask_to_join, can_manage_members

register = template.Library()


@register.inclusion_tag("cells/join_panel.html", takes_context=True)
def join_panel(context, cell):
    user = context["request"].user
    manages = can_manage_members(user, cell)
    where = standing(user, cell)
    return {
        "cell": cell,
        "user": user,
        "standing": where,
        "may_ask": where.may_ask and can_ask_to_join(user) and not manages,  # staff add themselves in the admin
        "form": JoinRequestForm(),
        "manages": manages,
        "waiting": pending_requests(cell).count() if manages else 0,
        "csrf_token": context.get("csrf_token"),
    }
