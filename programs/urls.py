from django.urls import path

from . import views

app_name = "programs"

urlpatterns = [
    path("programs/", views.program_list, name="program_list"),
    path("programs/new/", views.program_edit, name="program_create"),
    path("programs/<int:pk>/edit/", views.program_edit, name="program_edit"),
    path("programs/<int:pk>/active/", views.program_set_active, name="program_set_active"),
    path("staff/me/", views.my_profile, name="my_profile"),
    path("staff/invite/", views.staff_invite, name="staff_invite"),
    path("staff/profiles/new/", views.profile_edit, name="profile_create"),
    path("staff/profiles/<int:pk>/", views.profile_detail, name="profile_detail"),
    path("staff/profiles/<int:pk>/edit/", views.profile_edit, name="profile_edit"),
    path("staff/profiles/<int:pk>/active/", views.profile_set_active, name="profile_set_active"),
    path("staff/profiles/<int:pk>/two-factor/reset/", views.profile_two_factor_reset, name="profile_two_factor_reset"),
    path("staff/profiles/<int:profile_pk>/certifications/new/", views.certification_edit, name="certification_create"),
    path("staff/certifications/<int:pk>/edit/", views.certification_edit, name="certification_edit"),
    path("staff/certifications/<int:pk>/upload/", views.certification_upload, name="certification_upload"),
    path("staff/certifications/<int:pk>/scan/", views.certification_scan, name="certification_scan"),
    path("staff/profiles/<int:profile_pk>/training/new/", views.training_create, name="training_create"),
    path("staff/profiles/<int:profile_pk>/supervision/new/", views.supervision_create, name="supervision_create"),
]
