"""The navigation bar. It names every app's pages, so it lives here, at the right end of the
layers, where knowing every app is allowed."""

from accounts.roles import Role

from .urls_once import reverse_once

# (role, label, url name): the navigation shows a link only to users holding its role.
_NAVIGATION = [
    (Role.PEER_SPECIALIST, "My work", "home_peer"),
    (Role.PEER_SPECIALIST, "My caseload", "my_caseload"),
    (Role.PEER_SPECIALIST, "My notes", "notes:my_notes"),
    (Role.SUPERVISOR, "Notes to co-sign", "notes:note_queue"),
    (Role.SUPERVISOR, "Team caseloads", "team_caseloads"),
    (Role.SUPERVISOR, "Supervision", "home_supervisor"),
    (Role.BILLING, "Billing", "home_billing"),
    (Role.BILLING, "Billing work", "billing:work"),
    (Role.BILLING, "Batches", "billing:batch_list"),
    (Role.BILLING, "Authorizations", "billing:authorization_list"),
    # After export, the daily two; the rest of the revenue cycle is one row of links on each of
    # its pages (billing/_revenue_nav.html) and on billing's home page.
    (Role.BILLING, "Remittances", "billing:remittance_list"),
    (Role.BILLING, "Denials", "billing:denial_list"),
    (Role.PROGRAM_ADMIN, "Administration", "home_admin"),
    (Role.PROGRAM_ADMIN, "Programs", "programs:program_list"),
    (Role.PROGRAM_ADMIN, "Billing work", "billing:work"),
    (Role.PROGRAM_ADMIN, "Receivables", "billing:receivable_list"),
    (Role.PROGRAM_ADMIN, "Workforce", "workforce"),
    (Role.PROGRAM_ADMIN, "Outcomes", "outcomes:dashboard"),
    (Role.SUPERVISOR, "Outcomes", "outcomes:dashboard"),
    (Role.PROGRAM_ADMIN, "Reports", "reports:report_list"),
    (Role.SUPERVISOR, "Reports", "reports:report_list"),
    (Role.SUPERVISOR, "Workforce", "workforce"),
    (Role.PROGRAM_ADMIN, "Staff", "accounts:invitation_list"),
    (Role.PEER_SPECIALIST, "My profile", "programs:my_profile"),
    (Role.PEER_SPECIALIST, "Participants", "participants:search"),
    (Role.SUPERVISOR, "Participants", "participants:search"),
    (Role.BILLING, "Participants", "participants:search"),
    (Role.PROGRAM_ADMIN, "Participants", "participants:search"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    links = []
    for role, label, url_name in _NAVIGATION:
        if user.has_role(role) and not any(link["label"] == label for link in links):
            links.append({"label": label, "url": reverse_once(url_name), "active": False})
    # The page's own link is the longest one its address starts with (/billing/denials/ is
    # Denials, not Billing work at /billing/).
    matching = [link for link in links if request.path.startswith(link["url"])]
    current = max(matching, key=lambda link: len(link["url"]), default=None)
    if current:
        current["active"] = True
    return {"nav_links": links}
