"""The Jinja2 environments that write the advisor's HTML: the web pages (web/templates) and the
mining report (analysis/templates).

Every environment escapes every value it prints (autoescape on, for every template name), and a
variable a template uses but the caller did not pass is an error (StrictUndefined), never an empty
string. Values are escaped with the standard library's `html.escape(quote=True)` (`'` becomes
`&#x27;`, `"` becomes `&quot;`), as the pages and the report always were, so the output did not
change when they moved to templates. Markup (a macro's output) passes through unescaped.

Print each untrusted value in its own `{{ }}`: the `~` operator and the `join` filter escape their
parts with markupsafe instead (the same characters, spelled `&#39;` and `&#34;`).
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined
from markupsafe import Markup


def escaped(value: Any) -> Markup:
    """The environments' `finalize`: every printed value, escaped unless it is already Markup."""
    if hasattr(value, "__html__"):
        return Markup(value.__html__())
    return Markup(escape(str(value), quote=True))


def utc_day(ts: float) -> str:
    """A unix time as its UTC day: 2026-01-31."""
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d")


def environment(*packages: str) -> Environment:
    """An environment loading `<package>/templates/` of each package, first match first.

    Template names are unique across the packages (the report's all start with "report"), so a
    web page can extend the report."""
    env = Environment(
        loader=ChoiceLoader([PackageLoader(package, "templates") for package in packages]),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=escaped,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # `{{ share|spec(".1%") }}` is format(share, ".1%"): the format spec language of f-strings.
    env.filters["spec"] = format
    env.filters["utc_day"] = utc_day
    return env
