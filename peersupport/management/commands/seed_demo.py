from django.core.management.base import BaseCommand
from django.db import transaction

from billing import demo as billing_demo
from notes import demo as notes_demo
from outcomes import demo as outcomes_demo
from participants import demo as participants_demo
from programs import demo as programs_demo
from reports import demo as reports_demo


class Command(BaseCommand):
    help = "Load the demo agency, programs and sign-ins. Safe to run again: it changes nothing the second time."

    def handle(self, *args, **options):
        with transaction.atomic():
            agency = programs_demo.seed()
            participants_demo.seed(agency)
            notes_demo.seed(agency)
            billing_demo.seed(agency)
            outcomes_demo.seed(agency)
            reports_demo.seed(agency)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready for {agency}."))
        self.stdout.write(f"\nDemo sign-ins (password: {programs_demo.DEMO_PASSWORD}):")
        for email, role in programs_demo.sign_ins():
            self.stdout.write(f"  {email:<26} {role}")
