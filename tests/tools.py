"""The outside tools some tests need (Chromium, Java, Node, npm, libical, w3m, make, Redis, the
frab readers' environment, Python packages of the dev extra), and what a test does without one.

On a developer's machine a missing tool skips the test, saying what to install. In CI
(CI=true) .ci/run installs every one of them, so a missing tool there is a broken CI script: the
test fails instead, and the run with it. Every such check goes through this module."""

import importlib
import os
import shutil

import pytest

IN_CI = os.environ.get("CI") == "true"


def missing(reason):
    """Skip the current test (or module) for want of a tool, or, in CI, fail it."""
    if IN_CI:
        pytest.fail(f"{reason} (CI installs it: see .ci/run)", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def require(available, reason):
    """Go on only if `available`."""
    if not available:
        missing(reason)


def which(command, reason):
    """The path of a command on PATH."""
    path = shutil.which(command)
    require(path is not None, reason)
    return path


def load(module, reason):
    """An importable module (at a test module's top, like pytest.importorskip)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        missing(reason)
