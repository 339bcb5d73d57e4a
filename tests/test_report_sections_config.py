from pathlib import Path

import pytest

from sprintsync.compose.run import section_options
from sprintsync.config import load_settings
from sprintsync.errors import ConfigError
from sprintsync.report.sections import SECTION_NAMES, SectionOptions

MINIMAL = """\
teams:
  - name: platform
    source: {type: jira, url: "https://acme.atlassian.net", board: 42}
"""


def write(tmp_path: Path, text: str) -> Path:
    """Write `text` as a YAML file in `tmp_path`."""
    path = tmp_path / "sprintsync.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_section_by_default(tmp_path):
    """Without `report:` no optional section is on: the report keeps the sample's shape."""
    settings = load_settings(write(tmp_path, MINIMAL)).settings
    assert section_options(settings.report) == SectionOptions()


def test_sections_and_stuck_days_reach_the_view_options(tmp_path):
    """`report.sections` and `stuck_after_days` become the view's section options."""
    text = MINIMAL + "report: {sections: [forecast, stuck], stuck_after_days: 5}\n"
    options = section_options(load_settings(write(tmp_path, text)).settings.report)
    assert options.sections == frozenset({"forecast", "stuck"})
    assert options.stuck_after_days == 5


def test_every_documented_section_name_is_accepted(tmp_path):
    """The config accepts exactly the view's section names."""
    text = MINIMAL + f"report: {{sections: [{', '.join(SECTION_NAMES)}]}}\n"
    report = load_settings(write(tmp_path, text)).settings.report
    assert set(report.sections) == set(SECTION_NAMES)


def test_an_unknown_section_names_the_key(tmp_path):
    """A misspelt section fails loudly, naming `report.sections`."""
    path = write(tmp_path, MINIMAL + "report: {sections: [forcast]}\n")
    with pytest.raises(ConfigError, match=r"report\.sections"):
        load_settings(path)
