from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("staff/invitations/", views.invitation_list, name="invitation_list"),
    path("staff/invitations/<int:pk>/resend/", views.invitation_resend_view, name="invitation_resend"),
    path("staff/invitations/<int:pk>/revoke/", views.invitation_revoke_view, name="invitation_revoke"),
    path("invitations/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
]
