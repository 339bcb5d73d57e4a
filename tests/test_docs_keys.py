from __future__ import annotations

from pathlib import Path

import pytest

from sprintsync.config import (
    ConfluenceSinkConfig,
    FileSinkConfig,
    GitHubBlockedConfig,
    GitHubCommentSinkConfig,
    GitHubSourceConfig,
    HttpConfig,
    IndexConfig,
    JiraSourceConfig,
    ReportConfig,
    Settings,
    StateConfig,
    TeamConfig,
)
from sprintsync.config.plan import BlockerModel, DayModel, ItemModel, PlanModel

DOC = Path(__file__).resolve().parent.parent / "docs" / "configure-a-team.md"
MODELS = [
    TeamConfig,
    JiraSourceConfig,
    GitHubSourceConfig,
    GitHubBlockedConfig,
    FileSinkConfig,
    ConfluenceSinkConfig,
    GitHubCommentSinkConfig,
    Settings,
    HttpConfig,
    IndexConfig,
    StateConfig,
    ReportConfig,
    PlanModel,
    DayModel,
    BlockerModel,
    ItemModel,
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_team_key_is_documented(model):
    """Every key of the config and plan files appears in docs/configure-a-team.md."""
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in model.model_fields if f"`{name}`" not in text]
    assert missing == []
