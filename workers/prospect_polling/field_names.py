"""The names LinkedIn plausibly gives each field of a polled item, most likely first; dotted names reach
into nested objects and a number indexes a list (``workers.prospect_polling.item_fields`` reads them)."""

from __future__ import annotations

ID_FIELDS = ("id", "entityUrn", "urn")
CREATED_FIELDS = ("created", "createdAt", "createdTime", "creationTime")
MODIFIED_FIELDS = ("lastModified", "lastModifiedAt", "lastModifiedTime", "lastUpdated", "updatedAt")
MEMBER_FIELDS = ("member", "memberUrn", "person", "personUrn", "prospect", "candidate")
CONTRACT_FIELDS = ("contract", "contractUrn")
THREAD_FIELDS = ("thread", "threadUrn", "messagingThread", "conversation", "conversationUrn")
VIEWER_FIELDS = ("viewer", "viewerSeat")
AUTHOR_FIELDS = ("author", "sender", "from", "created.actor")
SUBJECT_FIELDS = ("subject", "content.subject", "mailContent.subject")
BODY_FIELDS = ("body", "content.body", "content.text", "mailContent.body", "text")
NOTE_TEXT_FIELDS = ("note", "text", "content.text", "content", "body")
NOTE_OWNER_FIELDS = ("owner", "owners", "ownerSeat", "author", "createdBy", "created.actor")
STUB_OWNER_FIELDS = ("owners", "owner", "ownerSeats", "seats")
VISIBILITY_FIELDS = ("visibility", "visibilityType", "noteVisibility")
FIRST_NAME_FIELDS = ("firstName", "name.firstName", "profile.firstName")
LAST_NAME_FIELDS = ("lastName", "name.lastName", "profile.lastName")
EMAIL_FIELDS = ("emailAddress", "emailAddresses", "email", "emails")
PHONE_FIELDS = ("phoneNumber", "phoneNumbers", "phone", "phones")
COMPANY_FIELDS = (
    "currentCompanyName",
    "companyName",
    "currentCompany",
    "currentPosition.companyName",
    "currentPositions.0.companyName",
)
TITLE_FIELDS = ("currentJobTitle", "jobTitle", "currentPosition.title", "currentPositions.0.title")
SEAT_FIELDS = ("seat", "seatUrn", "entityUrn", "urn", "id")
STATE_FIELDS = ("state", "status", "seatState")

#: LinkedIn's spellings of "Anyone in my organization" and "Only me" (its product's names, their
#: enum-style forms, and the pipeline's own), compared after upper-casing and joining words with _.
ORGANIZATION_SPELLINGS = frozenset({"ANYONE_IN_MY_ORGANIZATION", "ANYONE_IN_ORGANIZATION", "ORGANIZATION"})
ONLY_ME_SPELLINGS = frozenset({"ONLY_ME", "PRIVATE"})
