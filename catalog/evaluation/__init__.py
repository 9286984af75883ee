"""Evaluation, beside the product: the GDPR-transparency dev-set scorer (`make score`). The key-fact
scorer is ../shared/corpus/key-facts/score.py; benchmarks are in bench/.
"""
