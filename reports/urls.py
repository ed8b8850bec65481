from django.urls import path  # noqa: F401

app_name = "reports"

urlpatterns = [
    # pages: the reports list, a report in the browser, downloads, generate, status polling
]
