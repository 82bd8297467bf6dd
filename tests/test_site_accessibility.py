"""axe-core finds no serious or critical accessibility violation on any page."""

from __future__ import annotations

import pytest
from browser_support import (  # noqa: F401
    chromium,
    describe_violations,
    html_pages,
    open_page,
    run_axe,
    site_url,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("colour_scheme", ["light", "dark"])
def test_no_serious_or_critical_axe_violation_on_any_page(
    html_dir, site_url, chromium, colour_scheme  # noqa: F811
):
    found = {}
    for path in html_pages(html_dir):
        page, _ = open_page(chromium, site_url + path, color_scheme=colour_scheme)
        if path.startswith("chapters/"):
            page.wait_for_timeout(500)  # let embedded widgets render before the audit
        violations = describe_violations(run_axe(page))
        if violations:
            found[path] = violations
        page.context.close()
    assert found == {}
