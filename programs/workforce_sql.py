"""The workforce page's figures per profile, written as SQL (issue 16).

Built as ORM subqueries (`Subquery`, `Exists`, `Case`), the page's queryset took most of its
Python time to build and compile, twice a view (the count and the page): some 550 expressions
resolved a request. These are the same subqueries written once as SQL, in which the ORM puts
only the profile's and its user's columns (`{pk}`, `{email}`...: `Columns`, so the aliases are
the query's own, whatever its joins). Plain SQL that PostgreSQL and SQLite (`make run`) both
read, its values given as parameters."""

import datetime

from django.db import connection
from django.db.models import DateField, DecimalField, F, Field, Func, IntegerField, TextField

from accounts.roles import HOME_PRIORITY

LATEST_EXPIRY = """(SELECT c.expires_on FROM programs_certification c
  WHERE c.profile_id = {pk} AND c.issued_on <= %s ORDER BY c.expires_on DESC LIMIT 1)"""

# The profile's state (programs.selectors.StaffState) from its own flag and its user's
# invitations, matched by email (an invitation names its user only once accepted); one
# waiting since before the parameter has expired.
STAFF_STATE = """CASE WHEN {is_active} THEN 'active'
  WHEN EXISTS(SELECT 1 FROM accounts_invitation i WHERE i.email = {email} AND i.accepted_at IS NOT NULL)
    THEN 'deactivated'
  WHEN EXISTS(SELECT 1 FROM accounts_invitation i WHERE i.email = {email}
      AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.sent_at > %s)
    THEN 'invited'
  WHEN EXISTS(SELECT 1 FROM accounts_invitation i WHERE i.email = {email}
      AND i.accepted_at IS NULL AND i.revoked_at IS NULL)
    THEN 'invitation expired'
  WHEN {last_login} IS NULL AND EXISTS(SELECT 1 FROM accounts_invitation i WHERE i.email = {email})
    THEN 'invitation withdrawn'
  ELSE 'deactivated' END"""

LATEST_INVITATION = """(SELECT i.id FROM accounts_invitation i WHERE i.email = {email}
  ORDER BY i.created_at DESC LIMIT 1)"""

# The user's role, the one their home page follows when they hold several (HOME_PRIORITY,
# given twice: the roles, then their order).
HOME_ROLE = """(SELECT g.name FROM auth_group g JOIN accounts_user_groups ug ON g.id = ug.group_id
  WHERE ug.user_id = {user_id} AND g.name IN (%s, %s, %s, %s)
  ORDER BY CASE g.name WHEN %s THEN 0 WHEN %s THEN 1 WHEN %s THEN 2 WHEN %s THEN 3 END LIMIT 1)"""

PROGRAM_COUNT = "(SELECT COUNT(*) FROM programs_staffprofile_programs sp WHERE sp.staffprofile_id = {pk})"

TRAINING_HOURS = """COALESCE((SELECT SUM(t.hours) FROM programs_trainingrecord t
  WHERE t.profile_id = {pk} AND t.completed_on >= %s AND t.completed_on <= %s), 0)"""

SUPERVISION_MINUTES = """COALESCE((SELECT SUM(s.minutes) FROM programs_supervisionsession s
  WHERE s.supervisee_id = {pk} AND s.date >= %s AND s.date <= %s), 0)"""

# The placeholders' columns, as StaffProfile lookups.
COLUMNS = {"pk": "pk", "user_id": "user_id", "is_active": "is_active", "email": "user__email"}
COLUMNS["last_login"] = "user__last_login"


class Columns(Func):
    """`sql` with the named columns compiled into its placeholders ({pk}, {email}...) and
    `params` for its %s: RawSQL that can name the columns of the query's own joins."""

    def __init__(self, sql: str, params: tuple, output_field: Field):
        self.names = [name for name in COLUMNS if "{" + name + "}" in sql]
        super().__init__(*(F(COLUMNS[name]) for name in self.names), output_field=output_field)
        self.sql, self.params = sql, tuple(params)

    def as_sql(self, compiler, connection, **extra_context):
        columns = {}
        for name, expression in zip(self.names, self.get_source_expressions(), strict=True):
            column, column_params = compiler.compile(expression)
            assert not column_params, "a column, not an expression"  # noqa: S101
            columns[name] = column
        return self.sql.format(**columns), self.params


def _date(value: datetime.date):
    return connection.ops.adapt_datefield_value(value)


def _moment(value: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def latest_expiry(today: datetime.date) -> Columns:
    """The latest expiry of the certifications issued by today."""
    return Columns(LATEST_EXPIRY, (_date(today),), DateField())


def staff_state(expired_before: datetime.datetime) -> Columns:
    return Columns(STAFF_STATE, (_moment(expired_before),), TextField())


def state_rank(expired_before: datetime.datetime, states: list[str]) -> Columns:
    """The state's place in `states` (any other after them), for the status sort."""
    ranks = " ".join(f"WHEN %s THEN {i}" for i in range(len(states)))
    sql = f"CASE ({STAFF_STATE}) {ranks} ELSE {len(states)} END"  # noqa: S608 (constant SQL)
    return Columns(sql, (_moment(expired_before), *states), IntegerField())


def latest_invitation_id() -> Columns:
    return Columns(LATEST_INVITATION, (), IntegerField())


def home_role() -> Columns:
    assert len(HOME_PRIORITY) == 4, "HOME_ROLE names four roles"  # noqa: S101 (a change of roles must change it)
    return Columns(HOME_ROLE, (*HOME_PRIORITY, *HOME_PRIORITY), TextField())


def program_count() -> Columns:
    return Columns(PROGRAM_COUNT, (), IntegerField())


def training_hours(start: datetime.date, end: datetime.date) -> Columns:
    """Hours of training completed from `start` to `end`, both included (0 for none)."""
    return Columns(TRAINING_HOURS, (_date(start), _date(end)), DecimalField(max_digits=7, decimal_places=2))


def supervision_minutes(start: datetime.date, end: datetime.date) -> Columns:
    """Minutes of supervision received from `start` to `end`, both included (0 for none)."""
    return Columns(SUPERVISION_MINUTES, (_date(start), _date(end)), IntegerField())
