from django.urls import path

from .views import dashboard, records, settings

app_name = "outcomes"

urlpatterns = [
    # records: assessments, check-ins, amendments, safety flags
    # dashboard: the program outcome dashboard and its downloads
    path("outcomes/", dashboard.dashboard, name="dashboard"),
    path("outcomes/download.csv", dashboard.dashboard_csv, name="dashboard_csv"),
    path("outcomes/download.xlsx", dashboard.dashboard_xlsx, name="dashboard_xlsx"),
    # settings: timepoint windows and unit costs
]
