"""Golden numbers from famous networks, through the calculators exactly as a learner would use them."""

from __future__ import annotations

from typing import Any

import pytest

from app.explain.engine import registry


def solve(name: str, raw: dict[str, Any]) -> Any:
    result = registry.solve(name, raw)
    assert all(c["passed"] for c in result["checks"]), result["checks"]
    return result["answer"]


def conv(out: int, kernel: int, **extra: Any) -> dict[str, Any]:
    return {"type": "conv", "out_channels": out, "kernel": kernel, **extra}


# ---- LeNet-5 (the common modern form: full C3 connections, parameter-free pooling) -----------

LENET = {
    "input": [1, 32, 32],
    "layers": [
        conv(6, 5),
        {"type": "relu"},
        {"type": "pool", "kernel": 2},
        conv(16, 5),
        {"type": "relu"},
        {"type": "pool", "kernel": 2},
        conv(120, 5),
        {"type": "relu"},
        {"type": "flatten"},
        {"type": "linear", "out_features": 84},
        {"type": "relu"},
        {"type": "linear", "out_features": 10},
    ],
}


def test_lenet5_sizes_and_parameters() -> None:
    answer = solve("network_trace", LENET)
    spatial = [row["output"] for row in answer["layers"] if row["type"] in ("conv", "pool")]
    assert spatial == [[6, 28, 28], [6, 14, 14], [16, 10, 10], [16, 5, 5], [120, 1, 1]]
    params = [row["params"] for row in answer["layers"] if row["params"]]
    assert params == [156, 2_416, 48_120, 10_164, 850]  # LeCun's sparse C3 table had 1,516
    assert answer["total_params"] == 61_706
    assert solve("conv_output_size", {"input": 32, "kernel": 5}) == [28, 28]
    assert solve("pool_output_size", {"input": 28, "kernel": 2}) == [14, 14]
    assert (
        solve("conv_params", {"in_channels": 6, "out_channels": 16, "kernel": 5, "bias": True})["params"]
        == 2_416
    )


# ---- AlexNet conv1 ---------------------------------------------------------------------------


def test_alexnet_conv1_and_the_224_inconsistency() -> None:
    assert solve("conv_output_size", {"input": 227, "kernel": 11, "stride": 4}) == [55, 55]
    # The paper says 224×224, which does not give 55: (224 − 11)/4 + 1 = 54.25.
    assert solve("conv_output_size", {"input": 224, "kernel": 11, "stride": 4}) == [54, 54]
    # torchvision keeps 224 and pads by 2 instead: (224 + 4 − 11)/4 + 1 = 55.25 → 55.
    assert solve("conv_output_size", {"input": 224, "kernel": 11, "stride": 4, "padding": 2}) == [55, 55]
    layer = {"in_channels": 3, "out_channels": 96, "kernel": 11, "stride": 4, "input": 227, "bias": True}
    assert solve("conv_params", layer) == {"params": 34_944, "macs": 105_415_200, "output": [55, 55]}
    assert solve("pool_output_size", {"input": 55, "kernel": 3, "stride": 2}) == [27, 27]


# ---- VGG-16 ----------------------------------------------------------------------------------


def vgg16() -> dict[str, Any]:
    layers: list[dict[str, Any]] = []
    for block in ([64] * 2, [128] * 2, [256] * 3, [512] * 3, [512] * 3):
        for width in block:
            layers += [conv(width, 3, padding=1), {"type": "relu"}]
        layers.append({"type": "pool", "kernel": 2})
    layers.append({"type": "flatten"})
    for width in (4096, 4096):
        layers += [{"type": "linear", "out_features": width}, {"type": "relu"}]
    layers.append({"type": "linear", "out_features": 1000})
    return {"input": [3, 224, 224], "layers": layers}


