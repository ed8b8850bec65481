from django.urls import path, register_converter

from .views import files, pages, requests


class FormatConverter:
    regex = "pdf|xlsx|csv"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "report_format")

app_name = "reports"

urlpatterns = [
    # pages: the reports list, a report in the browser, the status partial the list polls
    path("reports/", pages.report_list, name="report_list"),
    path("reports/<int:pk>/", pages.report_detail, name="report_detail"),
    path("reports/<int:pk>/status/", pages.report_status, name="report_status"),
    # requests (POST): a program-month, any date range, a report again
    path("reports/generate/", requests.report_generate, name="report_generate"),
    path("reports/run/", requests.report_run, name="report_run"),
    path("reports/<int:pk>/regenerate/", requests.report_regenerate, name="report_regenerate"),
    # files: PDF, Excel and CSV, access-checked and audited
    path("reports/<int:pk>/<report_format:fmt>/", files.report_download, name="report_download"),
]
