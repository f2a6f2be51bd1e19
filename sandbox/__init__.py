"""The LinkedIn sandbox: an HTTP server that behaves like LinkedIn's RSC partner API.

Start it with ``rsc sandbox`` or :func:`sandbox.server.serve`; build the ASGI app for tests with
:func:`sandbox.app.create_app`. ``docs/linkedin-sandbox.md`` describes the API it implements, the
choices it makes where LinkedIn's documentation is silent, and its control API under ``/_sandbox/``.
"""
