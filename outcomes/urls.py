from django.urls import path

from .views import dashboard, records, settings

app_name = "outcomes"

urlpatterns = [
    # records: assessments, check-ins, amendments, safety flags
    # dashboard: the program outcome dashboard and its downloads
    # settings: timepoint windows and unit costs
    path("outcomes/programs/<int:pk>/settings/", settings.program_settings, name="program_settings"),
]
