"""A learner works a calculator and a generated variant in a real browser (issues 5 and 6)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_solve_with_the_form_and_see_typeset_steps_and_checks(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/explain/conv_output_size")
    page.get_by_label("input").fill("224")
    page.get_by_label("kernel").fill("7")
    page.get_by_label("stride").fill("2")
    page.get_by_label("padding").fill("3")
    page.get_by_label("dilation").fill("1")
    page.get_by_role("button", name="Solve").click()
    expect(page.locator(".answer-value")).to_contain_text("[112, 112]")
    expect(page.locator(".steps .katex").first).to_be_visible()
    expect(page.locator(".checks li.pass")).to_have_count(2)


def test_network_trace_takes_a_pasted_layer_list(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/explain/network_trace")
    page.get_by_label("input").fill("[1, 32, 32]")
    page.get_by_label("layers").fill(
        "- {type: conv, out_channels: 6, kernel: 5}\n- {type: pool, kernel: 2}\n- {type: flatten}\n"
        "- {type: linear, out_features: 10}"
    )
    page.get_by_role("button", name="Solve").click()
    expect(page.locator(".answer-value table")).to_be_visible()
    expect(page.locator(".answer-value")).to_contain_text("11926")


def test_practise_a_generated_variant_and_learn_the_slip(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/explain/conv_output_size/practice?seed=5")
    options = page.locator(".choices .choice")
    expect(options).to_have_count(4)
    options.nth(0).locator("input").check()
    page.get_by_role("button", name="Check answer").click()
    verdict = page.get_by_role("status")
    expect(verdict).to_have_text(re.compile(r"Correct|A common slip: .+"))
    expect(page.locator("details.reveal .steps li").first).to_be_visible()


def test_computed_item_in_chinese_with_working(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/lang/zh?next=/q/fx-computed")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.get_by_text("查看推导过程").click()
    expect(page.locator(".steps li").first).to_contain_text("输出")
    expect(page.locator(".checks li.pass").first).to_be_visible()
