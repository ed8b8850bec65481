"""The Celery application. Its configuration lives in settings (the CELERY_ namespace)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peersupport.settings.local")

app = Celery("peersupport")
app.config_from_object("django.conf:settings", namespace="CELERY")
# With no broker configured tasks run eagerly, but kombu still wants a transport name.
if not app.conf.broker_url:
    app.conf.broker_url = "memory://"
app.autodiscover_tasks()
