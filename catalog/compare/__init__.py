"""Compare: two versions of a policy in, what changed out.

- diff: facts and links added, removed and changed between two extractions;
- changes: the changes across a vendor's stored history that a DPO must act on, with severity.
"""
