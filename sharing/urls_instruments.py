"""Routes of 仪器共享: instruments and their open slots, bookings, usage records and the
open-sharing statistics."""

from django.urls import path

from sharing.views import bookings, instruments

urlpatterns = [
    path("instruments/", instruments.instrument_list, name="sharing_instruments"),
    path("instruments/<int:pk>/", instruments.instrument_calendar, name="sharing_instrument"),
    path(
        "instruments/<int:pk>/slots/",
        instruments.instrument_slots,
        name="sharing_instrument_slots",
    ),
    path("slots/<int:pk>/book/", instruments.slot_book, name="sharing_slot_book"),
    path("slots/<int:pk>/withdraw/", instruments.slot_withdraw, name="sharing_slot_withdraw"),
    path("bookings/", bookings.booking_list, name="sharing_bookings"),
    path("bookings/<int:pk>/", bookings.booking_detail, name="sharing_booking"),
    path("bookings/<int:pk>/approve/", bookings.booking_approve, name="sharing_booking_approve"),
    path("bookings/<int:pk>/refuse/", bookings.booking_refuse, name="sharing_booking_refuse"),
    path("bookings/<int:pk>/cancel/", bookings.booking_cancel, name="sharing_booking_cancel"),
    path("bookings/<int:pk>/usage/", bookings.booking_usage, name="sharing_booking_usage"),
    path("bookings/<int:pk>/confirm/", bookings.usage_confirm, name="sharing_usage_confirm"),
    path("bookings/<int:pk>/dispute/", bookings.usage_dispute, name="sharing_usage_dispute"),
    path("statistics/", instruments.statistics, name="sharing_statistics"),
]
