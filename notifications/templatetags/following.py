"""{% follow_button obj %}: follow or stop following a cell, principle, topic or person, near its page heading.

A POST form with one button (no JavaScript); a visitor is offered to log in; an account whose address is not
confirmed yet is offered nothing. One query for a member (whether they follow it), none otherwise."""

from django import template

from .. import following
from ..permissions import may_follow

register = template.Library()


@register.inclusion_tag("notifications/follow_button.html", takes_context=True)
def follow_button(context, obj):
    request = context["request"]
    user = request.user
    target = following.target_of(obj)
    member = may_follow(user)
    return {
        "kind": target.kind,
        "noun": target.noun,
        "slug": obj.slug,
        "visitor": not user.is_authenticated,
        "member": member,
        "follows": member and following.is_following(user, obj),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
