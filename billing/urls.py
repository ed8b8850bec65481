from django.urls import path

from .views import batches, coordination

app_name = "billing"

urlpatterns = [
    path("billing/", batches.work, name="work"),
    path("billing/batches/", batches.batch_list, name="batch_list"),
    path("billing/batches/new/", batches.batch_create, name="batch_create"),
    path("billing/batches/<int:pk>/", batches.batch_detail, name="batch_detail"),
    path("billing/batches/<int:pk>/export/", batches.batch_export, name="batch_export"),
    path("billing/batches/<int:pk>/download/<str:fmt>/", batches.batch_download, name="batch_download"),
    path("billing/batches/<int:pk>/discard/", batches.batch_discard, name="batch_discard"),
    path("billing/lines/<int:pk>/remove/", batches.line_remove, name="line_remove"),
    path("billing/claims/<int:pk>/correct/", batches.claim_correct, name="claim_correct"),
    path("billing/authorizations/", batches.authorization_list, name="authorization_list"),
    path("billing/authorizations/new/", batches.authorization_edit, name="authorization_create"),
    path("billing/authorizations/<int:pk>/edit/", batches.authorization_edit, name="authorization_edit"),
    path("billing/claims/<int:pk>/payer-number/", batches.claim_payer_number, name="claim_payer_number"),
    path("billing/notes/<int:pk>/duplicate/", batches.duplicate_decide, name="duplicate_decide"),
    path("billing/primary/", coordination.primary_list, name="primary_list"),
    path("billing/notes/<int:pk>/primary/", coordination.primary_record, name="primary_record"),
]
