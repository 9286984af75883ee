"""Export: the graph and findings in, files out: JSON (catalog_json), the Article 30 ROPA rows (ropa)
as xlsx/csv (spreadsheet, workbook, cnil's register model), a Fides manifest (fides), DOT (dot), the
diff workbook (diff_workbook). `files` writes every output atomically and never over a file that is
not a previous export; every cell is inert text.
"""
