"""The explain contract over HTTP (issue 5): list, solve, variant, errors."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.explain.engine import registry


def test_lists_every_calculator_with_schema_and_defaults(client: TestClient) -> None:
    listed = client.get("/api/v1/explain").json()
    assert [c["name"] for c in listed] == registry.names()
    conv = next(c for c in listed if c["name"] == "conv_output_size")
    assert conv["title"] == {"zh": "卷积输出尺寸", "en": "Convolution output size"}
    assert {"input", "kernel", "stride", "padding", "dilation"} <= set(conv["schema"]["properties"])
    assert conv["defaults"]["stride"] == [1, 1]


def test_solve_returns_normalised_params_steps_and_passing_checks(client: TestClient) -> None:
    body = client.post(
        "/api/v1/explain/conv_output_size", json={"input": 224, "kernel": 7, "stride": 2, "padding": 3}
    ).json()
    assert body["answer"] == [112, 112]
    assert body["params"] == {
        "input": [224, 224],
        "kernel": [7, 7],
        "stride": [2, 2],
        "padding": [3, 3],
        "dilation": [1, 1],
    }
    assert all(step["zh"] and step["en"] for step in body["steps"])
    assert body["checks"] and all(check["passed"] for check in body["checks"])


def test_invalid_parameters_name_the_parameter_and_the_rule(client: TestClient) -> None:
    response = client.post("/api/v1/explain/conv_output_size", json={"input": 3, "kernel": 7})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "kernel"]
    assert "larger than the padded input" in error["msg"]


def test_unknown_parameter_and_wrong_type_are_422(client: TestClient) -> None:
    response = client.post(
        "/api/v1/explain/conv_output_size", json={"input": "big", "kernel": 3, "colour": 1}
    )
    assert response.status_code == 422
    assert {tuple(e["loc"][1:2]) for e in response.json()["detail"]} == {("input",), ("colour",)}


def test_unknown_calculator_is_404(client: TestClient) -> None:
    assert client.post("/api/v1/explain/no_such", json={}).status_code == 404
    assert client.get("/api/v1/explain/no_such/variant").status_code == 404


def test_variant_is_deterministic_for_a_seed_with_three_named_slips(client: TestClient) -> None:
    first = client.get("/api/v1/explain/conv_output_size/variant?seed=11").json()
    again = client.get("/api/v1/explain/conv_output_size/variant?seed=11").json()
    assert first == again
    assert first["prompt"]["zh"] and first["prompt"]["en"]
    assert len(first["distractors"]) == 3
    assert all(d["answer"] != first["answer"] and d["why"]["en"] for d in first["distractors"])
    assert len({str(d["answer"]) for d in first["distractors"]}) == 3


def test_explain_pages_solve_and_practise(client: TestClient) -> None:
    html = client.get("/explain/conv_output_size?go=1&input=224&kernel=7&stride=2&padding=3&dilation=1").text
    assert "[112, 112]" in html and 'class="pass"' in html
    bad = client.get("/explain/conv_output_size?go=1&input=3&kernel=7").text
    assert 'role="alert"' in bad and "larger than the padded input" in bad
    practice = client.get("/explain/conv_output_size/practice?seed=3&pick=0").text
    assert 'class="verdict' in practice


def test_booleans_are_not_numbers_and_numbers_are_not_booleans(client: TestClient) -> None:
    wrong_number = client.post("/api/v1/explain/bn_forward", json={"x": [[1, 2], [3, 4]], "beta": False})
    assert wrong_number.status_code == 422
    assert wrong_number.json()["detail"][0]["loc"] == ["body", "beta"]
    in_a_matrix = client.post("/api/v1/explain/attention", json={"query": [[1, True]], "key": [[1, 0]]})
    assert in_a_matrix.json()["detail"][0]["loc"] == ["body", "query"]
    wrong_flag = client.post(
        "/api/v1/explain/pool_output_size", json={"input": 5, "kernel": 2, "ceil_mode": 0}
    )
    assert wrong_flag.status_code == 422
    assert wrong_flag.json()["detail"][0]["loc"] == ["body", "ceil_mode"]


def test_variant_asks_are_documented_and_checked_per_calculator(client: TestClient) -> None:
    assert client.get("/api/v1/explain/conv_params/variant?seed=1&ask=macs").status_code == 200
    wrong = client.get("/api/v1/explain/conv_output_size/variant?seed=1&ask=macs")
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"] == ["query", "ask"]
