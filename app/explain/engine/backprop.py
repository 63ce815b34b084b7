"""Back-propagation through a small fully connected network, checked by finite differences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from app.explain.engine.backprop_core import (
    BackpropParams,
    Layer,
    Slipped,
    activate,
    backward,
    forward,
    loss_value,
    targets,
    weights,
)
from app.explain.engine.backprop_text import SLIP_TEXTS, backprop_steps
from app.explain.engine.base import Calculator, Check, Slip, Solution, Text

_H = 1e-6


class Backprop(Calculator[BackpropParams]):
    """Output, loss and every gradient of a small network; optionally one SGD update."""

    name = "backprop"
    title = Text("反向传播", "Back-propagation")
    params_model = BackpropParams
    asks = ("grads", "loss", "output", "answer")
    tolerance = 1e-3

    def validate(self, p: BackpropParams) -> list[tuple[str, str]]:
        """Shapes chain from x through every layer to the target; losses fit their outputs."""
        errors: list[tuple[str, str]] = []
        width = len(p.x)
        for i, layer in enumerate(p.layers):
            rows = {len(r) for r in layer.weights}
            if rows != {width}:
                errors.append(
                    (
                        f"layers.{i}.weights",
                        f"every row needs {width} weights (the size of the "
                        f"layer's input), got row lengths {sorted(rows)}",
                    )
                )
            if layer.bias is not None and len(layer.bias) != len(layer.weights):
                errors.append(
                    (
                        f"layers.{i}.bias",
                        f"expected {len(layer.weights)} biases (one per output unit), got {len(layer.bias)}",
                    )
                )
            if layer.activation == "softmax" and i != len(p.layers) - 1:
                errors.append((f"layers.{i}.activation", "softmax is supported on the last layer only"))
            width = len(layer.weights)
        t = targets(p)
        if len(t) != width:
            errors.append(
                ("target", f"expected {width} target values (the network's output size), got {len(t)}")
            )
        last = p.layers[-1].activation
        if p.loss == "cross_entropy":
            if last not in ("sigmoid", "softmax"):
                errors.append(("loss", f"cross_entropy needs a sigmoid or softmax output layer, not {last}"))
            elif np.any((t < 0) | (t > 1)) or (last == "softmax" and abs(t.sum() - 1) > 1e-9):
                errors.append(
                    (
                        "target",
                        "cross-entropy targets must be probabilities (in [0, 1], summing to 1 for softmax)",
                    )
                )
        return errors

    def solve(self, p: BackpropParams) -> Solution:
        """Forward, loss, backward; finite differences and an independent forward check it."""
        params = weights(p)
        zs, acts = forward(p, params)
        loss = loss_value(p, zs[-1], acts[-1])
        grads = backward(p, zs, acts, Slipped())
        answer: dict[str, Any] = {"output": acts[-1].tolist(), "loss": loss, "grads": _plain(grads)}
        if p.lr is not None:
            answer["updated"] = _updated(p.lr, params, grads)
        checks = [_finite_difference_check(p, params, grads), _loop_forward_check(p, params, acts[-1])]
        checks.append(_directional_check(p, params, grads))
        return Solution(answer, backprop_steps(p, params, zs, acts, loss, grads), checks)

    def sample(self, rng: np.random.Generator, template: BackpropParams | None) -> BackpropParams:
        """The template's architecture, activations and loss with fresh one-decimal numbers."""
        base = template or BackpropParams()

        def pick(n: int) -> tuple[float, ...]:
            return tuple(
                float(v) for v in rng.choice([-0.5, -0.4, -0.3, -0.2, -0.1, 0.1, 0.2, 0.3, 0.4, 0.5], n)
            )

        layers = tuple(
            replace_layer(
                layer,
                tuple(pick(len(row)) for row in layer.weights),
                pick(len(layer.weights)) if layer.bias is not None else None,
            )
            for layer in base.layers
        )
        x = tuple(float(v) for v in rng.choice([-1.0, -0.5, 0.5, 1.0, 1.5, 2.0], len(base.x)))
        width = len(base.layers[-1].weights)
        if base.loss == "cross_entropy" and base.layers[-1].activation == "softmax":
            hot = int(rng.integers(width))
            target: Any = tuple(float(i == hot) for i in range(width))
        elif base.loss == "cross_entropy":
            target = tuple(float(v) for v in rng.integers(0, 2, width))
        else:
            target = tuple(float(v) for v in rng.choice([0.0, 0.5, 1.0], width))
        if isinstance(base.target, float) and width == 1:
            target = target[0]
        return BackpropParams(x=x, target=target, layers=layers, loss=base.loss, lr=base.lr)

    def prompt(self, p: BackpropParams, ask: str) -> Text:
        """Describe the network and ask for the requested quantity."""
        shape = "-".join(str(n) for n in [len(p.x), *(len(layer.weights) for layer in p.layers)])
        acts = ", ".join(layer.activation for layer in p.layers)
        layers = "; ".join(
            f"W{i + 1} = {_matrix(layer.weights)}"
            + (f", b{i + 1} = {list(layer.bias)}" if layer.bias else "")
            for i, layer in enumerate(p.layers)
        )
        what = {
            "grads": ("所有权重和偏置的梯度", "the gradient of every weight and bias"),
            "loss": ("损失", "the loss"),
            "output": ("网络输出", "the network's output"),
            "answer": ("输出、损失和全部梯度", "the output, the loss and every gradient"),
        }[ask]
        loss_zh = "L = ½(y − t)²" if p.loss == "half_squared_error" else "交叉熵"
        loss_en = "L = ½(y − t)²" if p.loss == "half_squared_error" else "cross-entropy"
        return Text(
            zh=f"一个 {shape} 的全连接网络（激活 {acts}），{layers}；输入 x = {list(p.x)}，"
            f"目标 t = {p.target}，损失 {loss_zh}。求{what[0]}。",
            en=f"A {shape} fully connected network (activations {acts}) has {layers}; "
            f"input x = {list(p.x)}, "
            f"target t = {p.target}, loss {loss_en}. Find {what[1]}.",
        )

    def slips(self, p: BackpropParams, ask: str) -> list[Slip]:
        """Sign error, missing activation derivatives, z for a, missing ½, output/loss slips."""
        params = weights(p)
        zs, acts = forward(p, params)
        answers: dict[str, Any] = {}
        if ask in ("grads", "answer"):
            switches = {"t_minus_y": Slipped(sign=-1.0)}
            if p.loss == "half_squared_error":
                switches["forgot_output_derivative"] = Slipped(output_derivative=False)
            switches["forgot_hidden_derivative"] = Slipped(hidden_derivative=False)
            switches["used_z_for_a"] = Slipped(input_is_z=True)
            switches["forgot_input"] = Slipped(forgot_input=True)
            if p.loss == "half_squared_error":
                switches["forgot_half"] = Slipped(half=False)
            answers = {k: _plain(backward(p, zs, acts, s)) for k, s in switches.items()}
        elif ask == "loss":
            answers = _loss_slips(p, zs[-1], acts[-1])
        else:
            answers = {
                "no_output_activation": zs[-1].tolist(),
                "no_hidden_activation": _forward_linear_hidden(p, params),
            }
            if any(layer.bias for layer in p.layers):
                answers["forgot_bias"] = _forward_no_bias(p, params)
            last = p.layers[-1].activation
            if last == "sigmoid":
                answers["sigmoid_sign"] = [float(v) for v in activate("sigmoid", -zs[-1])]
            elif last == "softmax":
                with np.errstate(over="ignore"):
                    unnormalised = np.exp(zs[-1])
                if np.all(np.isfinite(unnormalised)):
                    answers["softmax_unnormalised"] = [float(v) for v in unnormalised]
        out = []
        for name, value in answers.items():
            shown = value
            if ask == "answer":
                shown = {"output": acts[-1].tolist(), "loss": loss_value(p, zs[-1], acts[-1]), "grads": value}
                if p.lr is not None:
                    shown["updated"] = _updated(p.lr, params, value)
            out.append(Slip(name, *SLIP_TEXTS[name], shown))
        return out


