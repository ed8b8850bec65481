from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("billing/", views.work, name="work"),
    path("billing/batches/", views.batch_list, name="batch_list"),
    path("billing/batches/new/", views.batch_create, name="batch_create"),
    path("billing/batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("billing/batches/<int:pk>/export/", views.batch_export, name="batch_export"),
    path("billing/batches/<int:pk>/download/<str:fmt>/", views.batch_download, name="batch_download"),
    path("billing/batches/<int:pk>/discard/", views.batch_discard, name="batch_discard"),
    path("billing/lines/<int:pk>/remove/", views.line_remove, name="line_remove"),
    path("billing/claims/<int:pk>/correct/", views.claim_correct, name="claim_correct"),
    path("billing/authorizations/", views.authorization_list, name="authorization_list"),
    path("billing/authorizations/new/", views.authorization_edit, name="authorization_create"),
    path("billing/authorizations/<int:pk>/edit/", views.authorization_edit, name="authorization_edit"),
    path("billing/claims/<int:pk>/payer-number/", views.claim_payer_number, name="claim_payer_number"),
    path("billing/notes/<int:pk>/duplicate/", views.duplicate_decide, name="duplicate_decide"),
]
