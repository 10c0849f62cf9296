"""Enterprise cultivation, technology transfer and the 科创大脑."""

from __future__ import annotations

from brain.services import values as brain_values
from cultivation.services import assessment, pools
from kechuang.tests.matrix.data_apps import TRL_ANSWERS
from kechuang.tests.matrix.spec import (
    ANYONE,
    NOBODY,
    SIGNED_IN,
    Endpoint,
    Rule,
    action,
    also,
    asks,
    asks_user,
    can,
    creates,
    finds,
    may,
    page,
)
from transfer.services import catalogs, contracts, listings, screening, trl, valuation

ORG = ("organisation",)
CONTRACTS = ("tech_contract", "nanguan_contract")
ORGS = ("organisation", "university")


def org(o, d) -> dict:
    return {"org": o.pk}


VIEW_FIGURES = can("cultivation.view_figures")
CHANGE_FIGURES = can("cultivation.change_figures")
VIEW_POOLS = may("cultivation.view_pools")
MANAGE_POOLS = may("cultivation.manage_pools")
STAYS = ("stay", "nanguan_stay")
SEES_STAY = finds(pools.get_stay)
SPOT = may("cultivation.manage_spot_checks")
SUBSIDY = may("cultivation.manage_subsidies")
ORG_FIGURES = can("cultivation.view_figures", of=lambda o, d: o.organisation)

ACH = ("transfer_achievement", "draft_achievements")
SEES_ACHIEVEMENT = finds(trl.get_achievement, anonymous=True)
SELF_ASSESS = SEES_ACHIEVEMENT & asks(trl.may_self_assess)
MANAGE_SCREENING = asks_user(screening.may_manage)
IS_EXPERT = Rule(lambda u, o, d: trl.expert_of(u) is not None, "trl.expert_of")
SEES_SCREENING = finds(screening.get_screening)
ON_PANEL = SEES_SCREENING & Rule(
    lambda u, o, d: trl.expert_of(u) is not None and o.experts.filter(user=u).exists(),
    "one of its experts",
)
MANAGE_CATALOGS = asks_user(catalogs.may_manage)
SEES_CATALOG = finds(catalogs.get_catalog, anonymous=True)
VALUES = can("transfer.value")
MANAGES_LISTING = asks(listings.may_manage)
SEES_CONTRACT = finds(contracts.get_contract_for_user)
EDITS_CONTRACT = finds(lambda u, pk: contracts.get_contract_for_user(u, pk, write=True))
REGISTRAR = may("transfer.registrar")
SELLS = Rule(
    lambda u, o, d: u.is_authenticated and _seller(u),
    "contracts.seller_organisation",
)
STATISTICS = may("transfer.view_statistics")
BID = {"amount": "260000"}

BRAIN = may("brain.view")
CATALOG = may("brain.manage_catalog")
ENTERS = asks_user(brain_values.may_enter)
SEES_VALUE = BRAIN & Rule(
    lambda u, o, d: o.region in brain_values.visible_regions(u), "values.visible_regions"
)


def _seller(user) -> bool:
    try:
        contracts.seller_organisation(user)
    except Exception:  # NotAllowed: not someone who registers contracts
        return False
    return True


