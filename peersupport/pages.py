"""The one-form page, and the rule that a page showing a form's errors answers 400.

Any app's view returns `TemplateResponse(request, "form_page.html", {"form": ..., "title": ...,
"cancel_url": ...})` (optional: "submit", the button's label, default Save; "multipart";
"intro"). Nothing here is imported by the apps: the template is the project's, and the status
is set by `FormErrorsAre400Middleware`, so the rule is written once.
"""

from django.forms import BaseForm

FORM_PAGE = "form_page.html"


class FormErrorsAre400Middleware:
    """A one-form page (form_page.html) showing a bound form with errors answers 400 Bad
    Request, not 200: the browser, the tests and any monitoring then see that nothing was
    saved. Views that choose their own status (409, say) keep it, and other templates
    (allauth's sign-in pages among them) are left as they are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_template_response(self, request, response):
        if response.template_name != FORM_PAGE or response.status_code != 200:
            return response
        forms = [v for v in (response.context_data or {}).values() if isinstance(v, BaseForm)]
        if any(form.is_bound and form.errors for form in forms):
            response.status_code = 400
        return response
