from django.urls import path

from .views import acknowledgments, batches, claims, coordination, denials, eligibility, receivables, remittances

app_name = "billing"

urlpatterns = [
    path("billing/", batches.work, name="work"),
    path("billing/batches/", batches.batch_list, name="batch_list"),
    path("billing/batches/new/", batches.batch_create, name="batch_create"),
    path("billing/batches/<int:pk>/", batches.batch_detail, name="batch_detail"),
    path("billing/batches/<int:pk>/export/", batches.batch_export, name="batch_export"),
    path("billing/batches/<int:pk>/download/<str:fmt>/", batches.batch_download, name="batch_download"),
    path("billing/batches/<int:pk>/discard/", batches.batch_discard, name="batch_discard"),
    path("billing/batches/<int:pk>/withdraw/", batches.batch_withdraw, name="batch_withdraw"),
    path("billing/lines/<int:pk>/remove/", batches.line_remove, name="line_remove"),
    path("billing/claims/<int:pk>/", claims.claim_detail, name="claim_detail"),
    path("billing/claims/<int:pk>/correct/", batches.claim_correct, name="claim_correct"),
    path("billing/authorizations/", batches.authorization_list, name="authorization_list"),
    path("billing/authorizations/new/", batches.authorization_edit, name="authorization_create"),
    path("billing/authorizations/<int:pk>/edit/", batches.authorization_edit, name="authorization_edit"),
    path("billing/claims/<int:pk>/payer-number/", batches.claim_payer_number, name="claim_payer_number"),
    path("billing/notes/<int:pk>/duplicate/", batches.duplicate_decide, name="duplicate_decide"),
    # The denial work queue and its actions on a line.
    path("billing/denials/", denials.denial_list, name="denial_list"),
    path("billing/denials/lines/<int:pk>/correct/", denials.denial_correct, name="denial_correct"),
    path("billing/denials/lines/<int:pk>/appeal/", denials.denial_appeal, name="denial_appeal"),
    path("billing/denials/lines/<int:pk>/write-off/", denials.denial_write_off, name="denial_write_off"),
    # Accounts receivable and its downloads.
    path("billing/receivables/", receivables.receivable_list, name="receivable_list"),
    path("billing/receivables/download/<str:fmt>/", receivables.receivable_download, name="receivable_download"),
    # Remittances (835)
    path("billing/remittances/", remittances.remittance_list, name="remittance_list"),
    path("billing/remittances/import/", remittances.remittance_import, name="remittance_import"),
    path("billing/remittances/<int:pk>/", remittances.remittance_detail, name="remittance_detail"),
    path("billing/remittances/<int:pk>/post/", remittances.remittance_post, name="remittance_post"),
    path("billing/remittances/<int:pk>/dismiss/", remittances.remittance_dismiss, name="remittance_dismiss"),
    path("billing/remittances/unmatched/", remittances.unmatched_list, name="unmatched_list"),
    path("billing/remittances/lines/<int:pk>/resolve/", remittances.unmatched_resolve, name="unmatched_resolve"),
    path("billing/remittances/lines/<int:pk>/dismiss/", remittances.unmatched_dismiss, name="unmatched_dismiss"),
    path("billing/eligibility/", eligibility.eligibility, name="eligibility"),
    path("billing/eligibility/inquiries/new/", eligibility.inquiry_new, name="eligibility_inquiry_new"),
    path("billing/eligibility/inquiries/create/", eligibility.inquiry_create, name="eligibility_inquiry_create"),
    path("billing/eligibility/inquiries/<int:pk>/", eligibility.inquiry_detail, name="eligibility_inquiry_detail"),
    path(
        "billing/eligibility/inquiries/<int:pk>/download/",
        eligibility.inquiry_download,
        name="eligibility_inquiry_download",
    ),
    path("billing/eligibility/responses/import/", eligibility.response_import, name="eligibility_response_import"),
    path("billing/eligibility/responses/<int:pk>/", eligibility.response_detail, name="eligibility_response_detail"),
    path("billing/eligibility/inactive/", eligibility.inactive_list, name="eligibility_inactive"),
    # Acknowledgments (999, 277CA), and sending a rejected claim again.
    path("billing/acknowledgments/", acknowledgments.acknowledgment_list, name="acknowledgment_list"),
    path("billing/acknowledgments/import/", acknowledgments.acknowledgment_import, name="acknowledgment_import"),
    path("billing/claims/<int:pk>/resend/", acknowledgments.claim_resend, name="claim_resend"),
    # Secondary claims: another payer's adjudication first.
    path("billing/primary/", coordination.primary_list, name="primary_list"),
    path("billing/notes/<int:pk>/primary/", coordination.primary_record, name="primary_record"),
    path("billing/notes/<int:pk>/primary/835/", coordination.primary_from_835, name="primary_from_835"),
]
