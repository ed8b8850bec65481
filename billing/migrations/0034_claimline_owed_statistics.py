"""Statistics on what a claim line is still owed (models.claims.line_owed), so PostgreSQL
estimates accounts receivable's aging query (receivables.aging: the lines not voided whose owed
amount is not zero) from the data: without them it guessed 174,000 of the large demo's 420,000
lines where 22,000 are owed, and scanned the whole line table instead of the open lines (aging
100 ms -> 38 ms). PostgreSQL only (extended statistics on an expression, PostgreSQL 14+); on
SQLite, make run's database, nothing to do."""

from django.db import migrations

NAME = "claimline_owed_stats"
# The expression as PostgreSQL writes line_owed(): it matches the query's and the index's.
CREATE = (
    f"CREATE STATISTICS IF NOT EXISTS {NAME} ON ((((charge - paid) - adjusted) - written_off)) FROM billing_claimline"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        schema_editor.execute("ANALYZE billing_claimline")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0033_claim_batch_page_index"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
