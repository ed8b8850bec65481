from django.urls import path

from . import note_views, views

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
    path("participants/<int:pk>/plan/", views.plan_edit, name="plan_edit"),
    path("participants/<int:pk>/plan/goals/new/", views.goal_create, name="goal_create"),
    path("participants/<int:pk>/plan/goals/<int:goal_pk>/status/", views.goal_status, name="goal_status"),
    path("participants/<int:pk>/plan/sign/<str:signer>/", views.plan_sign, name="plan_sign"),
    path("participants/<int:pk>/plan/review/", views.plan_review, name="plan_review"),
    path("caseload/", views.my_caseload, name="my_caseload"),
    path("caseloads/team/", views.team_caseloads, name="team"),
    path("caseloads/<int:specialist_pk>/", views.specialist_caseload, name="specialist_caseload"),
    path("caseloads/<int:specialist_pk>/transfer/", views.caseload_transfer, name="transfer"),
]

urlpatterns += [
    path("participants/<int:pk>/notes/new/", note_views.note_new, name="note_new"),
    path("participants/<int:pk>/notes/autosave/", note_views.note_autosave, name="note_autosave"),
    path("notes/", note_views.my_notes, name="my_notes"),
    path("notes/queue/", note_views.note_queue, name="note_queue"),
    path("notes/group/new/", note_views.group_new, name="group_new"),
    path("notes/<int:note_pk>/", note_views.note_detail, name="note_detail"),
    path("notes/<int:note_pk>/edit/", note_views.note_edit, name="note_edit"),
    path("notes/<int:note_pk>/review/", note_views.note_review, name="note_review"),
    path("notes/<int:note_pk>/addendum/", note_views.note_addendum, name="note_addendum"),
]