TABLE: dict[str, Endpoint | list[Endpoint]] = {
    # cultivation pages
    "cultivation_home": page(VIEW_POOLS, refused=(302,), why="an enterprise goes to its own page"),
    "cultivation_enterprise": page(VIEW_FIGURES, *ORGS, args=org),
    "cultivation_year_create": page(CHANGE_FIGURES, *ORGS, args=org),
    "cultivation_year_edit": page(
        CHANGE_FIGURES,
        *ORG,
        args=lambda o, d: {"org": o.pk, "year": d.figures_year},
        methods=("post",),
        payload={"year": "2024", "revenue": "1"},
        rows=("enterprise_year",),
    ),
    "cultivation_profile": page(
        CHANGE_FIGURES, *ORG, args=org, methods=("post",), payload={"staff": "1"}
    ),
    "cultivation_history": page(VIEW_FIGURES, *ORGS, args=org),
    "cultivation_assess": page(
        VIEW_FIGURES & may("cultivation.self_assess"),
        *ORG,
        args=lambda o, d: {"org": o.pk, "ruleset": "sme_tech"},
        methods=("post",),
        payload={"on": "2025-06-01"},
    ),
    "cultivation_assessment": page(finds(assessment.get_assessment), "assessment"),
    "cultivation_assessment_pdf": page(finds(assessment.get_assessment), "assessment"),
    "cultivation_import": page(may("cultivation.self_assess")),
    "cultivation_import_template": page(may("cultivation.self_assess")),
    "cultivation_pools": page(
        VIEW_POOLS,
        "nanguan_stay",
        args=lambda o, d: {},
        secret=lambda o, d: o.organisation.name,
        shows=SEES_STAY,
    ),
    "cultivation_admit": page(MANAGE_POOLS),
    "cultivation_scan": page(MANAGE_POOLS),
    "cultivation_stay": page(SEES_STAY, *STAYS),
    "cultivation_stay_exit": action(
        MANAGE_POOLS & SEES_STAY,
        *STAYS,
        payload={"exited_on": "2025-12-31", "reason": "越权出库", "reassess": ""},
    ),
    "cultivation_pool_history": page(
        VIEW_POOLS & VIEW_FIGURES, "organisation", "other_org", args=org
    ),
    "cultivation_spot_checks": page(SPOT),
    "cultivation_spot_check_create": page(SPOT),
    "cultivation_spot_check": page(SPOT, "spot_check"),
    "cultivation_subsidies": page(SUBSIDY),
    "cultivation_subsidy_create": page(SUBSIDY),
    "cultivation_subsidy": page(SUBSIDY, "subsidy_scheme"),
    "cultivation_subsidy_edit": page(
        SUBSIDY, "subsidy_scheme", methods=("post",), payload={"title": "被篡改的补助"}
    ),
    "cultivation_subsidy_compute": action(SUBSIDY, "subsidy_scheme"),
    "cultivation_subsidy_approve": action(SUBSIDY, "subsidy_scheme"),
    # cultivation API
    "cultivation-year-list": page(
        SIGNED_IN,
        "enterprise_year",
        args=lambda o, d: {},
        secret=lambda o, d: o.organisation.uscc,
        shows=ORG_FIGURES,
    ),
    "cultivation-year-detail": page(ORG_FIGURES, "enterprise_year", "nanguan_year"),
    "cultivation-assessment-list": page(SIGNED_IN),
    "cultivation-assessment-detail": page(ORG_FIGURES, "assessment"),
    "cultivation-pool-list": page(
        VIEW_POOLS,
        "nanguan_stay",
        args=lambda o, d: {},
        secret=lambda o, d: o.organisation.name,
        shows=SEES_STAY,
    ),
    "cultivation-pool-detail": page(SEES_STAY, *STAYS),
    "cultivation-pool-exit": action(
        MANAGE_POOLS & SEES_STAY,
        *STAYS,
        payload={"exited_on": "2025-12-31", "reason": "越权出库", "reassess": False},
    ),
    # transfer pages: TRL and screening
    "transfer_home": page(ANYONE),
    "transfer_achievement": page(SEES_ACHIEVEMENT, *ACH),
    "transfer_achievement_panel": page(
        ANYONE,
        *ACH,
        secret=lambda o, d: 'id="transfer-panel"',
        shows=SEES_ACHIEVEMENT,
        why="a fragment of the achievement page, empty for those who may not see the record",
    ),
    "transfer_trl_assess": page(
        SELF_ASSESS, *ACH, methods=("post",), payload={"level_1_met": "on"}
    ),
    "transfer_trl_pending": page(
        MANAGE_SCREENING | IS_EXPERT,
        "trl_assessment",
        args=lambda o, d: {},
        secret=lambda o, d: o.achievement.title,
        shows=finds(trl.get_assessment),
    ),
    "transfer_trl": page(
        finds(trl.get_assessment),
        "trl_assessment",
        methods=("post",),
        write=finds(trl.get_assessment)
        & Rule(
            lambda u, o, d: trl.confirm_refusal(u, o.achievement) is None, "trl.confirm_refusal"
        ),
        payload={"level": "6", "reason": "越权确认"},
    ),
    "transfer_screenings": page(MANAGE_SCREENING),
    "transfer_screening_create": page(MANAGE_SCREENING),
    "transfer_screening": page(MANAGE_SCREENING & SEES_SCREENING, "screening"),
    "transfer_screening_tasks": page(
        IS_EXPERT,
        "screening",
        args=lambda o, d: {},
        secret=lambda o, d: o.achievement.title,
        shows=ON_PANEL,
    ),
    "transfer_screening_sheet": page(
        ON_PANEL,
        "screening",
        methods=("post",),
        payload={"comment": "越权评分", **{f"score_{k}": "60" for k in ("advancement", "team")}},
    ),
    # transfer pages: catalogs
    "transfer_catalogs": page(
        ANYONE, "catalog", args=lambda o, d: {}, secret=lambda o, d: o.title, shows=SEES_CATALOG
    ),
    "transfer_catalog_create": page(MANAGE_CATALOGS),
    "transfer_catalog": page(SEES_CATALOG, "catalog"),
    "transfer_catalog_edit": page(
        MANAGE_CATALOGS, "catalog", methods=("post",), payload={"title": "被篡改的目录"}
    ),
    "transfer_catalog_candidates": page(MANAGE_CATALOGS, "catalog"),
    "transfer_catalog_entry_remove": action(
        MANAGE_CATALOGS,
        "catalog_entry",
        args=lambda o, d: {"pk": o.catalog_id, "entry": o.pk},
    ),
    "transfer_catalog_entry_move": action(
        MANAGE_CATALOGS,
        "catalog_entry",
        args=lambda o, d: {"pk": o.catalog_id, "entry": o.pk},
        payload={"direction": "up"},
    ),
    "transfer_catalog_publish": action(MANAGE_CATALOGS, "catalog"),
    "transfer_catalog_pdf": page(NOBODY, "catalog", why="a draft has no files yet"),
    "transfer_catalog_xlsx": page(NOBODY, "catalog", why="a draft has no files yet"),
    # transfer pages: valuation
    "transfer_valuation_home": page(SIGNED_IN),
    "transfer_valuations": page(VALUES, *ACH),
    "transfer_valuation_calculator": page(
        VALUES,
        *ACH,
        args=lambda o, d: {"pk": o.pk, "method": "income"},
        methods=("post",),
        payload={"variant": "profit_split", "save": "1"},
    ),
    "transfer_valuation": page(finds(valuation.get_report), "valuation"),
    # transfer pages: listings and contracts
    "transfer_listings": page(ANYONE),
    "transfer_listing_create": page(
        can("transfer.list"), *ACH, args=lambda o, d: {"achievement": o.pk}
    ),
    "transfer_listing": page(ANYONE, "listing"),
    "transfer_listing_bid": action(
        SIGNED_IN & Rule(lambda u, o, d: _bidder(u, o), "listings.bidding_organisation"),
        "listing",
        payload=BID,
    ),
    "transfer_listing_close": action(MANAGES_LISTING, "listing"),
    "transfer_listing_deal": action(
        MANAGES_LISTING, "listing", payload={"buyer": "长春买方", "price": "300000"}
    ),
    "transfer_listing_withdraw": action(MANAGES_LISTING, "listing", payload={"reason": "越权撤牌"}),
    "transfer_contracts": page(
        SIGNED_IN,
        *CONTRACTS,
        args=lambda o, d: {},
        secret=lambda o, d: o.title,
        shows=SEES_CONTRACT,
    ),
    "transfer_contract_create": page(SELLS),
    "transfer_registrar": page(REGISTRAR),
    "transfer_contract": page(SEES_CONTRACT, *CONTRACTS),
    "transfer_contract_edit": page(
        EDITS_CONTRACT, *CONTRACTS, methods=("post",), payload={"title": "被篡改的合同"}
    ),
    "transfer_contract_submit": action(EDITS_CONTRACT, *CONTRACTS),
    "transfer_contract_register": action(
        SEES_CONTRACT & REGISTRAR,
        *CONTRACTS,
        payload={"registered_kind": "development", "tech_amount": "800000"},
    ),
    "transfer_contract_refuse": action(
        SEES_CONTRACT & REGISTRAR, *CONTRACTS, payload={"reasons": "越权退回"}
    ),
    "transfer_statistics": page(STATISTICS),
    "transfer_funnel": page(STATISTICS),
    # transfer API
    "transfer-trl-assessment-list": page(
        SIGNED_IN,
        "trl_assessment",
        args=lambda o, d: {},
        secret=lambda o, d: o.achievement.title,
        shows=finds(trl.get_assessment),
    ),
    "transfer-trl-assessment-scale": page(SIGNED_IN),
    "transfer-trl-assessment-detail": page(finds(trl.get_assessment), "trl_assessment"),
    "transfer-trl-assessment-confirm": action(
        finds(trl.get_assessment)
        & Rule(lambda u, o, d: trl.confirm_refusal(u, o.achievement) is None, "confirm_refusal"),
        "trl_assessment",
        payload={"level": 6, "reason": "越权确认"},
    ),
    "transfer-screening-list": page(
        SIGNED_IN,
        "screening",
        args=lambda o, d: {},
        secret=lambda o, d: o.achievement.title,
        shows=SEES_SCREENING,
    ),
    "transfer-screening-indicators": page(SIGNED_IN),
    "transfer-screening-detail": page(SEES_SCREENING, "screening"),
    "transfer-screening-decide": action(
        MANAGE_SCREENING, "screening", payload={"decision": "rejected", "reasons": "越权结论"}
    ),
    "transfer-screening-experts": action(
        MANAGE_SCREENING, "screening", payload=lambda o, d: {"experts": []}
    ),
    "transfer-screening-sheet": action(
        ON_PANEL, "screening", payload={"scores": {"advancement": 60}, "comment": "越权评分"}
    ),
    "transfer-catalog-list": page(
        ANYONE, "catalog", args=lambda o, d: {}, secret=lambda o, d: o.title, shows=SEES_CATALOG
    ),
    "transfer-catalog-detail": page(
        SEES_CATALOG,
        "catalog",
        methods=("patch",),
        write=MANAGE_CATALOGS,
        payload={"title": "被篡改的目录"},
    ),
    "transfer-catalog-candidates": page(MANAGE_CATALOGS, "catalog"),
    "transfer-catalog-entries": action(
        MANAGE_CATALOGS, "catalog", payload=lambda o, d: {"screening": d.screening.pk}
    ),
    "transfer-catalog-remove-entry": action(
        MANAGE_CATALOGS,
        "catalog_entry",
        method="delete",
        args=lambda o, d: {"pk": o.catalog_id, "entry": o.pk},
    ),
    "transfer-catalog-reorder": action(
        MANAGE_CATALOGS, "catalog", payload=lambda o, d: {"entries": [d.catalog_entry.pk]}
    ),
    "transfer-catalog-publish": action(MANAGE_CATALOGS, "catalog"),
    "transfer-valuation-list": [
        page(
            SIGNED_IN,
            "valuation",
            args=lambda o, d: {},
            secret=lambda o, d: o.achievement.title,
            shows=finds(valuation.get_report),
        ),
        page(
            VALUES,
            *ACH,
            args=lambda o, d: {},
            query="achievement={o.pk}",
            why="the achievement asked about is in the query",
        ),
    ],
    "transfer-valuation-preview": Endpoint(get=False, why="computes nothing it keeps"),
    "transfer-valuation-detail": page(finds(valuation.get_report), "valuation"),
    "transfer-listing-list": page(ANYONE),
    "transfer-listing-detail": page(ANYONE, "listing"),
    "transfer-listing-bids": page(ANYONE, "listing"),
    "transfer-listing-bid": action(
        SIGNED_IN & Rule(lambda u, o, d: _bidder(u, o), "listings.bidding_organisation"),
        "listing",
        payload={"amount": "260000"},
    ),
    "transfer-listing-close": action(MANAGES_LISTING, "listing"),
    "transfer-listing-negotiate": action(
        MANAGES_LISTING,
        "listing",
        payload=lambda o, d: {"buyer": d.third_org.uscc, "price": "300000", "note": "越权"},
    ),
    "transfer-listing-withdraw": action(MANAGES_LISTING, "listing", payload={"reason": "越权撤牌"}),
    "transfer-contract-list": page(
        SIGNED_IN,
        *CONTRACTS,
        args=lambda o, d: {},
        secret=lambda o, d: o.title,
        shows=SEES_CONTRACT,
    ),
    "transfer-contract-detail": page(
        SEES_CONTRACT,
        *CONTRACTS,
        methods=("patch",),
        write=EDITS_CONTRACT,
        payload={"title": "被篡改的合同"},
    ),
    "transfer-contract-submit": action(EDITS_CONTRACT, *CONTRACTS),
    "transfer-contract-register": action(
        SEES_CONTRACT & REGISTRAR, *CONTRACTS, payload={"tech_amount": "800000"}
    ),
    "transfer-contract-refuse": action(
        SEES_CONTRACT & REGISTRAR, *CONTRACTS, payload={"reasons": "越权退回"}
    ),
    "transfer-statistics-contracts": page(STATISTICS),
    "transfer-statistics-funnel": page(STATISTICS),
    # the 科创大脑 pages
    "brain_home": page(BRAIN, ok=302, why="the entry sends on to the dashboard"),
    "brain_targets": page(BRAIN),
    "brain_catalog": page(BRAIN),
    "brain_catalog_load": action(CATALOG),
    "brain_indicator": page(BRAIN, "indicator", args=lambda o, d: {"code": o.code}),
    "brain_indicator_snapshot": action(CATALOG, "indicator", args=lambda o, d: {"code": o.code}),
    "brain_value_enter": page(ENTERS),
    "brain_import": page(may("brain.enter_value")),
    "brain_import_template": page(may("brain.enter_value")),
    "brain_index": page(BRAIN),
    "brain_index_sensitivity": page(BRAIN),
    "brain_index_methodology": page(BRAIN),
    "brain_dashboard": page(BRAIN),
    "brain_chains": page(BRAIN),
    "brain_chain": page(BRAIN, "chain", args=lambda o, d: {"code": o.code}),
    "brain_chain_node": page(
        BRAIN, "brain_node", args=lambda o, d: {"code": o.chain.code, "node": o.code}
    ),
    "brain_reports": page(BRAIN),
    "brain_report_file": page(BRAIN, "brain_report", args=lambda o, d: {"pk": o.pk, "fmt": "pdf"}),
    # the 科创大脑 API
    "brain-indicator-list": page(BRAIN),
    "brain-indicator-detail": page(BRAIN, "indicator", args=lambda o, d: {"code": o.code}),
    "brain-value-list": page(BRAIN),
    "brain-value-detail": page(SEES_VALUE, "brain_value", "nanguan_value"),
    "brain-comparison-list": page(BRAIN),
    "brain_index_api": page(BRAIN),
    "brain_charts_api": page(BRAIN),
}


