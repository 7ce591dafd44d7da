"""Suite-wide test settings.

Hypothesis profiles (the property tests of tests/*/test_*_properties.py and others):

- ``dev`` (the default, a run on a developer's machine): random examples, so that each run
  explores new inputs; a failure is saved in the local ``.hypothesis`` database and replayed
  first next time. When one is found, pin it in the test with ``@example`` and fix the
  code or the test.
- ``ci`` (loaded when the environment has ``CI=true``, as ``.ci/run`` sets it):
  ``derandomize=True``, so the examples are a function of the test alone. A CI run is then
  reproducible: it turns red only when the code or the test changed, never because a
  random seed happened on an old bug, and the same commit gives the same verdict on a
  re-run. No example database (a fresh clone has none, and derandomized runs need none);
  ``print_blob`` so a failure prints the ``@reproduce_failure`` line to paste.

The explicit ``@settings(...)`` of each test (max_examples, deadline) are applied on top of
the loaded profile, so both profiles run the same number of examples.

A profile can be forced with ``HYPOTHESIS_PROFILE=ci`` (or ``dev``).
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("dev", print_blob=True)
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)

_profile = os.environ.get("HYPOTHESIS_PROFILE") or (
    "ci" if os.environ.get("CI", "").lower() == "true" else "dev"
)
settings.load_profile(_profile)
