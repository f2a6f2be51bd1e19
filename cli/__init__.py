"""The ``rsc`` command line (typer): one module per command group."""
