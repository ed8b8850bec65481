from django.urls import path

from .views import dashboard, records, settings

app_name = "outcomes"

urlpatterns = [
    # records: assessments, check-ins, amendments, safety flags
    path("participants/<int:pk>/assessments/new/", records.assessment_new, name="assessment_new"),
    path("assessments/<int:pk>/", records.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/amend/", records.assessment_amend, name="assessment_amend"),
    path("participants/<int:pk>/check-ins/new/", records.check_in_new, name="check_in_new"),
    path("check-ins/<int:pk>/", records.check_in_detail, name="check_in_detail"),
    path("check-ins/<int:pk>/amend/", records.check_in_amend, name="check_in_amend"),
    path("safety-flags/<int:pk>/follow-up/", records.flag_follow_up, name="flag_follow_up"),
    # dashboard: the program outcome dashboard and its downloads
    path("outcomes/", dashboard.dashboard, name="dashboard"),
    path("outcomes/refresh/", dashboard.dashboard_refresh, name="dashboard_refresh"),
    path("outcomes/download.csv", dashboard.dashboard_csv, name="dashboard_csv"),
    path("outcomes/download.xlsx", dashboard.dashboard_xlsx, name="dashboard_xlsx"),
    # settings: timepoint windows and unit costs
    path("outcomes/programs/<int:pk>/settings/", settings.program_settings, name="program_settings"),
]
