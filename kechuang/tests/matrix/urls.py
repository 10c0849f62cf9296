"""Every URL the project serves, by name, found by walking the root resolver.

DRF routers add a `.json`-style twin of each route (`format` suffix) and one `api-root` per
router; the twins run the same view as the route they copy, so they are folded into it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Not the platform's own endpoints: Django's admin and language switch, the generated schema.
EXCLUDED_PREFIXES = ("admin/", "i18n/", "static/", "media/")
EXCLUDED_NAMES = {"api_schema", "api_docs"}


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    view: str

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(x for x in (namespace, p.namespace or "") if x)
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            callback = p.callback
            view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
            view = view or callback
            yield prefix + str(p.pattern), name, f"{view.__module__}.{view.__qualname__}"


def project_routes() -> dict[str, Route]:
    """Route name → route, for every URL of the project outside the excluded ones."""
    routes: dict[str, Route] = {}
    for pattern, name, view in _walk(get_resolver().url_patterns):
        if pattern.startswith(EXCLUDED_PREFIXES) or name in EXCLUDED_NAMES:
            continue
        if "<format>" in pattern or "(?P<format>" in pattern or "<drf_format_suffix:" in pattern:
            continue
        if name is None:
            raise AssertionError(f"URL {pattern!r} has no name, so the matrix cannot classify it")
        routes.setdefault(name, Route(name, pattern, view))
    return routes
