"""python -m catalog: the `ropa` command line."""

from catalog.cli.launch import main

main()
