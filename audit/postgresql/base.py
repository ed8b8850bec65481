"""Django's PostgreSQL backend, with one change: a prepared query's EXECUTE (audit/prepared.py)
is recorded as the SQL it runs, with its values, wherever Django records what ran (the
`connection.queries` of DEBUG, the test suite's captured queries, the `django.db.backends`
debug log). "EXECUTE prepared_7(ARRAY[12, 14])" says nothing to a person reading a log, and a
test that looks for the tables a page reads would not find them in it."""

from django.db.backends.postgresql import base, operations

from audit.prepared import statement_sql


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        statement = statement_sql(sql)
        if statement is None:
            return super().last_executed_query(cursor, sql, params)
        return self.compose_sql(statement, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
