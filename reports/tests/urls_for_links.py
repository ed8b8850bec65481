"""The report page's name, for testing links before (and apart from) the pages' own urls."""

from django.http import HttpResponse
from django.urls import include, path

report_patterns = ([path("reports/<int:pk>/", lambda request, pk: HttpResponse(), name="report_detail")], "reports")
urlpatterns = [path("", include(report_patterns))]
