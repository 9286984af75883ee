"""Checks: a graph in, findings out, each naming the facts behind it with their evidence.

- findings: the finding record and the helpers every check shares;
- rules: data, legal bases, retention, the controller; risks: runs them with the transfer checks;
- dpia: whether a processing activity shows the indicators of a DPIA (Art. 35, WP248).
"""
