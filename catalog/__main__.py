"""python -m catalog: the `ropa` command line."""

from catalog.cli import main

main()
