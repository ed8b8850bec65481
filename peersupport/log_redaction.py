"""Keep record values out of the logs.

PostgreSQL puts the values of the row it refused into its error text: "DETAIL: Failing row
contains (..., Rosa, Quintero, 1980-04-02, ...)", "Key (member_id)=(123456789) already exists",
'invalid input syntax for type date: "..."'. Django logs a 500's traceback and Celery a failed
task's exception, so without this filter a participant's name, date of birth, Medicaid ID or
note text would be written to the log, which is not access-controlled or audited
(45 CFR 164.312(b), 164.502(b) minimum necessary; 42 CFR 2.16 security of Part 2 records).
The filter rewrites the message and the formatted traceback of every record the handler
writes; the error's kind, table and constraint stay, which is what an operator needs.
"""

import logging
import re

REMOVED = "[values removed from the log]"
_PATTERNS = [
    # Up to the end of the line, or of the escaped line in an exception's repr ("\\n").
    re.compile(r"(DETAIL:)(?:(?!\\n)[^\n])*"),
    re.compile(r"(Failing row contains)(?:(?!\\n)[^\n])*"),
    re.compile(r"(Key \()(?:(?!\\n)[^\n])*"),
    re.compile(
        r"((?:invalid input syntax for type [\w ]+|invalid input value for enum [\w.]+"
        r"|date/time field value out of range|value too long for type [\w ()]+)):(?:(?!\\n)[^\n])*"
    ),
]


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(rf"\1 {REMOVED}", text)
    return text


class RedactRecordValues(logging.Filter):
    """Attach to every handler (settings.LOGGING): it changes the record, never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and record.exc_info[1] is not None:
            # The formatter writes exc_text when it is set, instead of formatting exc_info again.
            record.exc_text = redact(record.exc_text or logging.Formatter().formatException(record.exc_info))
        return True
