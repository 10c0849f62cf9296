"""How the matrix describes one endpoint: which object it is opened on, who may read it and who
may write to it — each "who" asked of the permission service, never typed in by role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from core import permissions
from core.exceptions import ServiceError


class Rule:
    """A yes/no question about (user, target object, data), with a label for failure messages."""

    def __init__(self, test: Callable[[Any, Any, Any], bool], label: str):
        self.test = test
        self.label = label

    def __call__(self, user, obj, data) -> bool:
        return bool(self.test(user, obj, data))

    def __or__(self, other: Rule) -> Rule:
        return Rule(
            lambda u, o, d: self(u, o, d) or other(u, o, d), f"{self.label} | {other.label}"
        )

    def __and__(self, other: Rule) -> Rule:
        return Rule(
            lambda u, o, d: self(u, o, d) and other(u, o, d), f"{self.label} & {other.label}"
        )

    def __repr__(self) -> str:
        return self.label


ANYONE = Rule(lambda u, o, d: True, "anyone")
NOBODY = Rule(lambda u, o, d: False, "nobody")
SIGNED_IN = Rule(lambda u, o, d: u.is_authenticated, "signed in")


def can(perm: str, of: Callable[[Any, Any], Any] | None = None) -> Rule:
    """`core.permissions.can(user, perm, obj)`; `of(target, data)` picks the object asked about
    (the target itself by default)."""
    pick = of or (lambda o, d: o)
    return Rule(lambda u, o, d: permissions.can(u, perm, pick(o, d)), f"can({perm!r}, obj)")


def may(perm: str) -> Rule:
    """`core.permissions.can(user, perm)` with no object: "may they do this somewhere"."""
    return Rule(lambda u, o, d: permissions.can(u, perm), f"can({perm!r})")


def asks(predicate: Callable[..., bool], of: Callable[[Any, Any], Any] | None = None) -> Rule:
    """An app's own service predicate, e.g. `sharing.services.bookings.may_view_booking`."""
    pick = of or (lambda o, d: o)
    name = f"{predicate.__module__.rsplit('.', 1)[-1]}.{predicate.__name__}"
    return Rule(lambda u, o, d: u.is_authenticated and predicate(u, pick(o, d)), name)


def asks_user(predicate: Callable[[Any], bool]) -> Rule:
    """A service predicate about the user alone, e.g. `transfer.services.catalogs.may_manage`."""
    name = f"{predicate.__module__.rsplit('.', 1)[-1]}.{predicate.__name__}"
    return Rule(lambda u, o, d: predicate(u), name)


def finds(
    getter: Callable[[Any, Any], Any],
    key: Callable[[Any], Any] = lambda o: o.pk,
    *,
    anonymous: bool = False,
) -> Rule:
    """An app's "fetch it for this user" service (`get_booking_for(user, pk)` and the like),
    which every page and API view of the object goes through: allowed unless it refuses."""

    def test(u, o, d) -> bool:
        if not u.is_authenticated and not anonymous:
            return False
        try:
            getter(u, key(o))
        except (ServiceError, Http404, PermissionDenied):
            return False
        return True

    name = f"{getter.__module__.rsplit('.', 1)[-1]}.{getter.__name__}"
    return Rule(test, name)


def pk(o, d) -> dict:
    return {"pk": o.pk} if o is not None else {}


@dataclass(frozen=True)
class Endpoint:
    """One URL name of the project.

    `targets` name the objects of the matrix data the URL is opened on (none for a list or a
    form page); `args(target, data)` gives the URL's keyword arguments. `see` is who gets the
    page (200); everyone else must be refused. `methods` are the writes probed on the target;
    `write` is who may make them (the others must be refused and change nothing — `rows` name
    the objects whose rows are compared before and after). `get=False` marks a URL that only
    answers writes, and `reads=False` an entry that only probes writes (another entry of the
    same URL reads it); `ok` is what a granted read gets (a redirect for an entry page);
    `refused` adds statuses that count as a refusal for this URL (the login page sends a
    signed-in user on with a 302).

    Lists are where an object leaks without its own URL: with `secret(target, data)` (text only
    that object's row shows, such as its title) and `shows`, every granted read of the list
    must show the text exactly to the personas `shows` allows.
    """

    see: Rule = NOBODY
    targets: tuple[str, ...] = ()
    args: Callable[[Any, Any], dict] = pk
    get: bool = True
    reads: bool = True
    methods: tuple[str, ...] = ()
    write: Rule | None = None
    payload: dict | Callable[[Any, Any], dict] = field(default_factory=dict)
    rows: tuple[str, ...] | None = None
    query: str = ""
    ok: int = 200
    refused: tuple[int, ...] = ()
    secret: Callable[[Any, Any], str] | None = None
    shows: Rule | None = None
    why: str = ""

    @property
    def writer(self) -> Rule:
        return self.write if self.write is not None else self.see


def page(see: Rule, *targets: str, **kw) -> Endpoint:
    """A page (or API resource) read with GET; writes probed when `methods` are given."""
    return Endpoint(see=see, targets=targets, **kw)


def action(write: Rule, *targets: str, method: str = "post", **kw) -> Endpoint:
    """A URL that only answers a write (a form's POST or an API action)."""
    return Endpoint(see=NOBODY, targets=targets, get=False, methods=(method,), write=write, **kw)


def creates(write: Rule, *targets: str, **kw) -> Endpoint:
    """A POST to a list that creates something for the target named in the body (an
    organisation's figures, an achievement's listing): refused unless `write` allows it."""
    return Endpoint(targets=targets, reads=False, methods=("post",), write=write, **kw)


def also(table: dict, name: str, *more: Endpoint) -> None:
    """Add entries to a URL the table already classifies."""
    current = table[name]
    table[name] = [*(current if isinstance(current, list) else [current]), *more]
