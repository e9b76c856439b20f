"""Optional dependencies: a missing extra is one clear error naming what to install."""

from __future__ import annotations

import pytest

from nlptransfer._util.extras import require
from nlptransfer.errors import MissingExtraError, NLPTransferError


def test_require_returns_the_module_when_installed():
    assert require("json", extra="bench", purpose="reports").dumps([1]) == "[1]"


def test_require_names_the_extra_and_the_missing_module():
    with pytest.raises(MissingExtraError) as info:
        require("nlptransfer_no_such_dependency", extra="torch", purpose="the classifiers")
    message = str(info.value)
    assert message == (
        "the classifiers need nlptransfer_no_such_dependency, which is not installed: "
        "pip install 'nlptransfer[torch]'"
    )
    assert isinstance(info.value, ImportError) and isinstance(info.value, NLPTransferError)


def test_require_names_the_submodule_that_is_missing():
    with pytest.raises(MissingExtraError, match="need nlptransfer_absent_pkg,"):
        require("nlptransfer_absent_pkg.sub", extra="bench", purpose="plots")
