"""Lineage queries over the processing graph: where data goes, what reaches a recipient, what a subject is told.

Pure functions of the graph. A traversal carries the set of policy versions a path holds in, so a
hop stated only by the 2018 version never continues a path stated only by the 2019 one. The
controller's transfers belong to every data category (the policy states them generally); a named
recipient's own transfers belong to that recipient; retention facts scoped to "all personal data"
belong to every category.

- terms: a user's term ("payment card") to the nodes it names, best first, or close matches to offer;
- walk: the traversal, `downstream` and `upstream`, answering a `Lineage` (hops with their versions);
- index: what the walk and the terms need from one graph, computed once per graph object;
- rows: a lineage as flat paths, category -> purpose -> legal basis -> recipient -> country (`to_rows`);
- subject: everything the policy says about one kind of data subject (`subject_view`).
"""
