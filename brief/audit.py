"""What an audit trail records of each answer: who asked what, and which quotes they were shown.

Only the event and how it is made from an answer live here; where events are kept is up to the
hook the front end is given (``brief serve``'s ``audit`` callable).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from brief.access import User
from core.answers import Answer
from core.models import Filters


class AuditCitation(BaseModel):
    """One quote the user was shown, and from which statement."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc_id: str
    title: str
    date: dt.date
    quote: str
    related: bool = Field(description="Shown as related to the question, not as its answer.")


class AuditEvent(BaseModel):
    """One answer given: the asker, the question and filters, and the citations shown."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    time: str = Field(description="When the answer was given: UTC, ISO 8601.")
    user_id: str
    user_groups: tuple[str, ...] = Field(description="The asker's groups, sorted.")
    question: str
    filters: str = Field(description="The filters applied, as JSON.")
    answerer: str = Field(description="extractive or generative.")
    model: str = Field(description="The generative model that answered; empty for quotes.")
    refused: bool
    not_stated: tuple[str, ...] = Field(description="The parts asked that were not answered.")
    citations: tuple[AuditCitation, ...]


def audit_event(user: User, question: str, filters: Filters | None, answer: Answer) -> AuditEvent:
    """The audit record of ``answer``, given to ``user`` for ``question`` under ``filters``."""
    return AuditEvent(
        time=dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        user_id=user.id,
        user_groups=tuple(sorted(user.groups)),
        question=question,
        filters=(filters or Filters()).model_dump_json(),
        answerer=answer.answerer,
        model=answer.model,
        refused=answer.refused,
        not_stated=tuple(answer.not_stated),
        citations=tuple(
            AuditCitation(
                doc_id=c.doc_id, title=c.title, date=c.date, quote=c.quote, related=c.related
            )
            for c in answer.citations
        ),
    )
