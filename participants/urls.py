from django.urls import path

from . import plan_views, views

app_name = "participants"

urlpatterns = [
    path("participants/", views.participant_search, name="search"),
    path("participants/new/", views.participant_intake, name="intake"),
    path("participants/<int:pk>/", views.participant_detail, name="detail"),
    path("participants/<int:pk>/edit/", views.participant_edit, name="edit"),
    path("participants/<int:pk>/enrollments/new/", views.enrollment_create, name="enrollment_create"),
    path(
        "participants/<int:pk>/enrollments/<int:enrollment_pk>/discharge/",
        views.enrollment_discharge,
        name="enrollment_discharge",
    ),
    path("participants/<int:pk>/coverage/new/", views.coverage_edit, name="coverage_create"),
    path("participants/<int:pk>/coverage/<int:coverage_pk>/edit/", views.coverage_edit, name="coverage_edit"),
    path("participants/<int:pk>/consents/new/", views.consent_create, name="consent_create"),
    path("participants/<int:pk>/consents/<int:consent_pk>/revoke/", views.consent_revoke, name="consent_revoke"),
    path("participants/<int:pk>/assign/", views.assignment_change, name="assign"),
    path("participants/<int:pk>/plan/", plan_views.plan_edit, name="plan_edit"),
    path("participants/<int:pk>/plan/goals/new/", plan_views.goal_create, name="goal_create"),
    path("participants/<int:pk>/plan/goals/<int:goal_pk>/status/", plan_views.goal_status, name="goal_status"),
    path("participants/<int:pk>/plan/sign/<str:signer>/", plan_views.plan_sign, name="plan_sign"),
    path("participants/<int:pk>/plan/review/", plan_views.plan_review, name="plan_review"),
    path("caseloads/<int:specialist_pk>/transfer/", views.caseload_transfer, name="transfer"),
]
