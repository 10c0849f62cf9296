"""Instrument sharing, 先用后补, the open-sharing evaluation, vouchers, redemption, settlement
and the abuse review."""

from __future__ import annotations

from kechuang.tests.matrix.spec import (
    ANYONE,
    NOBODY,
    SIGNED_IN,
    Endpoint,
    Rule,
    action,
    asks,
    asks_user,
    can,
    finds,
    may,
    page,
)
from sharing.services import bookings, evaluation, providers, redemptions, settlement, subsidies
from sharing.services import vouchers as voucher_service
from sharing.services.common import own_organisation_id
from sharing.services.hosting import hosts_any_instrument

BOOKINGS = ("booking", "used_booking")
MANAGE = may("sharing.manage")
SEES_INSTRUMENT = finds(bookings.get_instrument, anonymous=True)
HOSTS = can("sharing.host", of=lambda o, d: o.instrument)
SEES_BOOKING = finds(bookings.get_booking_for)
BOOKS_IT = Rule(
    lambda u, o, d: u.is_authenticated and own_organisation_id(u) == o.organisation_id,
    "a member of the booking organisation",
)
CLAIMS = may("sharing.claim_subsidy") | MANAGE
SEES_CLAIM = finds(subsidies.get_claim_for)
SEES_EVALUATION = finds(evaluation.get_evaluation_for, anonymous=True)
SEES_PROVIDER = finds(providers.get_provider, anonymous=True)
SEES_PROGRAM = finds(voucher_service.get_program, anonymous=True)
SEES_APPLICATION = finds(voucher_service.get_application)
SEES_VOUCHER = finds(voucher_service.get_voucher)
SEES_REDEMPTION = finds(redemptions.get_redemption)
RATES = asks(redemptions.may_rate)
SEES_SETTLEMENT = finds(settlement.get_claim)
REDEEMS = may("sharing.redeem")
STATISTICS = may("sharing.view_statistics") | asks_user(hosts_any_instrument)
BOOKING_LIST = may("sharing.book") | MANAGE | asks_user(hosts_any_instrument)
REDEMPTION_LIST = (
    MANAGE
    | Rule(lambda u, o, d: redemptions.provider_of(u) is not None, "redemptions.provider_of")
    | asks_user(redemptions.holds_vouchers)
)
PUBLISHED = Rule(lambda u, o, d: o.status == "published", "published")
BOOKING_FORM = {
    "sample_description": "越权样品",
    "service_requested": "越权测试",
    "sample_count": "1",
}

