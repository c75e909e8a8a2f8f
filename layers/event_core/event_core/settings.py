"""Typed configuration, read lazily from the environment (importing never fails)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, slots=True)
class Settings:
    events_table: str
    users_table: str
    registrations_table: str
    idempotency_table: str
    dynamodb_endpoint: str | None
    allowed_origins: tuple[str, ...]
    page_token_secret: bytes | None  # locally: the page token key itself (event_core.page_token_key)
    page_token_secret_arn: str | None  # in AWS: the stack's Secrets Manager secret holding it
    max_body_bytes: int
    auth_mode: str = "NONE"  # the template's AuthMode: NONE, API_KEY, IAM or COGNITO
    organizer_group: str = "organizers"  # COGNITO: the group allowed to manage its own events
    admin_group: str = "admins"  # COGNITO: the group allowed to manage every event and hand it over
    admission_wait_seconds: float = 1.0  # how long a queued registration waits for its answer
    # Offers' expiries (EventBridge Scheduler): the schedule group, the expiry function, the role
    # the scheduler invokes it with. Only the function that schedules expiries needs them.
    offer_schedule_group: str = "default"
    offer_expiry_target_arn: str | None = None
    offer_scheduler_role_arn: str | None = None


@cache
def get_settings() -> Settings:
    origins = tuple(o.strip() for o in os.environ.get("ALLOWED_ORIGINS", "*").split(",") if o.strip())
    return Settings(
        events_table=os.environ.get("EVENTS_TABLE", "EventsTable"),
        users_table=os.environ.get("USERS_TABLE", "UsersTable"),
        registrations_table=os.environ.get("REGISTRATIONS_TABLE", "RegistrationsTable"),
        idempotency_table=os.environ.get("IDEMPOTENCY_TABLE", "IdempotencyTable"),
        dynamodb_endpoint=os.environ.get("DYNAMODB_ENDPOINT") or None,
        allowed_origins=origins or ("*",),
        page_token_secret=os.environ.get("PAGE_TOKEN_SECRET", "").encode() or None,
        page_token_secret_arn=os.environ.get("PAGE_TOKEN_SECRET_ARN", "").strip() or None,
        max_body_bytes=int(os.environ.get("MAX_BODY_BYTES", str(64 * 1024))),
        auth_mode=os.environ.get("AUTH_MODE", "NONE").strip().upper() or "NONE",
        organizer_group=os.environ.get("ORGANIZER_GROUP", "").strip() or "organizers",
        admin_group=os.environ.get("ADMIN_GROUP", "").strip() or "admins",
        admission_wait_seconds=float(os.environ.get("ADMISSION_WAIT_SECONDS", "").strip() or "1.0"),
        offer_schedule_group=os.environ.get("OFFER_SCHEDULE_GROUP", "").strip() or "default",
        offer_expiry_target_arn=os.environ.get("OFFER_EXPIRY_TARGET_ARN", "").strip() or None,
        offer_scheduler_role_arn=os.environ.get("OFFER_SCHEDULER_ROLE_ARN", "").strip() or None,
    )
