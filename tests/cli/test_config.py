"""``rsc config``: every setting as this process sees it, secrets and passwords in URLs masked."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from cli.config import mask_password, show_config
from rsc.settings import reset_settings

app = typer.Typer()
app.command()(show_config)


def test_a_password_in_a_url_is_masked_and_other_values_are_kept() -> None:
    assert mask_password("amqp://guest:s3cret@rabbit:5672/%2F") == "amqp://guest:***@rabbit:5672/%2F"
    assert mask_password("postgresql+psycopg://rsc@db/rsc") == "postgresql+psycopg://rsc@db/rsc"
    assert mask_password("30") == "30"


def test_the_settings_are_printed_with_secrets_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RSC_BROKER_URL", "amqp://guest:s3cret@rabbit:5672/%2F")
    reset_settings()
    result = CliRunner().invoke(app, ["--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["RSC_BROKER_URL"] == "amqp://guest:***@rabbit:5672/%2F"
    assert shown["RSC_SECRET_KEY"] == "(set)"
    assert "s3cret" not in result.output
    plain = CliRunner().invoke(app, [])
    assert "RSC_BROKER_URL=amqp://guest:***@rabbit:5672/%2F" in plain.output.splitlines()


def test_the_documented_table_is_markdown() -> None:
    result = CliRunner().invoke(app, ["--markdown"])
    assert result.exit_code == 0
    assert result.output.lstrip().startswith("|") and "RSC_DATABASE_URL" in result.output
