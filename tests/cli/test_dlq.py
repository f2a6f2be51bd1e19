"""``rsc dlq`` durations and its refusal of a broker without dead-letter queues."""

from __future__ import annotations

from datetime import timedelta

import pytest
import typer
from typer.testing import CliRunner

from cli.dlq import app, parse_duration


@pytest.mark.parametrize(
    ("text", "duration"),
    [("90s", timedelta(seconds=90)), ("10m", timedelta(minutes=10)),
     ("1h30m", timedelta(hours=1, minutes=30)), ("2d", timedelta(days=2)), (" 1W ", timedelta(weeks=1))],
)  # fmt: skip
def test_a_duration_is_numbers_with_units(text: str, duration: timedelta) -> None:
    assert parse_duration(text) == duration


@pytest.mark.parametrize("text", ["", "10", "ten minutes", "1h 30m", "5y"])
def test_anything_else_is_refused_with_how_to_write_it(text: str) -> None:
    with pytest.raises(typer.BadParameter, match="write it like 90s, 10m, 1h30m, 2d or 1w"):
        parse_duration(text)


def test_listing_on_a_stub_broker_is_one_line_of_error(sqlite_url: str) -> None:
    result = CliRunner().invoke(app, ["list"])
    assert result.exit_code != 0
    assert "RSC_BROKER_URL is stub://" in result.output
    assert "Traceback" not in result.output
