"""Validate an 837P with pyx12's Python API (the x12valid command exits 1 even on success)."""

import io

import pyx12.params
import pyx12.x12n_document


def pyx12_errors(text: str) -> list[str]:
    """The errors pyx12 finds, as readable lines; [] when the file is valid."""
    params = pyx12.params.params()
    fd_997 = io.StringIO()
    fd_html = io.StringIO()
    errors = []
    valid = pyx12.x12n_document.x12n_document(params, io.StringIO(text), fd_997, fd_html, None)
    if not valid:
        # The 999 acknowledgement names the failing segments (IK3/IK4).
        errors.append(fd_997.getvalue() or "pyx12 reported the file invalid")
    return errors
