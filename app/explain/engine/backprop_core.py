"""The network, forward pass, losses and chain rule behind the backprop calculator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field

from app.explain.engine.base import Params

Act = Literal["sigmoid", "tanh", "relu", "identity", "softmax"]
Loss = Literal["half_squared_error", "cross_entropy"]
Number = Annotated[float, Field(ge=-100, le=100, allow_inf_nan=False)]
Vector = Annotated[tuple[Number, ...], Field(min_length=1, max_length=16)]


class Layer(Params):
    """A dense layer: ``weights`` is out × in, ``bias`` defaults to zeros."""

    weights: Annotated[tuple[Vector, ...], Field(min_length=1, max_length=16)]
    bias: Vector | None = None
    activation: Act = "sigmoid"


# The seed's 3-2-1 network (s004-01): sigmoid everywhere, no biases. The seed lost its figure,
# so these numbers are ours; the structure and the notation w_ij are the seed's.
# Plain data (validated into Layer models) so the default shows up as JSON in describe().
SEED_LAYERS: tuple[dict[str, Any], ...] = (
    {"weights": ((0.1, 0.3, -0.2), (0.4, -0.1, 0.2)), "activation": "sigmoid"},
    {"weights": ((0.5, -0.3),), "activation": "sigmoid"},
)


class BackpropParams(Params):
    """Input, target, layers (first to last), loss and an optional learning rate."""

    x: Vector = (0.5, 1.0, -0.5)
    target: Number | Vector = 1.0
    layers: Annotated[tuple[Layer, ...], Field(min_length=1, max_length=4, validate_default=True)] = (
        SEED_LAYERS  # type: ignore[assignment]
    )
    loss: Loss = "half_squared_error"
    lr: Annotated[float, Field(gt=0, le=10, allow_inf_nan=False)] | None = None


@dataclass(frozen=True)
class Slipped:
    """Switches that reproduce common mistakes in the backward pass."""

    sign: float = 1.0  # −1: ∂L/∂y = t − y (the seed's sign error)
    output_derivative: bool = True
    hidden_derivative: bool = True
    input_is_z: bool = False  # multiplied δ by the previous layer's z instead of its a
    forgot_input: bool = False  # ∂L/∂W = δ, without the input a that W multiplies
    half: bool = True  # False: L = (y − t)², so every gradient doubles


def targets(p: BackpropParams) -> np.ndarray:
    return np.atleast_1d(np.asarray(p.target, dtype=np.float64))


def weights(p: BackpropParams) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W, b) per layer as arrays; a missing bias is a zero vector."""
    out = []
    for layer in p.layers:
        w = np.asarray(layer.weights, dtype=np.float64)
        b = np.asarray(layer.bias, dtype=np.float64) if layer.bias is not None else np.zeros(len(w))
        out.append((w, b))
    return out


def activate(name: str, z: np.ndarray) -> np.ndarray:
    """The activation of a whole layer (softmax is shifted by its max for stability)."""
    out: np.ndarray
    if name == "sigmoid":
        e = np.exp(-np.abs(z))
        out = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    elif name == "softmax":
        e = np.exp(z - z.max())
        out = e / e.sum()
    else:
        out = np.tanh(z) if name == "tanh" else np.maximum(z, 0.0) if name == "relu" else z.copy()
    return out


def jacobian(name: str, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """∂a/∂z: diagonal except for softmax (diag(p) − p pᵀ). ReLU′(0) = 0 as in PyTorch."""
    if name == "softmax":
        out: np.ndarray = np.diag(a) - np.outer(a, a)
        return out
    slope = {"sigmoid": a * (1 - a), "tanh": 1 - a * a, "relu": (z > 0).astype(float)}.get(
        name, np.ones_like(z)
    )
    return np.diag(slope)


def forward(
    p: BackpropParams, params: list[tuple[np.ndarray, np.ndarray]]
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Pre-activations z and activations a per layer; ``a[0]`` is the input."""
    acts, zs = [np.asarray(p.x, dtype=np.float64)], []
    for layer, (w, b) in zip(p.layers, params, strict=True):
        zs.append(w @ acts[-1] + b)
        acts.append(activate(layer.activation, zs[-1]))
    return zs, acts


def loss_value(p: BackpropParams, z_out: np.ndarray, y: np.ndarray) -> float:
    """½‖y − t‖², or cross-entropy computed from the logits (no log of 0)."""
    t = targets(p)
    if p.loss == "half_squared_error":
        return float(0.5 * np.sum((y - t) ** 2))
    if p.layers[-1].activation == "softmax":
        log_p = z_out - z_out.max() - np.log(np.sum(np.exp(z_out - z_out.max())))
        return float(-np.sum(t * log_p)) + 0.0  # + 0.0 turns −0.0 (p = 1 exactly) into 0.0
    # log σ(z) = −softplus(−z), log(1 − σ(z)) = −softplus(z)
    return float(np.sum(t * np.logaddexp(0, -z_out) + (1 - t) * np.logaddexp(0, z_out)))


def backward(
    p: BackpropParams, zs: list[np.ndarray], acts: list[np.ndarray], flags: Slipped
) -> list[dict[str, np.ndarray]]:
    """Gradients of every weight and bias by the chain rule, last layer first."""
    params, t, y = weights(p), targets(p), acts[-1]
    last = len(p.layers) - 1
    if p.loss == "cross_entropy":
        # σ or softmax followed by cross-entropy: the activation's derivative cancels, δ = y − t.
        delta = flags.sign * (y - t)
    else:
        delta = flags.sign * (y - t) * (1.0 if flags.half else 2.0)
        if flags.output_derivative:
            delta = jacobian(p.layers[last].activation, zs[last], y).T @ delta
    grads: list[dict[str, np.ndarray]] = []
    for k in range(last, -1, -1):
        below = zs[k - 1] if flags.input_is_z and k > 0 else acts[k]
        below = np.ones_like(below) if flags.forgot_input else below
        grads.insert(0, {"weights": np.outer(delta, below), "bias": delta.copy()})
        if k > 0:
            delta = params[k][0].T @ delta
            if flags.hidden_derivative:
                delta = jacobian(p.layers[k - 1].activation, zs[k - 1], acts[k]).T @ delta
    return grads
