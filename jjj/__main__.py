"""`python -m jjj`: the `jjj` command (the hub worker starts its outbox relay this way)."""

from jjj.cli import main

main()
