"""Checks: a graph in, findings out, each naming the facts behind it with their evidence.

- findings: the finding record and the helpers every check shares;
- transfers: the transfer checks (Chapter V) and the safeguard helpers the outputs share;
- rules: data, legal bases, retention, the controller; risks: runs them all per organisation, and scores
  Art. 30(1) completeness;
- dpia: whether a processing activity shows the indicators of a DPIA (Art. 35, WP248).
"""
