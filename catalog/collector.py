"""The cyclic garbage collector paused around work that makes millions of short-lived, acyclic objects.

Extraction, reading or writing a large catalog and a lineage query over it allocate rows, dicts,
mentions and hops by the million; each burst of allocations sets off a full collection that scans
every live object for cycles these never form (a tenth of an extraction's time, a third of a read's,
p95 169 ms against 44 ms for a lineage query). Reference counting frees them all the same.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside the block; restored on the way out only if it was on (another
    thread, or an outer block, may have turned it off)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
