"""Queries over the graph: lineage (where does this data go, on what basis, to which countries, under which
safeguard; where does it come from), and the analyst questions the notebooks ask. Pure functions
`f(G, ...)` returning plain data.
"""
