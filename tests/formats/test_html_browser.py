"""The HTML report in real headless Chromium: it renders offline, the chart is drawn, the filters work."""

from __future__ import annotations

from pathlib import Path

from garrison.core.severity import Severity
from garrison.formats.base import WriteOptions, get_writer
from garrison.policy.gate import GatePolicy, evaluate
from tests.browser import CHROMIUM, FLAGS, png_colours
from tests.factories import finding, report, vuln, waived


def test_html_report_renders_and_filters(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    rep = report(
        finding("secrets.aws-access-key-id", Severity.CRITICAL, path="src/settings.py", anchor="1"),
        finding("files.dotenv", Severity.MEDIUM, path=".env", anchor="2"),
        vuln(),
        suppressed=(waived(finding("secrets.generic-password", Severity.LOW, path="tests/fx.py", anchor="3")),),
    )
    html = get_writer("html").write(rep, evaluate(rep.findings, GatePolicy(fail_on=Severity.HIGH)), WriteOptions())
    page_file = tmp_path / "report.html"
    page_file.write_bytes(html)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_file.as_uri())
        rows = page.locator("#findings tbody tr")
        expect(page.locator("#count")).to_have_text("4 of 4 shown")
        expect(page.locator("svg rect")).to_have_count(5)

        page.fill("#q", "settings.py")
        expect(page.locator("#count")).to_have_text("1 of 4 shown")
        expect(rows.filter(visible=True)).to_contain_text("secrets.aws-access-key-id")

        page.fill("#q", "")
        page.select_option("#sev", "high")
        expect(page.locator("#count")).to_have_text("2 of 4 shown")
        page.select_option("#sev", "")
        page.select_option("#status", "suppressed")
        expect(rows.filter(visible=True)).to_contain_text("secrets.generic-password")
        page.select_option("#status", "")
        page.select_option("#kind", "vulnerability")
        expect(page.locator("#count")).to_have_text("1 of 4 shown")

        png = page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        assert png_colours(png) > 20, "the report looks blank"
        assert requests == [page_file.as_uri()], "the report must not load anything"
        browser.close()