TABLE: dict[str, Endpoint | list[Endpoint]] = {
    # instruments and bookings (pages)
    "sharing_home": page(ANYONE),
    "sharing_instruments": page(ANYONE),
    "sharing_instrument": page(SEES_INSTRUMENT, "shared_instrument", "draft_instruments"),
    "sharing_instrument_slots": page(
        SEES_INSTRUMENT & can("sharing.host"), "shared_instrument", "draft_instruments"
    ),
    "sharing_slot_book": action(
        may("sharing.book")
        & Rule(lambda u, o, d: not bookings.may_host(u, o.instrument), "not its host"),
        "slot",
        payload=BOOKING_FORM,
    ),
    "sharing_slot_withdraw": action(HOSTS, "slot"),
    "sharing_bookings": [
        page(BOOKING_LIST),
        page(
            MANAGE | asks_user(hosts_any_instrument),
            "booking",
            args=lambda o, d: {},
            query="side=host",
            secret=lambda o, d: o.organisation.name,
            shows=HOSTS,
            why="the bookings of one's instruments: hosts and the bureau",
        ),
    ],
    "sharing_booking": page(SEES_BOOKING, *BOOKINGS),
    "sharing_booking_approve": action(HOSTS, "booking"),
    "sharing_booking_refuse": action(HOSTS, "booking", payload={"reason": "越权拒绝"}),
    "sharing_booking_cancel": action(BOOKS_IT | HOSTS, "booking", payload={"reason": "越权取消"}),
    "sharing_booking_usage": action(
        HOSTS,
        "used_booking",
        payload={"hours": "4", "samples": "1", "fee": "1", "service_summary": "越权"},
    ),
    "sharing_usage_confirm": action(BOOKS_IT, "used_booking", payload={"satisfaction": "5"}),
    "sharing_usage_dispute": action(BOOKS_IT, "used_booking", payload={"reason": "越权异议"}),
    "sharing_statistics": page(STATISTICS),
    # 先用后补 (pages)
    "sharing_subsidies": page(CLAIMS),
    "sharing_subsidy_preview": Endpoint(get=False, why="quotes the user's own organisation"),
    "sharing_subsidy_submit": Endpoint(get=False, why="claims for the user's own organisation"),
    "sharing_subsidy_policy": action(
        MANAGE, "subsidy_policy", args=lambda o, d: {}, payload={"year": "2026", "rate": "0.9"}
    ),
    "sharing_subsidy_claim": page(SEES_CLAIM, "subsidy_claim"),
    "sharing_subsidy_approve": action(MANAGE, "subsidy_claim", payload={"amount": "1"}),
    "sharing_subsidy_refuse": action(MANAGE, "subsidy_claim", payload={"reason": "越权不予补助"}),
    "sharing_subsidy_payments": page(MANAGE, "subsidy_policy", args=lambda o, d: {"year": o.year}),
    # the open-sharing evaluation (pages)
    "sharing_evaluations": page(ANYONE),
    "sharing_evaluation_start": action(MANAGE, payload={"year": "2025"}),
    "sharing_evaluation": page(SEES_EVALUATION, "draft_evaluation"),
    "sharing_evaluation_publish": action(MANAGE, "draft_evaluation"),
    # providers and vouchers (pages)
    "sharing_providers": page(
        ANYONE,
        "pending_provider",
        args=lambda o, d: {},
        secret=lambda o, d: o.organisation.name,
        shows=NOBODY,
        why="the directory lists registered providers only",
    ),
    "sharing_provider_apply": page(may("sharing.register_provider")),
    "sharing_provider": page(SEES_PROVIDER, "provider", "pending_provider"),
    "sharing_provider_decide": action(
        MANAGE, "pending_provider", payload={"decision": "register", "reason": "越权"}
    ),
    "sharing_programs": page(
        ANYONE,
        "draft_program",
        args=lambda o, d: {},
        secret=lambda o, d: o.name,
        shows=SEES_PROGRAM,
    ),
    "sharing_program_create": page(MANAGE),
    "sharing_program": page(SEES_PROGRAM, "voucher_program", "draft_program"),
    "sharing_program_edit": page(
        MANAGE, "voucher_program", "draft_program", methods=("post",), payload={"name": "被篡改"}
    ),
    "sharing_program_open": action(MANAGE, "draft_program"),
    "sharing_program_close": action(MANAGE, "voucher_program", payload={"reason": "越权结束"}),
    "sharing_voucher_apply": Endpoint(
        get=False, args=lambda o, d: {"pk": d.voucher_program.pk}, why="applies for oneself"
    ),
    "sharing_application_approve": action(MANAGE, "voucher_application"),
    "sharing_application_refuse": action(
        MANAGE, "voucher_application", payload={"reason": "越权不予发券"}
    ),
    "sharing_application_withdraw": action(
        SEES_APPLICATION & may("sharing.apply_voucher"), "voucher_application"
    ),
    "sharing_vouchers": page(
        SIGNED_IN,
        "voucher",
        args=lambda o, d: {},
        secret=lambda o, d: o.code,
        shows=SEES_VOUCHER,
    ),
    "sharing_voucher_verify": page(ANYONE, "voucher", args=lambda o, d: {}, query="code={o.code}"),
    "sharing_voucher": page(SEES_VOUCHER, "voucher"),
    "sharing_voucher_cancel": action(MANAGE, "voucher", payload={"reason": "越权作废"}),
    # redemption and settlement (pages)
    "sharing_redemptions": page(
        REDEMPTION_LIST,
        "redemption",
        args=lambda o, d: {},
        secret=lambda o, d: o.contract_number,
        shows=SEES_REDEMPTION,
    ),
    "sharing_redeem": Endpoint(get=False, why="redeems as the user's own provider"),
    "sharing_redemption": page(SEES_REDEMPTION, "redemption"),
    "sharing_redemption_rate": action(
        SEES_REDEMPTION & RATES, "redemption", payload={"rating": "1", "comment": "越权评价"}
    ),
    "sharing_settlement_create": Endpoint(get=False, why="claims as the user's own provider"),
    "sharing_payments": page(MANAGE),
    "sharing_settlement": page(SEES_SETTLEMENT, "settlement"),
    "sharing_settlement_approve": action(MANAGE, "settlement"),
    "sharing_settlement_refuse": action(MANAGE, "settlement", payload={"reason": "越权退回"}),
    # abuse review (pages)
    "sharing_flags": page(MANAGE),
    "sharing_flags_scan": action(MANAGE),
    "sharing_flag_review": action(
        MANAGE, "flag", payload={"status": "cleared", "note": "越权核查"}
    ),
    "sharing_relations": page(MANAGE),
    "sharing_relation_create": action(
        MANAGE,
        payload=lambda o, d: {
            "first": d.third_org.uscc,
            "second": d.owner_org.uscc,
            "kind": "group",
        },
    ),
    "sharing_relation_delete": action(MANAGE, "relation"),
    # the API
    "sharing-instrument-list": page(ANYONE),
    "sharing-instrument-detail": page(SEES_INSTRUMENT, "shared_instrument", "draft_instruments"),
    "sharing-instrument-slots": page(
        SEES_INSTRUMENT,
        "shared_instrument",
        methods=("post",),
        write=can("sharing.host"),
        payload={"starts_at": "2030-01-07T09:00", "ends_at": "2030-01-07T12:00"},
    ),
    "sharing-slot-withdraw": action(HOSTS, "slot"),
    "sharing-booking-list": page(
        SIGNED_IN,
        "booking",
        args=lambda o, d: {},
        query="side=host",
        secret=lambda o, d: o.organisation.name,
        shows=HOSTS,
    ),
    "sharing-booking-detail": page(SEES_BOOKING, *BOOKINGS),
    "sharing-booking-approve": action(HOSTS, "booking"),
    "sharing-booking-refuse": action(HOSTS, "booking", payload={"reason": "越权拒绝"}),
    "sharing-booking-cancel": action(BOOKS_IT | HOSTS, "booking", payload={"reason": "越权取消"}),
    "sharing-booking-usage": action(
        HOSTS,
        "used_booking",
        payload={"hours": "4", "samples": 1, "fee": "1", "service_summary": "越权"},
    ),
    "sharing-booking-confirm": action(BOOKS_IT, "used_booking", payload={"satisfaction": 5}),
    "sharing-booking-dispute": action(BOOKS_IT, "used_booking", payload={"reason": "越权异议"}),
    "sharing-statistics-list": page(STATISTICS),
    "sharing-subsidy-policy-list": page(SIGNED_IN, why="a year's terms are public to users"),
    "sharing-subsidy-policy-detail": page(
        SIGNED_IN,
        "subsidy_policy",
        args=lambda o, d: {"year": o.year},
        methods=("patch",),
        write=MANAGE,
        payload={"rate": "0.9"},
    ),
    "sharing-subsidy-claimable-list": page(may("sharing.claim_subsidy")),
    "sharing-subsidy-claim-list": page(
        SIGNED_IN,
        "subsidy_claim",
        args=lambda o, d: {},
        secret=lambda o, d: subsidies.claim_number(o),
        shows=SEES_CLAIM,
    ),
    "sharing-subsidy-claim-payments": page(MANAGE),
    "sharing-subsidy-claim-preview": Endpoint(get=False, why="quotes the user's own claim"),
    "sharing-subsidy-claim-detail": page(SEES_CLAIM, "subsidy_claim"),
    "sharing-subsidy-claim-approve": action(MANAGE, "subsidy_claim", payload={"amount": "1"}),
    "sharing-subsidy-claim-refuse": action(MANAGE, "subsidy_claim", payload={"reason": "越权"}),
    "sharing-program-list": page(
        ANYONE,
        "draft_program",
        args=lambda o, d: {},
        secret=lambda o, d: o.name,
        shows=SEES_PROGRAM,
    ),
    "sharing-program-detail": page(SEES_PROGRAM, "voucher_program", "draft_program"),
    "sharing-program-close": action(MANAGE, "voucher_program", payload={"reason": "越权结束"}),
    "sharing-program-eligibility": page(
        SEES_PROGRAM & may("sharing.apply_voucher"), "voucher_program"
    ),
    "sharing-program-open": action(MANAGE, "draft_program"),
    "sharing-voucher-application-list": page(
        SIGNED_IN,
        "voucher_application",
        args=lambda o, d: {},
        secret=lambda o, d: o.purpose,
        shows=SEES_APPLICATION,
    ),
    "sharing-voucher-application-detail": page(SEES_APPLICATION, "voucher_application"),
    "sharing-voucher-application-approve": action(MANAGE, "voucher_application"),
    "sharing-voucher-application-refuse": action(
        MANAGE, "voucher_application", payload={"reason": "越权不予发券"}
    ),
    "sharing-voucher-application-withdraw": action(
        SEES_APPLICATION & may("sharing.apply_voucher"), "voucher_application"
    ),
    "sharing-voucher-list": page(
        SIGNED_IN,
        "voucher",
        args=lambda o, d: {},
        secret=lambda o, d: o.code,
        shows=SEES_VOUCHER,
    ),
    "sharing-voucher-verify": page(ANYONE, "voucher", args=lambda o, d: {}, query="code={o.code}"),
    "sharing-voucher-detail": page(SEES_VOUCHER, "voucher"),
    "sharing-voucher-cancel": action(MANAGE, "voucher", payload={"reason": "越权作废"}),
    "sharing-provider-list": page(
        ANYONE,
        "pending_provider",
        args=lambda o, d: {},
        secret=lambda o, d: o.organisation.name,
        shows=NOBODY,
        why="the directory lists registered providers only",
    ),
    "sharing-provider-apply": Endpoint(get=False, why="registers the user's own organisation"),
    "sharing-provider-detail": page(SEES_PROVIDER, "provider", "pending_provider"),
    "sharing-provider-decide": action(
        MANAGE, "pending_provider", payload={"decision": "register", "reason": "越权"}
    ),
    "sharing-redemption-list": page(
        SIGNED_IN,
        "redemption",
        args=lambda o, d: {},
        secret=lambda o, d: o.contract_number,
        shows=SEES_REDEMPTION,
    ),
    "sharing-redemption-detail": page(SEES_REDEMPTION, "redemption"),
    "sharing-redemption-rate": action(
        SEES_REDEMPTION & RATES, "redemption", payload={"rating": 1, "comment": "越权评价"}
    ),
    "sharing-settlement-list": page(
        SIGNED_IN,
        "settlement",
        args=lambda o, d: {},
        secret=lambda o, d: settlement.claim_number(o),
        shows=SEES_SETTLEMENT,
    ),
    "sharing-settlement-detail": page(SEES_SETTLEMENT, "settlement"),
    "sharing-settlement-approve": action(MANAGE, "settlement"),
    "sharing-settlement-refuse": action(MANAGE, "settlement", payload={"reason": "越权退回"}),
    "sharing-flag-list": page(MANAGE),
    "sharing-flag-detail": page(MANAGE, "flag"),
    "sharing-flag-review": action(MANAGE, "flag", payload={"status": "cleared", "note": "越权"}),
    "sharing-relation-list": page(MANAGE),
    "sharing-relation-detail": page(MANAGE, "relation", methods=("delete",)),
}
