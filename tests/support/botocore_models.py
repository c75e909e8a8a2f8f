"""One botocore data loader for every botocore session in the test process.

A Lambda container builds its clients once; the tests build them again for every test (each test
sets the functions' environment and forgets event_core's clients, see `clear_caches`). Every
fresh botocore Session made its own loader, which read and parsed botocore's JSON models again:
about 40 ms per client, in thousands of tests. The loader only reads botocore's packaged data
files, so one is enough for the whole process.
"""

from __future__ import annotations

from functools import cache

import botocore.session


def share_one_loader() -> None:
    """From now on, every new botocore Session in this process uses the same data loader."""
    if not hasattr(botocore.session.create_loader, "cache_info"):
        botocore.session.create_loader = cache(botocore.session.create_loader)
