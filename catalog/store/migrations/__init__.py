"""Alembic migrations of the catalog schema, shipped inside the package (see catalog/store/migrate.py)."""
