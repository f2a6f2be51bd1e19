"""Documentation generated from code stays true: the configuration table and the two commands."""

from __future__ import annotations

from pathlib import Path

from rsc.config_docs import END, START, settings_table
from rsc.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_configuration_table_is_generated_from_the_settings() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split(START, 1)[1].split(END, 1)[0].strip("\n") + "\n"
    assert section == settings_table(), "run `rsc config --markdown` and paste it between the config markers"


def test_every_setting_says_what_it_means() -> None:
    table = settings_table()
    for name in Settings.model_fields:
        row = next(line for line in table.splitlines() if line.startswith(f"| `RSC_{name.upper()}`"))
        assert not row.endswith("|  |"), f"RSC_{name.upper()} needs a #: comment in rsc/settings.py"


def test_the_readme_names_the_two_set_up_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
