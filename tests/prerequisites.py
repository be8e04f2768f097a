"""What the suite needs from outside the repository: the real-sample corpus, PostgreSQL, Chromium.

On a developer's clone a missing prerequisite skips the tests that need it, with one line saying what is missing
and how to provide it. In CI (`CI=true`) or with `RACETRACE_REQUIRE_ALL=1` it fails them instead: CI must run every
test.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def required_everywhere() -> bool:
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("RACETRACE_REQUIRE_ALL") == "1"


def missing(message: str) -> NoReturn:
    """Skip (or, in CI, fail) the current test because `message` names a prerequisite that is not there."""
    if required_everywhere():
        pytest.fail(message)
    pytest.skip(message)
