from __future__ import annotations

import pytest

from knowledge.eligibility.registry import RuleRegistry


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> RuleRegistry:
    """The shipped rules plus an (empty) staff folder (read-only: shared by a module's tests)."""
    staff = tmp_path_factory.mktemp("staff") / "rules"
    staff.mkdir()
    reg = RuleRegistry.load_default(extra_dir=staff)
    assert reg.errors == []
    return reg
