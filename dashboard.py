"""The DPO dashboard (Streamlit): `streamlit run dashboard.py`, or `make run`.

Placeholder until the dashboard issue: lists the policy versions in the catalog.
"""

import os

import streamlit as st

from catalog.store import make_engine, read_counts, read_policies

st.set_page_config(page_title="ROPA catalog", layout="wide")


@st.cache_resource
def engine(url: str):
    return make_engine(url)


db = os.environ.get("ROPA_DB") or os.environ.get("DATABASE_URL") or "catalog.db"
eng = engine(db)
st.title("Record of processing activities")
counts = read_counts(eng)
st.dataframe([{"id": p.id, "title": p.title, "effective": str(p.effective_date), **counts.get(p.id, {})}
              for p in read_policies(eng)])