def _bidder(user, listing) -> bool:
    try:
        listings.bidding_organisation(user, listing)
    except Exception:  # NotAllowed: the reason this user cannot bid
        return False
    return True


# Creating something for an organisation or achievement named in the body, not the URL.
VALUATION = {
    "method": "income",
    "variant": "profit_split",
    "revenue_mode": "list",
    "revenues": ["3000000", "5000000", "8000000"],
    "margin": "12",
    "share": "25",
    "discount_rate": "10",
}
also(
    TABLE,
    "cultivation-year-list",
    creates(
        CHANGE_FIGURES,
        "other_org",
        args=lambda o, d: {},
        payload=lambda o, d: {"organisation": o.uscc, "year": 2024, "revenue": "1"},
        rows=("nanguan_year",),
    ),
)
also(
    TABLE,
    "cultivation-assessment-list",
    creates(
        VIEW_FIGURES & may("cultivation.self_assess"),
        "other_org",
        args=lambda o, d: {},
        payload=lambda o, d: {"organisation": o.uscc, "ruleset": "sme_tech", "on": "2025-06-01"},
    ),
)
also(
    TABLE,
    "cultivation-pool-list",
    creates(
        MANAGE_POOLS,
        "other_org",
        args=lambda o, d: {},
        payload=lambda o, d: {
            "organisation": o.uscc,
            "tier": "hte",
            "entered_on": "2025-06-01",
            "reason": "越权入库",
        },
    ),
)
also(
    TABLE,
    "transfer-trl-assessment-list",
    creates(
        SELF_ASSESS,
        *ACH,
        args=lambda o, d: {},
        payload=lambda o, d: {"achievement": o.pk, "answers": TRL_ANSWERS},
    ),
)
also(
    TABLE,
    "transfer-valuation-list",
    creates(
        VALUES, *ACH, args=lambda o, d: {}, payload=lambda o, d: {"achievement": o.pk, **VALUATION}
    ),
)
also(
    TABLE,
    "transfer-listing-list",
    creates(
        can("transfer.list"),
        *ACH,
        args=lambda o, d: {},
        payload=lambda o, d: {
            "achievement": o.pk,
            "mode": "assignment",
            "reserve_price": "100000",
            "min_step": "1000",
            "starts_at": "2030-01-01T09:00:00+08:00",
            "ends_at": "2030-01-20T09:00:00+08:00",
        },
    ),
)
