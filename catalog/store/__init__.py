"""Store: `Extraction` records in, rows of a SQLAlchemy database out (SQLite file by default, any URL),
and the same records read back. The schema is SQLModel tables migrated by Alembic.

- tables: the table classes; database: URLs and the default file; migrate (+ migrations/): the schema;
- engine: the engine, its schema at head; write: writing and deleting extractions; read: reading them back;
- rows and packing (pure): extractions as rows, evidence packed into its fact's or link's row and back;
- review: the human review decisions, which survive every rebuild;
- listing and quickread: what `ropa policies` prints, and its stdlib-sqlite3 fast path.
"""
