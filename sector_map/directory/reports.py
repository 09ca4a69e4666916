"""Problem reports in the directory store: anyone reports what is wrong with a listing (bounded per
visitor and in all), officers and admins resolve or dismiss them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from sector_map.directory.base import (
    MAX_CONTACT_CHARS,
    MAX_OPEN_REPORTS,
    MAX_REPORT_CHARS,
    REPORTS_PER_SESSION_PER_HOUR,
    DirectoryError,
    NotAllowed,
    NotFound,
    ReportRow,
    StoreBase,
    _now,
    _reviewer,
)
from sector_map.directory.models import (
    REPORT_STATES,
    Organisation,
    ProblemReport,
    Service,
)


class Reports(StoreBase):
    def report_problem(
        self, service_id: str, text: str, *, contact: str = "", reporter: str, now: datetime | None = None
    ) -> ProblemReport:
        """Anyone's report that a listed service is wrong, waiting for an officer. ``reporter`` is
        an opaque key of the reporting session. Refused (plainly) when the text is empty or longer
        than :data:`MAX_REPORT_CHARS`, the contact is not an e-mail address, that session has made
        :data:`REPORTS_PER_SESSION_PER_HOUR` reports in the last hour, or :data:`MAX_OPEN_REPORTS`
        reports are open already."""
        text, contact = text.strip(), contact.strip()
        if not text:
            raise DirectoryError("say what is wrong with the listing")
        if len(text) > MAX_REPORT_CHARS:
            raise DirectoryError(
                f"a report may be at most {MAX_REPORT_CHARS:,} characters (this one is {len(text):,})"
            )
        if contact and (
            len(contact) > MAX_CONTACT_CHARS or "@" not in contact or any(c.isspace() for c in contact)
        ):
            raise DirectoryError("the contact must be one e-mail address (or left empty)")
        if not reporter:
            raise DirectoryError("a report needs the reporting session's key")
        now = now or _now()
        with self.transaction() as s:
            service = s.get(Service, service_id)
            if service is None or service.version < 1 or service.status == "defunct":
                raise NotFound(f"no listed service with id {service_id!r}")
            recent = s.scalar(
                select(func.count())
                .select_from(ProblemReport)
                .where(
                    ProblemReport.reporter == reporter, ProblemReport.created_at > now - timedelta(hours=1)
                )
            )
            if (recent or 0) >= REPORTS_PER_SESSION_PER_HOUR:
                raise NotAllowed(
                    f"you have sent {REPORTS_PER_SESSION_PER_HOUR} reports in the last hour, the most "
                    "we take from one visitor; please try again later"
                )
            open_now = s.scalar(
                select(func.count()).select_from(ProblemReport).where(ProblemReport.state == "open")
            )
            if (open_now or 0) >= MAX_OPEN_REPORTS:
                raise NotAllowed(
                    f"the directory already has {MAX_OPEN_REPORTS} problem reports waiting for an "
                    "officer, the most it holds; please try again later"
                )
            report = ProblemReport(
                service_id=service_id,
                text=text,
                contact=contact,
                reporter=reporter,
                created_at=now,
                state="open",
                note="",
            )
            s.add(report)
        return report

    def problem_reports(self, state: str | None = "open", *, by: str) -> list[ReportRow]:
        """Problem reports in ``state`` (all when None), oldest first; officers and admins only
        (reports may hold the reporter's e-mail)."""
        query = (
            select(ProblemReport, Service.name, Organisation.name)
            .join(Service, ProblemReport.service_id == Service.id)
            .join(Organisation, Service.organisation_id == Organisation.id)
            .order_by(ProblemReport.id)
        )
        if state is not None:
            if state not in REPORT_STATES:
                raise DirectoryError(f"a report's state is one of {', '.join(REPORT_STATES)}, not {state!r}")
            query = query.where(ProblemReport.state == state)
        with self.transaction() as s:
            _reviewer(s, by, "read problem reports")
            return [
                ReportRow(
                    r.id,
                    r.service_id,
                    service,
                    org,
                    r.text,
                    r.contact,
                    r.created_at,
                    r.state,
                    r.reviewed_by,
                    r.reviewed_at,
                    r.note,
                )
                for r, service, org in s.execute(query).all()
            ]

    def resolve_report(self, report_id: int, state: str, *, by: str, note: str = "") -> ProblemReport:
        """Close an open report as ``"resolved"`` or ``"dismissed"`` (officers and admins only)."""
        if state not in REPORT_STATES[1:]:
            raise DirectoryError(
                f"a report is closed as one of {', '.join(REPORT_STATES[1:])}, not {state!r}"
            )
        with self.transaction() as s:
            reviewer = _reviewer(s, by, "resolve problem reports")
            report = s.get(ProblemReport, report_id, with_for_update=True)
            if report is None:
                raise NotFound(f"no problem report {report_id}")
            if report.state != "open":
                raise DirectoryError(f"problem report {report_id} is already {report.state}")
            report.state, report.note = state, note.strip()
            report.reviewed_by, report.reviewed_at = reviewer.email, _now()
        return report
