"""What the resilience tests did, summed for the end of the session: faults injected, requests fuzzed.

Its own module, imported under one name by conftest.py and the tests alike.
"""

from __future__ import annotations

from collections import Counter

TOTALS: Counter[str] = Counter()
