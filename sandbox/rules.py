"""The rules of LinkedIn's partner API the sandbox checks, each with the reference section stating it.

Every refusal the sandbox answers because a caller broke one of these is recorded as a violation
(``GET /_sandbox/violations``), and so is every breach LinkedIn serves anyway (a wasted token,
overlapping batches). ``docs/linkedin-sandbox.md`` lists them all; a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    #: Stable id a test declares when it breaks the rule on purpose, e.g. ``header.version``.
    id: str
    #: Where the reference states it (``§3.8``); ``[I]`` marks the sandbox's own reading.
    section: str
    #: The rule as one sentence.
    summary: str
    #: Lenient mode (``strict: false``) serves a call that breaks it, recording the breach all the same.
    liftable: bool = False
    #: False for breaches LinkedIn does not refuse: they are recorded and the call is served.
    refuses: bool = True


# tokens and apps
AUTH_TOKEN = Rule("auth.token", "§1", "every API call carries a bearer token minted by the OAuth endpoint")
AUTH_AUDIENCE = Rule(
    "auth.audience",
    "§1",
    "the partner token calls only provisionedApplications and a customer token everything else",
)
AUTH_UNBOUND = Rule(
    "auth.unbound",
    "§3.2",
    "a customer app acts only once the customer authorized it for an organization (configuration plugin)",
)
AUTH_SCOPE = Rule(
    "auth.scope", "§1, §2", "keys and finder parameters name the app's own organization, contracts and seats"
)
OAUTH_GRANT = Rule(
    "oauth.grant", "§1", "tokens come from grant_type=client_credentials with client_id and client_secret"
)
OAUTH_CREDENTIALS = Rule("oauth.credentials", "§1", "the client id and secret are an app's own")
TOKEN_REUSE = Rule(
    "token.reuse",
    "§1",
    "one token is reused until it expires, not minted again while the app holds one with life left",
    refuses=False,
)
SECRET_LIMIT = Rule(
    "secret.limit",
    "§1.1",
    "an application holds at most two secrets: a rotation while two exist fails (delete one first)",
)

# onboarding and enablement
ENABLEMENT_COMPANY = Rule(
    "enablement.company",
    "§3.2 step 5",
    "data sync starts only after the customer enabled the organization's company-level integration",
    liftable=True,
)
ENABLEMENT_CONTRACT = Rule(
    "enablement.contract",
    "§3.2, §6.6",
    "prospect interactions of a contract are read only after the customer enabled its CSA_API integration",
    liftable=True,
)
ONBOARDING_ORDER = Rule(
    "onboarding.order", "§3.2", "an integration is named before its configurations are set"
)
CALLBACK_UNIQUE = Rule("callback.unique", "§5", "each customer has exactly one callback URL of its own")

# shapes, paths, headers, versions
PATH_UNKNOWN = Rule("path.unknown", "§3, §1.1", "the path is one LinkedIn serves in that shape")
METHOD_UNSUPPORTED = Rule("method.unsupported", "§3", "the HTTP method is one the resource supports")
HEADER_PROTOCOL = Rule(
    "header.protocol", "§1", "v2 calls carry X-RestLi-Protocol-Version: 2.0.0", liftable=True
)
HEADER_VERSION = Rule(
    "header.version", "§1, §1.1", "rest/ calls carry LinkedIn-Version: YYYYMM", liftable=True
)
HEADER_METHOD = Rule(
    "header.method",
    "§1, §3.2",
    "batch writes carry the matching x-restli-method (batch_update, batch_partial_update, batch_create)",
    liftable=True,
)
VERSION_SUNSET = Rule(
    "version.sunset",
    "§1.1",
    "a LinkedIn-Version is supported for two years; older versions are sunset (HTTP 426)",
    liftable=True,
)
VERSION_RESOURCE = Rule(
    "version.resource", "§1.1", "the resource exists under that name at the requested LinkedIn-Version"
)

# batches, keys, bodies
BATCH_SIZE = Rule("batch.size", "§4", "a batch call carries at most 100 records", liftable=True)
BATCH_SEQUENTIAL = Rule(
    "batch.sequential",
    "§4",
    "batch calls of one app to one resource family are sent sequentially, not overlapping",
    refuses=False,
)
KEY_SHAPE = Rule(
    "key.shape",
    "§1, §3.4",
    "a composite key has exactly the resource's key fields, dataProvider=ATS where it has one, "
    "a non-empty id and an organization URN",
)
KEY_MATCH = Rule(
    "key.match",
    "§3.4, §3.5",
    "the keys in the query string and in the body name the same entities, once each",
)
BODY_SHAPE = Rule(
    "body.shape", "§3", "the body is the JSON the call documents ({entities}, {elements} or {patch})"
)

# field rules
FIELD_UNKNOWN = Rule(
    "field.unknown", "§3.3-§3.6 [I]", "an entity carries only fields the resource lists (Rest.li schemas)"
)
FIELD_CANDIDATE = Rule("field.candidate", "§3.4, §6.1", "a candidate satisfies the candidate field rules")
FIELD_APPLICATION = Rule(
    "field.application", "§3.6, §6.1", "an application satisfies the application field rules"
)
FIELD_NOTE = Rule("field.note", "§3.5", "a note's author, when sent, has firstName and lastName")
FIELD_STAGE = Rule("field.stage", "§3.6", "a stage has atsCreatedAt and a stage name")
FIELD_FEEDBACK = Rule(
    "field.feedback", "§3.6", "interview feedback names its interviewer and each evaluation's attribute"
)
FIELD_JOB = Rule("field.job", "§3.3, §6.1", "a job posting satisfies the job field rules")
FIELD_PATCH = Rule("field.patch", "§3.4", 'a partial update is {"patch": {"$set": {...}}} (and/or "$delete")')
FIELD_INTEGRATION = Rule(
    "field.integration",
    "§3.2",
    "an integration key has a known integrationType, tenantType=RECRUITER and the context its type "
    "is keyed by; only integrationName is set",
)
FIELD_CONFIGURATION = Rule(
    "field.configuration", "§3.2", "a configuration is a known one, on its integration, with a valid value"
)
FIELD_ACL = Rule(
    "field.acl",
    "§3.7",
    "an ACL or assignee entry governs a JOB_POSTING, names a person URN as assignee and has an empty body",
)
FIELD_PROVISIONING = Rule(
    "field.provisioning",
    "§3.1",
    "a customer app has a name and uniqueForeignId; validJsSdkDomains carry no trailing '/'",
)
ORDER_PARENT = Rule(
    "order.parent", "§3.5, §3.6, §6.2 [I]", "a record is synced before its notes, stages or feedback"
)

# finders
FINDER_Q = Rule("finder.q", "§3.8", "a finder call names the finder the resource supports (q=...)")
FINDER_REQUIRED = Rule(
    "finder.required",
    "§3.8",
    "a finder call carries its required parameters (seatsV2 start, viewer, owners, contract, window bounds)",
)
FINDER_WINDOW = Rule(
    "finder.window", "§3.8", "a polling window ends after it starts and spans at most 12 h", liftable=True
)
FINDER_PAGING = Rule("finder.paging", "§3.8", "start is >= 0 and count between 0 and 100")
FINDER_VALUE = Rule(
    "finder.value", "§2, §3.8", "finder parameters have their documented form (URNs, states, integers)"
)

# rate limits
RATE_RECORDS = Rule(
    "rate.records_per_minute", "§4", "an app sends at most 10,000 records a minute (HTTP 429 beyond)"
)
RATE_CALLS = Rule(
    "rate.calls_per_day",
    "§4",
    "an app makes at most 100,000 calls a day to each endpoint family (HTTP 429 beyond)",
)

RULES: tuple[Rule, ...] = tuple(value for value in dict(globals()).values() if isinstance(value, Rule))
BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
