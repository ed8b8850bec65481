import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .middleware import SAVED_AT, SIGNED_IN_AT
from .services import sign_in_session_record


@receiver(user_logged_in, dispatch_uid="accounts_sign_in_session")
def remember_sign_in(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is None:
        return
    # Signing in saves the session, so the once-a-minute refresh starts counting here.
    session[SIGNED_IN_AT] = session[SAVED_AT] = time.time()
    if session.session_key is None:
        session.save()
    sign_in_session_record(user=user, session_key=session.session_key)
