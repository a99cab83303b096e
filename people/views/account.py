"""A member's own profile: the Person the site shows for them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from ..forms import ProfileForm
from ..profiles import person_of, save_profile


@login_required
def profile(request):
    person = person_of(request.user)
    form = ProfileForm(
        request.POST if request.method == "POST" else None, initial=ProfileForm.initial_for(person), user=request.user
    )
    if request.method == "POST" and form.is_valid():
        save_profile(request.user, form.cleaned_data)
        messages.success(request, "Your profile is saved.")
        return redirect("people:profile")
    memberships = person.memberships.select_related("cell") if person else []
    return render(request, "people/profile.html", {"form": form, "person": person, "memberships": memberships})
