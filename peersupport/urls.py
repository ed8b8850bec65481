from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from accounts.roles import Role
from accounts.views import SignOutView

from .views import audit, caseloads, groups, home, offline, workforce

# The Django admin signs in through allauth too, so rate limits and MFA apply there.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Peer Support administration"
# Program admins keep reference data (payers, service codes, rates, authorizations) here
# with the model permissions their group holds; they need no separate is_staff flag.
admin.site.has_permission = lambda request: (
    request.user.is_active and (request.user.is_staff or request.user.has_role(Role.PROGRAM_ADMIN))
)

# The database gone mid-request answers 503 (peersupport/errors.py); other errors 500.
handler500 = "peersupport.errors.server_error"

urlpatterns = [
    path("", home.home, name="home"),
    path("home/peer/", home.home_peer, name="home_peer"),
    path("home/supervisor/", home.home_supervisor, name="home_supervisor"),
    path("home/billing/", home.home_billing, name="home_billing"),
    path("home/admin/", home.home_admin, name="home_admin"),
    path("home/admin/failed-sign-ins/", home.failed_sign_ins, name="failed_sign_ins"),
    path("health/", home.health, name="health"),
    path("audit/", audit.audit_log_page, name="audit_log"),
    path("audit/log.csv", audit.audit_log_csv, name="audit_log_csv"),
    path("participants/<int:pk>/disclosures/", audit.participant_disclosures, name="participant_disclosures"),
    path("caseload/", caseloads.my_caseload, name="my_caseload"),
    path("caseloads/team/", caseloads.team_caseloads, name="team_caseloads"),
    path("caseloads/team/participants/", caseloads.team_participants, name="team_participants"),
    path("caseloads/<int:specialist_pk>/", caseloads.specialist_caseload, name="specialist_caseload"),
    path("workforce/", workforce.workforce_page, name="workforce"),
    path("notes/group/new/", groups.group_new, name="group_new"),
    path("notes/group/attendees/", groups.attendee_search, name="group_attendee_search"),
    path("notes/group/attendees/rows/", groups.attendee_rows, name="group_attendee_rows"),
    # Pages without our <link rel="icon"> (the Django admin) make browsers ask for this.
    # Lazy: the manifest storage only knows the hashed name after collectstatic, and every
    # management command imports this module, so resolving it here broke them all before then.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"), permanent=True)),
    # The installable app (peersupport/offline.py): the worker must be served from the root.
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("offline/", offline.offline_page, name="offline_page"),
    path("on-this-phone/", offline.outbox, name="offline_outbox"),
    path("offline/whoami/", offline.whoami, name="offline_whoami"),
    # Before allauth's own: sign-out also clears what the browser kept (Clear-Site-Data).
    path("accounts/logout/", SignOutView.as_view(), name="account_logout"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("programs.urls")),
    path("", include("participants.urls")),
    path("", include("notes.urls")),
    path("", include("billing.urls")),
    path("", include("outcomes.urls")),
    path("", include("reports.urls")),
    path("django-admin/", admin.site.urls),
]
