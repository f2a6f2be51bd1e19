"""``RSC_LINKEDIN_API_VERSION``: ``v2`` or a ``LinkedIn-Version`` the client models, with the headers
each shape carries, and a mistake named with what the setting accepts."""

from __future__ import annotations

import pytest

from rsc.api_version import FIRST_MODELLED_VERSION, LATEST_VERSION, ApiVersion, Shape


def test_v2_and_a_modelled_version_parse_with_their_shapes_and_headers() -> None:
    v2 = ApiVersion.parse(" V2 ")
    assert (v2.value, v2.shape) == ("v2", Shape.V2)
    assert v2.headers() == {"X-RestLi-Protocol-Version": "2.0.0"}
    rest = ApiVersion.parse(LATEST_VERSION)
    assert rest.shape is Shape.REST
    assert rest.headers() == {"LinkedIn-Version": LATEST_VERSION, "X-RestLi-Protocol-Version": "2.0.0"}
    assert rest.describe() == f"{LATEST_VERSION} (/rest/..., LinkedIn-Version {LATEST_VERSION})"
    assert v2.describe().startswith("v2 (/v2/...")


@pytest.mark.parametrize("value", ["rest", "2026-04", "202613", "1999"])
def test_a_value_that_is_no_version_names_what_the_setting_accepts(value: str) -> None:
    with pytest.raises(ValueError, match="must be 'v2' or a LinkedIn-Version YYYYMM such as"):
        ApiVersion.parse(value)


def test_a_version_older_than_the_client_models_is_refused_with_the_fix() -> None:
    with pytest.raises(ValueError, match=f"older than {FIRST_MODELLED_VERSION}") as refused:
        ApiVersion.parse("202501")
    assert f"set {LATEST_VERSION} or later, or 'v2'" in str(refused.value)
