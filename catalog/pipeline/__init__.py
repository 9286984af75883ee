"""Pipeline: paths in, a stored catalog out. `build` runs ingest -> extract -> store for a set of files
or a git history; `batch` does it for hundreds of policies in chunks, on worker processes or Dask.
"""
