"""The `ropa` command line: `launch` answers `--help` and `ropa policies` before importing Typer; `app`
is the Typer application with build, policies, show and export json; `commands/` holds the others
(lineage, ropa export, risks, review, diff, changes, dashboard).
"""
