"""Development tools, not shipped with the app: the benchmark (``bench``), its data
(``bench_data``) and the fixture generator (``build_fixture``).

Installed when ``DEV_TOOLS`` is on (by default while ``DEBUG`` is): a production
server (``DEBUG=0``) has none of these commands.
"""
