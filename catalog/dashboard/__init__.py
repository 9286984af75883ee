"""The DPO dashboard (Streamlit), shipped with the package.

`app.run()` is the router (the top-level dashboard.py calls it). The page scripts Streamlit runs are
overview.py, data_map.py, lineage.py, activities.py, transfers.py, diff.py, evidence.py and
review.py; they only call the catalog library through the helper modules:

- scope: the sidebar (database, organisation, version), the Context pages read, links between pages;
- data: the engine and the cached loaders, keyed on the catalog stamp;
- labels: display names for kinds, facts, links and review decisions;
- quotes: policy text as escaped HTML with the quotes behind facts marked;
- graph_view: the Data map's filter and legend;
- transfers_view: the rows of the Transfers page.
"""
