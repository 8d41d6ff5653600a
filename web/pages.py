"""The web app's HTML pages, rendered from the Jinja2 templates in web/templates/ (the insights
page extends the report's template in analysis/templates/). Autoescape is on and an undefined
variable is an error: see advisor.templating."""

from __future__ import annotations

from typing import Any

from advisor.templating import environment

TEMPLATES = environment("web", "analysis")


def render(name: str, **context: Any) -> str:
    """The page `name` (a file in web/templates/) with `context` as its variables."""
    return TEMPLATES.get_template(name).render(context)
