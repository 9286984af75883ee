"""The DPO dashboard (Streamlit): `streamlit run dashboard.py`, or `make run`.

The database comes from the sidebar setting, else $ROPA_DB, else $DATABASE_URL, else catalog.db
(an empty or missing catalog.db is built from data/policies first). The pages live in the package,
catalog/dashboard/, and only call the catalog library.
"""

from catalog.dashboard.app import run

run()
