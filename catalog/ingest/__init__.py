"""Ingest, the first stage: policy files (text, Markdown, HTML, any encoding; a file, a folder, or a
git history of versions) in, `PolicyDocument` records out (catalog.records), one per version, with
its sections and sentences and their offsets.

- decode: bytes to text, the encoding detected (a warning when it is not UTF-8);
- documents: reading paths, HTML and Markdown to blocks, site chrome dropped, dates, publisher and
  version split, ids; `read_policy` and `to_documents` are the entry points;
- segment: sections and sentence units with their offsets;
- ota: versions of one document from a git repository (Open Terms Archive).
"""
