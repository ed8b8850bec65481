from django.apps import AppConfig


class BillingConfig(AppConfig):
    """Payers, service codes, billability, claims, batches and their export."""

    name = "billing"

    def ready(self):
        from notes import extensions

        from . import selectors

        # The note forms offer a service only where a code bills it, without notes importing
        # billing (the layers contract): notes asks the hooks registered here.
        extensions.add_services_offered(selectors.services_with_codes)
