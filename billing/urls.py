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
    path("billing/claims/<int:pk>/correct/", views.claim_correct, name="claim_correct"),
    path("billing/notes/<int:pk>/duplicate/", views.duplicate_decide, name="duplicate_decide"),
]
