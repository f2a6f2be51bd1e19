"""The application shell: settings, logging, metrics, crypto helpers and the ``rsc`` command line."""
