"""Waiting on a condition, never for a fixed time. In audit, the leftmost app, so every app's
tests may use it."""

import time


def wait_until(condition, *, timeout: float = 10, what: str = "the condition") -> None:
    """Return as soon as `condition()` is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Gave up after {timeout} s waiting for {what}.")
        time.sleep(0.02)  # a poll interval, not a wait: the loop ends on the condition
