"""Errors the programs services raise; views show the message, the API returns `code`."""

from __future__ import annotations

from core.exceptions import ServiceError


class NotReady(ServiceError):
    """An application cannot move on yet; `problems` lists every reason, each in Chinese."""

    code = "not_ready"
    status = 400

    def __init__(self, prefix: str, problems: list[str]):
        super().__init__(prefix + "；".join(problems) + "。")
        self.problems = problems


class IneligibleApplicant(NotReady):
    code = "ineligible_applicant"
    status = 403


class PanelError(ServiceError):
    code = "panel_error"
    status = 409
