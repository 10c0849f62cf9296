"""Core pages and API, the resource library and bridging."""

from __future__ import annotations

from core.choices import Role
from core.services import jobs
from kechuang.tests.matrix.spec import (
    ANYONE,
    NOBODY,
    SIGNED_IN,
    Endpoint,
    Rule,
    action,
    also,
    can,
    creates,
    may,
    page,
)
from resources.choices import RecordStatus
from resources.registry import KINDS

KIND_KEYS = tuple(KINDS)
DRAFTS = tuple(f"draft_{k}" for k in KIND_KEYS)
RECORDS = (*DRAFTS, "nanguan_draft", "published_achievement")


def kind_of(record) -> str:
    return next(k.key for k in KINDS.values() if isinstance(record, k.model))


def record_args(o, d) -> dict:
    return {"kind": kind_of(o), "pk": o.pk}


def no_args(o, d) -> dict:
    return {}


ANONYMOUS = Rule(lambda u, o, d: not u.is_authenticated, "anonymous")
OWNS_IT = Rule(lambda u, o, d: u.is_authenticated and o.user_id == u.pk, "its user")
STARTS_JOB = Rule(
    lambda u, o, d: u.is_authenticated and "bridging.index" in dict(jobs.startable_jobs(u)),
    "jobs.startable_jobs",
)
DEMAND_SIDE_OR_WORKBENCH = may("bridging.use_workbench") | Rule(
    lambda u, o, d: (
        u.is_authenticated
        and u.current_membership is not None
        and u.current_membership.organisation_id == o.owner_id
    ),
    "member of the demand's owner",
)
PUBLISHED = Rule(lambda u, o, d: o.status == RecordStatus.PUBLISHED, "published")
CLAIMS = Rule(
    lambda u, o, d: (
        u.is_authenticated
        and getattr(u.current_membership, "role", None) == Role.BROKER
        and o.broker_id is None
    ),
    "a broker on an unclaimed match",
)
VIEW_RECORD = can("resources.view_record")
MATCH = ("match", "nanguan_match")
TITLE = lambda o, d: o.title  # noqa: E731  (the text of an object's row in a list)
SUPPLY = lambda o, d: o.achievement.title  # noqa: E731


