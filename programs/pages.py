"""Page helpers shared by every app's views (programs is the leftmost app with pages)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def form_page(
    request: HttpRequest,
    form,
    *,
    title: str,
    cancel_url: str,
    submit: str = "Save",
    multipart: bool = False,
    intro: str = "",
) -> HttpResponse:
    """A one-form page. Answers 400 when the form has errors, so nothing looks saved."""
    context = {
        "form": form,
        "title": title,
        "cancel_url": cancel_url,
        "submit": submit,
        "multipart": multipart,
        "intro": intro,
    }
    return render(request, "form_page.html", context, status=400 if form.errors else 200)
