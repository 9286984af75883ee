"""python -m catalog: the `ropa` command line."""

from catalog.launch import main

main()
