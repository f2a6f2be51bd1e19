"""The key fields of job ACLs and their assignees on each API shape: v2 adds dataProvider, an assignee's
key is its ACL's key and the member; the one entity type LinkedIn puts under ACLs is a job posting."""

from __future__ import annotations

from sandbox.acls import ENTITY_TYPES, acl_fields, assignee_fields
from sandbox.shapes import REST_ACLS, V2_ACLS


def test_an_acls_key_fields_per_shape() -> None:
    rest = {"atsEntityAclId", "integrationContext", "atsEntityType", "atsEntityId"}
    assert acl_fields(REST_ACLS) == rest
    assert acl_fields(V2_ACLS) == rest | {"dataProvider"}
    assert assignee_fields(REST_ACLS) == rest | {"assignee"}
    assert assignee_fields(V2_ACLS) == rest | {"dataProvider", "assignee"}
    assert ENTITY_TYPES == ("JOB_POSTING",)
