"""Alembic migrations of the catalog schema, shipped inside the package (see catalog/migrate.py)."""
