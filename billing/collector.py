"""Python's cyclic garbage collector, paused for work that builds many objects and frees none
until it ends (assessing notes, building and exporting a batch).

Every 700 new container objects (tuples, lists, dicts, model instances) the collector runs,
and now and then one of its runs walks every object the process holds. Assessing 15,000 notes,
then grouping, inserting and writing them as an 837P, creates hundreds of thousands of objects
that all live until the work ends: the collector's passes found nothing to free and took a
quarter of the CPU time of a payer-month's build and export (issue 16). Objects are still
freed by their reference counts as usual; cycles made meanwhile are collected once it resumes."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Pause the collector for the block (nested blocks are fine: only the outermost resumes it)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
