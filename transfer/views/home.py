"""成果转化 home: a hub for everyone — open listings and published catalogs for the public; an
owner's achievements with their screening, valuation and listing pages; the organisation's
contracts and bids; the registrar's queue and statistics for the bureau."""

from __future__ import annotations

from django.db.models import Count, Max, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from core import permissions
from core.choices import Role
from transfer.choices import CatalogStatus, ContractStatus, ListingStatus
from transfer.models import Bid, Catalog, Listing, TechContract
from transfer.services import contracts, listings
from transfer.views.trading import tabs

SHOWN = 8  # open listings and achievements on the page; the full lists are linked


def home(request):
    user = request.user
    now = timezone.now()
    open_listings = list(
        listings.listings_for(user, status=ListingStatus.OPEN).order_by("ends_at", "pk")[:SHOWN]
    )
    for item in open_listings:
        item.phase = listings.phase(item, now)
    catalogs = [
        (c, reverse("transfer_catalog", args=[c.pk]))
        for c in Catalog.objects.filter(status=CatalogStatus.PUBLISHED).order_by("-published_at")[
            :SHOWN
        ]
    ]
    context = {
        "open_listings": open_listings,
        "open_count": Listing.objects.filter(status=ListingStatus.OPEN).count(),
        "catalogs": catalogs,
        "catalogs_url": reverse("transfer_catalogs"),
    }
    m = getattr(user, "current_membership", None)
    acting = getattr(user, "is_authenticated", False) and m is not None and m.is_active
    if acting and m.role not in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.LEADER):
        org = m.organisation
        mine = (
            listings.listable_achievements(user)
            .annotate(
                open_listing=Max("listings__pk", filter=Q(listings__status=ListingStatus.OPEN))
            )
            .order_by("-published_at", "-pk")
        )
        context["organisation"] = org
        context["achievement_count"] = mine.count()
        context["achievements"] = [
            {
                "record": a,
                "page": reverse("transfer_achievement", args=[a.pk]),
                "valuation": reverse("transfer_valuations", args=[a.pk]),
                "listing": reverse("transfer_listing", args=[a.open_listing])
                if a.open_listing
                else None,
                "list_url": reverse("transfer_listing_create", args=[a.pk])
                if permissions.can(user, "transfer.list", a)
                else None,
            }
            for a in mine[:SHOWN]
        ]
        own = TechContract.objects.filter(seller=org)
        context["contract_counts"] = {
            row["status"]: row["n"] for row in own.values("status").annotate(n=Count("pk"))
        }
        context["drafts"] = own.filter(status__in=contracts.EDITABLE).order_by("-created_at")[
            :SHOWN
        ]
        context["may_register"] = permissions.can(user, "transfer.register_contract")
        context["my_bids"] = (
            Listing.objects.filter(pk__in=Bid.objects.filter(organisation=org).values("listing"))
            .annotate(my_best=Max("bids__amount", filter=Q(bids__organisation=org)))
            .annotate(highest=Max("bids__amount"))
            .select_related("achievement")
            .order_by("-ends_at")[:SHOWN]
        )
    if permissions.can(user, "transfer.registrar"):
        context["queue_count"] = TechContract.objects.filter(
            status=ContractStatus.SUBMITTED
        ).count()
        context["awaiting_close"] = listings.listings_awaiting_close(now).count()
    context["statistics"] = permissions.can(user, "transfer.view_statistics")
    context["trade_tabs"] = tabs(user, "home")
    context["screening_url"] = reverse("transfer_screenings")
    return render(request, "transfer/home.html", context)
