"""HTML to PDF with WeasyPrint and one CJK font from the npm package @fontsource/noto-sans-sc.

Only the single-file "chinese-simplified" subsets are used: WeasyPrint merges the package's
unicode-range subsets into one PDF font and prints wrong characters (长春 → 长成), so the
standard CSS of the package must never be used here (STACK.md).
"""

from __future__ import annotations

from django.conf import settings

FONT_DIR = settings.BASE_DIR / "node_modules" / "@fontsource" / "noto-sans-sc" / "files"


def font_css() -> str:
    faces = []
    for weight in (400, 700):
        path = FONT_DIR / f"noto-sans-sc-chinese-simplified-{weight}-normal.woff"
        faces.append(
            f"@font-face {{ font-family: 'Noto Sans SC'; font-weight: {weight}; "
            f"src: url('{path.as_uri()}'); }}"
        )
    return "\n".join(faces)


def render_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()  # without it the @font-face rules are ignored
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[CSS(string=font_css(), font_config=fonts)], font_config=fonts
    )
