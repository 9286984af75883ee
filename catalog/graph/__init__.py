"""Graph: stored records in, a networkx MultiDiGraph out, derived and never edited by hand.

- build: `to_graph` (namespaced node ids `kind:key`, one edge per link with its evidence), scopes;
- standing: where a transfer to one country stands under GDPR Chapter V (adequacy, safeguards).
"""