def replace_layer(layer: Layer, w: tuple[tuple[float, ...], ...], b: tuple[float, ...] | None) -> Layer:
    return Layer(weights=w, bias=b, activation=layer.activation)


def _plain(grads: list[dict[str, np.ndarray]]) -> list[dict[str, Any]]:
    return [
        {"weights": np.asarray(g["weights"]).tolist(), "bias": np.asarray(g["bias"]).tolist()} for g in grads
    ]


def _matrix(rows: tuple[tuple[float, ...], ...]) -> str:
    return "[" + "; ".join(" ".join(f"{v:g}" for v in r) for r in rows) + "]"


def _updated(lr: float, params: list[tuple[np.ndarray, np.ndarray]], grads: Any) -> list[Any]:
    """One SGD step on every layer: W − η∇W, b − η∇b."""
    return [
        {
            "weights": (w - lr * np.asarray(g["weights"])).tolist(),
            "bias": (b - lr * np.asarray(g["bias"])).tolist(),
        }
        for (w, b), g in zip(params, grads, strict=True)
    ]


def _loss_slips(p: BackpropParams, z_out: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Wrong losses: no ½, |y − t|, loss on o; or the sign, log10, a lost term of cross-entropy."""
    t = targets(p)
    if p.loss == "half_squared_error":
        return {
            "loss_forgot_half": float(np.sum((y - t) ** 2)),
            "loss_abs": float(np.sum(np.abs(y - t))),
            "loss_no_output_activation": float(0.5 * np.sum((z_out - t) ** 2)),
        }
    loss = loss_value(p, z_out, y)
    out = {"loss_minus_sign": -loss, "loss_log10": loss / float(np.log(10))}
    if p.layers[-1].activation == "softmax":
        out["loss_forgot_normaliser"] = float(-np.sum(t * z_out))
    else:
        out["loss_dropped_negative_term"] = float(np.sum(t * np.logaddexp(0, -z_out)))
    return out


def _forward_linear_hidden(p: BackpropParams, params: list[tuple[np.ndarray, np.ndarray]]) -> list[float]:
    a = np.asarray(p.x, dtype=np.float64)
    for i, (layer, (w, b)) in enumerate(zip(p.layers, params, strict=True)):
        z = w @ a + b
        a = activate(layer.activation, z) if i == len(p.layers) - 1 else z
    return [float(v) for v in a]


def _forward_no_bias(p: BackpropParams, params: list[tuple[np.ndarray, np.ndarray]]) -> list[float]:
    a = np.asarray(p.x, dtype=np.float64)
    for layer, (w, _) in zip(p.layers, params, strict=True):
        a = activate(layer.activation, w @ a)
    return [float(v) for v in a]


# ---- checks -----------------------------------------------------------------------------------


def _loss_at(p: BackpropParams, params: list[tuple[np.ndarray, np.ndarray]]) -> float:
    zs, acts = forward(p, params)
    return loss_value(p, zs[-1], acts[-1])


def _richardson(f: Callable[[float], float]) -> tuple[float, float]:
    """Derivative of f at 0 by central differences at h and h/2, extrapolated (error O(h⁴)).

    Returns the estimate and |D(h) − D(h/2)|, the size of the truncation error: tiny for a
    well-scaled network, larger where huge weights make the loss sharply curved.
    """
    coarse = (f(_H) - f(-_H)) / (2 * _H)
    fine = (f(_H / 2) - f(-_H / 2)) / _H
    return (4 * fine - coarse) / 3, abs(fine - coarse)


def _finite_difference_check(
    p: BackpropParams, params: list[tuple[np.ndarray, np.ndarray]], grads: list[dict[str, np.ndarray]]
) -> Check:
    """Nudge every weight and bias by ±h (and ±h/2) and compare with the chain rule.

    Float64 resolves a pre-activation z only to about ε·|z|, so with huge logits the nudged loss
    is itself rounded; that rounding noise (ε·max|z|·max|δ|/h) is allowed on top of the spread.
    """
    zs, _ = forward(p, params)
    largest_z = max(float(np.max(np.abs(z))) for z in zs)
    largest_delta = max(float(np.max(np.abs(g["bias"]))) for g in grads)
    noise = 10 * np.finfo(float).eps * max(1.0, largest_z) * largest_delta / _H
    worst, count = 0.0, 0
    for k in range(len(params)):
        for slot, analytic in ((0, grads[k]["weights"]), (1, grads[k]["bias"])):
            for index in np.ndindex(analytic.shape):

                def nudged(
                    step: float, k: int = k, slot: int = slot, index: tuple[int, ...] = index
                ) -> float:
                    moved = [(x.copy(), y.copy()) for x, y in params]
                    moved[k][slot][index] += step
                    return _loss_at(p, moved)

                numeric, spread = _richardson(nudged)
                miss = abs(numeric - float(analytic[index])) - spread - noise
                worst = max(worst, miss / max(1.0, abs(numeric)))
                count += 1
    return Check(
        "finite_difference",
        worst < 1e-6,
        f"{count} parameters nudged by ±{_H:g}: max relative difference {max(worst, 0.0):.1e} "
        "(beyond the differences' own truncation error)",
    )


def _loop_forward_check(
    p: BackpropParams, params: list[tuple[np.ndarray, np.ndarray]], y: np.ndarray
) -> Check:
    """The forward pass again with plain Python sums, neuron by neuron."""
    a = [float(v) for v in p.x]
    for layer, (w, b) in zip(p.layers, params, strict=True):
        z = [sum(float(w[j, i]) * a[i] for i in range(len(a))) + float(b[j]) for j in range(len(w))]
        a = activate(layer.activation, np.asarray(z)).tolist()
    error = float(np.max(np.abs(np.asarray(a) - y)))
    return Check(
        "loop_forward", error < 1e-12, f"neuron-by-neuron forward pass gives {a}; difference {error:.1e}"
    )


def _directional_check(
    p: BackpropParams, params: list[tuple[np.ndarray, np.ndarray]], grads: list[dict[str, np.ndarray]]
) -> Check:
    """Along u = −g/‖g‖ the loss must fall at rate ‖g‖ (a central difference along u)."""
    norm = float(np.sqrt(sum(np.sum(g["weights"] ** 2) + np.sum(g["bias"] ** 2) for g in grads)))
    if norm == 0:
        return Check("directional_derivative", True, "every gradient is zero: a stationary point")

    def shifted(step: float) -> float:
        moved = [
            (w - step * g["weights"] / norm, b - step * g["bias"] / norm)
            for (w, b), g in zip(params, grads, strict=True)
        ]
        return _loss_at(p, moved)

    slope, spread = _richardson(shifted)
    ok = abs(slope + norm) <= 1e-6 * max(1.0, norm) + spread
    return Check(
        "directional_derivative",
        ok,
        f"moving against the gradient the loss falls at rate {-slope:.6g}; ‖g‖ = {norm:.6g}",
    )