TABLE: dict[str, Endpoint | list[Endpoint]] = {
    # core pages
    "home": page(ANYONE),
    "login": page(ANONYMOUS, refused=(302,), why="a signed-in user is sent on to the site"),
    "logout": Endpoint(get=False, why="a POST logs the persona out; nothing of others to take"),
    "profile": page(SIGNED_IN),
    "password_change": page(SIGNED_IN),
    "organisation_list": page(ANYONE),
    "organisation_create": page(may("core.add_organisation")),
    "organisation_detail": page(ANYONE, "organisation"),
    "organisation_edit": page(
        can("core.change_organisation"),
        "organisation",
        methods=("post",),
        payload={"name": "被篡改的单位名称"},
    ),
    "audit_list": page(may("core.view_auditentry")),
    "notification_list": page(SIGNED_IN),
    "job_list": page(SIGNED_IN, "job", args=no_args, secret=TITLE, shows=can("core.view_job")),
    "job_start_demo": action(may("core.run_demo_job"), payload={"scale": "small", "seed": "1"}),
    "job_start": action(STARTS_JOB, "job", args=lambda o, d: {"kind": "bridging.index"}),
    "job_detail": page(can("core.view_job"), "job"),
    # core API
    "api-root": page(ANYONE),
    "api_me": page(SIGNED_IN),
    "api_token": Endpoint(get=False, why="anyone may ask for a token with a password"),
    "organisation-list": page(ANYONE),
    "organisation-detail": [
        page(
            ANYONE,
            "organisation",
            methods=("patch",),
            write=can("core.change_organisation"),
            payload={"name": "被篡改的单位名称"},
        ),
        page(ANYONE, "organisation", methods=("delete",), write=can("core.delete_organisation")),
    ],
    "region-list": page(ANYONE),
    "region-detail": page(ANYONE, "region", args=lambda o, d: {"code": o.code}),
    "chainnode-list": page(ANYONE),
    "chainnode-detail": page(ANYONE, "chain_node", args=lambda o, d: {"code": o.code}),
    "job-list": page(SIGNED_IN, "job", args=no_args, secret=TITLE, shows=can("core.view_job")),
    "job-detail": page(can("core.view_job"), "job"),
    # resource pages
    "resource_review": page(may("resources.review_record")),
    "resource_mine": page(
        SIGNED_IN,
        "draft_achievements",
        args=no_args,
        secret=TITLE,
        shows=can("resources.change_record"),
    ),
    "subscription_list": page(
        SIGNED_IN,
        "subscription",
        args=no_args,
        methods=("post",),
        write=OWNS_IT,
        payload=lambda o, d: {"delete": o.pk},
        why="the subscription to delete travels in the form, not the URL",
    ),
    "resource_catalog": page(ANYONE, args=lambda o, d: {"kind": "achievements"}),
    "resource_create": page(may("resources.add_record"), args=lambda o, d: {"kind": "patents"}),
    "resource_import": page(may("resources.add_record"), args=lambda o, d: {"kind": "demands"}),
    "resource_import_template": page(ANYONE, args=lambda o, d: {"kind": "experts"}),
    "resource_subscribe": Endpoint(
        get=False, args=lambda o, d: {"kind": "achievements"}, why="saves the user's own search"
    ),
    "resource_detail": page(VIEW_RECORD, *RECORDS, args=record_args),
    "resource_edit": page(
        can("resources.change_record"),
        *RECORDS,
        args=record_args,
        methods=("post",),
        payload={"title": "被篡改的标题"},
    ),
    "resource_history": page(
        VIEW_RECORD & can("resources.view_record_history"), *RECORDS, args=record_args
    ),
    "resource_action": [
        action(
            can("resources.change_record"),
            *RECORDS,
            args=lambda o, d: {**record_args(o, d), "action": "submit"},
        ),
        action(
            can("resources.archive_record"),
            "published_achievement",
            args=lambda o, d: {**record_args(o, d), "action": "archive"},
            payload={"reason": "越权归档"},
        ),
    ],
    # bridging pages
    "bridging_workbench": page(may("bridging.use_workbench")),
    "bridging_mine": page(
        SIGNED_IN, *MATCH, args=no_args, secret=SUPPLY, shows=can("bridging.view_match")
    ),
    "bridging_funnel": page(may("bridging.view_funnel")),
    "match_create": action(
        DEMAND_SIDE_OR_WORKBENCH,
        "published_demand",
        args=no_args,
        payload=lambda o, d: {
            "demand": o.pk,
            "kind": "achievement",
            "target": d.published_achievement.pk,
        },
    ),
    "bridging_recommend": page(
        PUBLISHED,
        "published_demand",
        "draft_demands",
        "published_expert",
        args=lambda o, d: {"kind": kind_of(o), "pk": o.pk},
    ),
    "match_detail": page(can("bridging.view_match"), *MATCH),
    "match_action": [
        action(
            can("bridging.work_match"),
            *MATCH,
            args=lambda o, d: {"pk": o.pk, "action": "note"},
            payload={"text": "越权记录"},
        ),
        action(
            can("bridging.work_match"),
            *MATCH,
            args=lambda o, d: {"pk": o.pk, "action": "fail"},
            payload={"failure_reason": "price", "failure_note": "越权关闭"},
        ),
        action(
            can("bridging.give_feedback"),
            *MATCH,
            args=lambda o, d: {"pk": o.pk, "action": "feedback"},
            payload={"feedback": "declined"},
        ),
        action(CLAIMS, *MATCH, args=lambda o, d: {"pk": o.pk, "action": "claim"}),
    ],
    # bridging API
    "match-list": page(
        SIGNED_IN, *MATCH, args=no_args, secret=SUPPLY, shows=can("bridging.view_match")
    ),
    "match-detail": page(can("bridging.view_match"), *MATCH),
    "match-advance": action(can("bridging.work_match"), *MATCH, payload={"note": "越权推进"}),
    "match-fail": action(can("bridging.work_match"), *MATCH, payload={"failure_reason": "price"}),
    "match-next-step": action(
        can("bridging.work_match"), *MATCH, payload={"next_step": "越权安排"}
    ),
    "match-notes": page(
        can("bridging.view_match"),
        *MATCH,
        methods=("post",),
        write=can("bridging.work_match"),
        payload={"text": "越权记录"},
    ),
    "match-feedback": action(
        can("bridging.give_feedback"), *MATCH, payload={"feedback": "declined"}
    ),
    "match-claim": action(CLAIMS, *MATCH),
}

# The resource library's API: the same seven routes for each of the six kinds.
for _key in KIND_KEYS:
    _draft = f"draft_{_key}"
    _base = f"resources-{_key}"
    TABLE.update(
        {
            f"{_base}-list": [
                page(ANYONE, _draft, args=no_args, secret=TITLE, shows=NOBODY),
                page(
                    ANYONE,
                    _draft,
                    args=no_args,
                    query="mine=1",
                    secret=TITLE,
                    shows=can("resources.change_record"),
                ),
            ],
            f"{_base}-detail": page(
                VIEW_RECORD,
                _draft,
                *(("nanguan_draft", "published_achievement") if _key == "achievements" else ()),
                methods=("patch",),
                write=can("resources.change_record"),
                payload={"title": "被篡改的标题"},
            ),
            f"{_base}-history": page(VIEW_RECORD, _draft),
            f"{_base}-submit": action(can("resources.change_record"), _draft),
            f"{_base}-approve": action(can("resources.review_record"), _draft),
            f"{_base}-return-": action(
                can("resources.review_record"), _draft, payload={"reason": "越权退回"}
            ),
            f"{_base}-archive": action(
                can("resources.archive_record"), _draft, payload={"reason": "越权归档"}
            ),
        }
    )

# Creating a match for a demand named in the body.
also(
    TABLE,
    "match-list",
    creates(
        DEMAND_SIDE_OR_WORKBENCH,
        "published_demand",
        args=no_args,
        payload=lambda o, d: {
            "demand": o.pk,
            "supply_kind": "achievement",
            "target": d.published_achievement.pk,
        },
    ),
)
