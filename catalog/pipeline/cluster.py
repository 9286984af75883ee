"""A dask.distributed client for a batch build: on an existing scheduler, or on a new local cluster of
worker processes (loopback only, no work stealing), whose shutdown is silent once the work is done.

The cluster is an optional extra (`pip install 'ropa-catalog[scale]'`): Dask is imported only here,
and only when a batch runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress


@contextmanager
def cluster_client(workers: int = 2, scheduler: str | None = None) -> Iterator:
    """A dask.distributed Client: on `scheduler`, or on a new local cluster of `workers` processes (loopback)."""
    from dask.distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler, set_as_default=False) as client:
            yield client
        return
    import dask

    # dashboard_address=None does not turn the scheduler's HTTP server off (dask/distributed#8136): it
    # takes port 8787 or warns that another cluster has it; ":0" takes a free port, silently.
    # No work stealing: a chunk's store must run where its extractions are, not copy them to an idle worker.
    with dask.config.set({"distributed.scheduler.work-stealing": False}), \
            LocalCluster(n_workers=workers, processes=True, threads_per_worker=1, host="127.0.0.1",
                         dashboard_address=":0") as cluster, Client(cluster, set_as_default=False) as client:
        try:
            yield client
        finally:
            with suppress(Exception):  # a worker already gone has nothing left to say
                client.run(quiet_shutdown)
                client.run(quiet_shutdown, nanny=True)


#: Loggers that report the cluster's own shutdown races (a heartbeat in flight while the connections
#: close: "CommClosedError ... Stream is closed"), which are noise once the work is done.
SHUTDOWN_LOGGERS = ("distributed.worker", "distributed.nanny", "distributed.core", "distributed.comm",
                    "distributed.batched", "distributed.utils_comm")


def quiet_shutdown() -> None:
    """Runs in each worker (and nanny) of a local cluster we are about to close: its shutdown is silent."""
    import logging

    for name in SHUTDOWN_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