def test_vgg16_has_138_million_parameters() -> None:
    answer = solve("network_trace", vgg16())
    assert answer["total_params"] == 138_357_544
    assert answer["total_macs"] == 15_470_264_320  # the quoted 15.5 G multiply-adds
    assert answer["output"] == [1000]
    pools = [row for row in answer["layers"] if row["type"] == "pool"]
    assert pools[-1]["output"] == [512, 7, 7]
    assert pools[-1]["receptive_field"] == [212, 212]
    assert pools[-1]["jump"] == [32, 32]


# ---- ResNet-50 ---------------------------------------------------------------------------------


RESNET_STEM = {
    "input": [3, 224, 224],
    "layers": [
        conv(64, 7, stride=2, padding=3, bias=False),
        {"type": "bn"},
        {"type": "relu"},
        {"type": "pool", "kernel": 3, "stride": 2, "padding": 1},
    ],
}


def test_resnet50_stem() -> None:
    assert solve("conv_output_size", {"input": 224, "kernel": 7, "stride": 2, "padding": 3}) == [112, 112]
    assert solve("pool_output_size", {"input": 112, "kernel": 3, "stride": 2, "padding": 1}) == [56, 56]
    answer = solve("network_trace", RESNET_STEM)
    assert answer["output"] == [64, 56, 56]
    assert answer["total_params"] == 9_408 + 128
    assert answer["total_macs"] == 9_408 * 112 * 112
    assert answer["layers"][-1]["receptive_field"] == [11, 11]
    assert answer["layers"][-1]["jump"] == [4, 4]


@pytest.mark.parametrize(("stride_on_3x3", "expected"), [(False, 483), (True, 427)])
def test_resnet50_receptive_field(stride_on_3x3: bool, expected: int) -> None:
    """483 for the original ResNet-50 (stride in the first 1×1), 427 for 'v1.5' (stride in the 3×3)."""
    layers = [{"kernel": 7, "stride": 2}, {"kernel": 3, "stride": 2}]
    for stage, blocks in enumerate([3, 4, 6, 3]):
        for block in range(blocks):
            stride = 2 if stage > 0 and block == 0 else 1
            first, middle = (1, stride) if stride_on_3x3 else (stride, 1)
            layers += [{"kernel": 1, "stride": first}, {"kernel": 3, "stride": middle}, {"kernel": 1}]
    assert solve("receptive_field", {"layers": layers}) == expected


# ---- MobileNet v1 ------------------------------------------------------------------------------


def mobilenet_v1() -> dict[str, Any]:
    layers = [conv(32, 3, stride=2, padding=1, bias=False), {"type": "bn"}, {"type": "relu"}]
    channels = 32
    plan = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), *[(512, 1)] * 5, (1024, 2), (1024, 1)]
    for out, stride in plan:
        layers += [conv(channels, 3, stride=stride, padding=1, groups=channels, bias=False), {"type": "bn"}]
        layers += [{"type": "relu"}, conv(out, 1, bias=False), {"type": "bn"}, {"type": "relu"}]
        channels = out
    layers += [{"type": "pool", "kernel": 7, "mode": "avg"}, {"type": "flatten"}]
    layers.append({"type": "linear", "out_features": 1000})
    return {"input": [3, 224, 224], "layers": layers}


def test_mobilenet_v1_totals() -> None:
    answer = solve("network_trace", mobilenet_v1())
    assert answer["total_params"] == 4_231_976  # 4.2 M, as in the paper and Keras' trainable count
    assert answer["total_macs"] == 568_740_352  # the paper's 569 M mult-adds
    assert answer["output"] == [1000]


def test_mobilenet_v1_separable_block() -> None:
    separable = {
        "in_channels": 512,
        "out_channels": 512,
        "kernel": 3,
        "type": "depthwise_separable",
        "input": 14,
        "padding": 1,
    }
    standard = {**separable, "type": "standard"}
    got, full = solve("conv_params", separable), solve("conv_params", standard)
    assert got["params"] == 9 * 512 + 512 * 512
    assert got["macs"] == (9 * 512 + 512 * 512) * 14 * 14
    assert got["macs"] / full["macs"] == pytest.approx(1 / 512 + 1 / 9)
