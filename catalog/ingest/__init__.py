"""Ingest, the first stage: policy files (text, Markdown, HTML, any encoding; a file, a folder, or a
git history of versions) in, `PolicyDocument` records out (catalog.records), one per version, with
its sections and sentences and their offsets.

- files: which policy files a path names, reading one as text; `InputError` refuses bad input;
- decode: bytes to text, the encoding detected (a warning when it is not UTF-8);
- markup: HTML and Markdown to blocks (headings, items, paragraphs), blocks to the canonical text;
  inline: inline markup out of a line; tables: Markdown tables to rows;
- chrome: navigation, footers and scraped repeats dropped;
- dates: effective / last-updated dates and version markers; publisher: the organisation and title;
- documents: versions split, each to a `PolicyDocument`, and their ids; `read_policy` and
  `to_documents` are the entry points;
- segment: sections and sentence units with their offsets;
- ota: versions of one document from a git repository (Open Terms Archive).
"""
