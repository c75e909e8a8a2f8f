"""`make bench`: cold starts, warm latency, DynamoDB round trips, scale and bursts, side by side.

The benchmark imports the layer (event_core) and tools/ (local_api) the way `make` and pytest
put them on the path, so importing this package adds both to `sys.path`.
"""

from bench.paths import add_import_paths

add_import_paths()
