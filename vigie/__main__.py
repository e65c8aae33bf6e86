"""`python -m vigie` is the `vigie` command."""
from vigie.cli import main

main()
