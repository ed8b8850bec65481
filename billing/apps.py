from django.apps import AppConfig


class BillingConfig(AppConfig):
    """Payers, service codes, billability, claims, batches and their export."""

    name = "billing"
