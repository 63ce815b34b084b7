"""Cheapest order to multiply a chain of matrices (s001-50), by dynamic programming."""

from __future__ import annotations

import itertools
import string
from collections.abc import Sequence
from functools import cache
from typing import Annotated, Any

import numpy as np
from pydantic import Field

from app.explain.engine.base import Calculator, Check, Params, Slip, Solution, Step, Text

Dim = Annotated[int, Field(strict=True, ge=1, le=100_000)]
NAMES = string.ascii_uppercase
BRUTE_FORCE_MAX = 10  # matrices; Catalan(9) = 4862 orders
LIST_ALL_MAX = 5  # list every order in the steps up to this many matrices (14 orders)
_NUMPY_BUDGET = 20_000_000  # scalar multiplications for the real NumPy product


class MatrixChainParams(Params):
    """``dims = [p0, p1, …, pn]``: matrix k is p_{k−1} × p_k."""

    dims: Annotated[tuple[Dim, ...], Field(min_length=3, max_length=27)] = (10, 100, 5, 50)


def optimal(dims: Sequence[int]) -> tuple[list[list[int]], list[list[int]]]:
    """DP tables: cost[i][j] of multiplying matrices i..j, and the split k (smallest on ties)."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(2, n + 1):
        for i in range(n - length + 1):
            j = i + length - 1
            cost[i][j], split[i][j] = min(
                (cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1], k) for k in range(i, j)
            )
    return cost, split


def order_text(split: list[list[int]], i: int, j: int) -> str:
    """Fully parenthesised order, e.g. ``((AB)C)``."""
    if i == j:
        return NAMES[i]
    k = split[i][j]
    return f"({order_text(split, i, k)}{order_text(split, k + 1, j)})"


def all_orders(dims: Sequence[int]) -> list[tuple[str, int]]:
    """Every parenthesisation with its cost, by brute-force recursion (no DP table)."""

    @cache
    def orders(i: int, j: int) -> tuple[tuple[str, int], ...]:
        if i == j:
            return ((NAMES[i], 0),)
        out = []
        for k in range(i, j):
            for left, a in orders(i, k):
                for right, b in orders(k + 1, j):
                    out.append((f"({left}{right})", a + b + dims[i] * dims[k + 1] * dims[j + 1]))
        return tuple(out)

    return list(orders(0, len(dims) - 2))


def sequential(dims: Sequence[int], from_left: bool) -> tuple[str, int]:
    """Left-to-right ((AB)C)… or right-to-left A(B(C…)) and its cost."""
    n = len(dims) - 1
    if from_left:
        text, cost = NAMES[0], 0
        for k in range(1, n):
            text, cost = f"({text}{NAMES[k]})", cost + dims[0] * dims[k] * dims[k + 1]
        return text, cost
    text, cost = NAMES[n - 1], 0
    for k in range(n - 2, -1, -1):
        text, cost = f"({NAMES[k]}{text})", cost + dims[k] * dims[k + 1] * dims[n]
    return text, cost


def greedy(dims: Sequence[int]) -> tuple[str, int]:
    """Always multiply the adjacent pair that is cheapest right now (a tempting, wrong rule)."""
    items = [(NAMES[k], dims[k], dims[k + 1]) for k in range(len(dims) - 1)]
    cost = 0
    while len(items) > 1:
        k = min(range(len(items) - 1), key=lambda i: items[i][1] * items[i][2] * items[i + 1][2])
        (a, r, m), (b, _, c) = items[k], items[k + 1]
        cost += r * m * c
        items[k : k + 2] = [(f"({a}{b})", r, c)]
    return items[0][0], cost


class MatrixChain(Calculator[MatrixChainParams]):
    """Fewest scalar multiplications to form A·B·C·…, and the order that achieves it."""

    name = "matrix_chain"
    title = Text("矩阵连乘的最优顺序", "Cheapest matrix-chain order")
    params_model = MatrixChainParams
    asks = ("cost", "order", "answer")

    def solve(self, p: MatrixChainParams) -> Solution:
        """Dynamic programme; brute force and a real instrumented NumPy product check it."""
        cost, split = optimal(p.dims)
        n = len(p.dims) - 1
        best, order = cost[0][n - 1], order_text(split, 0, n - 1)
        answer: dict[str, Any] = {"cost": best, "order": order}
        checks = []
        if n <= BRUTE_FORCE_MAX:
            checks.append(_brute_force_check(p.dims, best, order))
        checks.append(_numpy_check(p.dims, order, best))
        return Solution(answer, _steps(p.dims, cost, answer), checks)

    def sample(self, rng: np.random.Generator, template: MatrixChainParams | None) -> MatrixChainParams:
        """As many matrices as the template (3 by default), with a unique cheapest order."""
        count = len(template.dims) - 1 if template else 3
        grid = [2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 100]
        while True:
            dims = tuple(int(v) for v in rng.choice(grid, count + 1))
            if count > BRUTE_FORCE_MAX:
                return MatrixChainParams(dims=dims)
            costs = sorted(c for _, c in all_orders(dims))
            if len(costs) == 1 or costs[0] < costs[1]:
                return MatrixChainParams(dims=dims)

    def prompt(self, p: MatrixChainParams, ask: str) -> Text:
        """'A is 10×100, B is 100×5, …: in which order should ABC… be multiplied?'"""
        shapes = "，".join(f"{NAMES[k]} 为 {p.dims[k]}×{p.dims[k + 1]}" for k in range(len(p.dims) - 1))
        shapes_en = ", ".join(f"{NAMES[k]} is {p.dims[k]}×{p.dims[k + 1]}" for k in range(len(p.dims) - 1))
        chain = NAMES[: len(p.dims) - 1]
        what = {
            "cost": ("最少需要多少次标量乘法", "what is the least number of scalar multiplications"),
            "order": (
                "按什么顺序（完整加括号）计算最省",
                "in which order (fully parenthesised) is it cheapest",
            ),
            "answer": ("最省的顺序和它的乘法次数", "what is the cheapest order and its cost"),
        }[ask]
        return Text(
            zh=f"计算稠密矩阵乘积 {chain}，其中 {shapes}。{what[0]}？",
            en=f"The dense product {chain} is computed where {shapes_en}: {what[1]}?",
        )

    def slips(self, p: MatrixChainParams, ask: str) -> list[Slip]:
        """Left to right, right to left, the greedy cheapest pair, the worst order, flops."""
        n = len(p.dims) - 1
        best = optimal(p.dims)[0][0][n - 1]
        worst = max(all_orders(p.dims), key=lambda o: o[1]) if n <= BRUTE_FORCE_MAX else None
        candidates: dict[str, tuple[str, int] | None] = {
            "left_to_right": sequential(p.dims, from_left=True),
            "greedy_cheapest_pair": greedy(p.dims),
            "right_to_left": sequential(p.dims, from_left=False),
            "worst_order": worst,
        }
        out = []
        for name, found in candidates.items():
            if found is not None:
                value: Any = {"cost": found[1], "order": found[0]}
                out.append(Slip(name, *SLIP_TEXTS[name], value if ask == "answer" else value[ask]))
        table, split = optimal(p.dims)
        k = split[0][n - 1]
        order = order_text(split, 0, n - 1)
        for name, wrong in (
            ("counted_flops", 2 * best),
            ("forgot_last_product", table[0][k] + table[k + 1][n - 1]),
        ):
            if ask != "order":
                out.append(
                    Slip(name, *SLIP_TEXTS[name], wrong if ask == "cost" else {"cost": wrong, "order": order})
                )
        return out


SLIP_TEXTS = {
    "left_to_right": (
        Text("从左到右依次相乘", "multiplied left to right"),
        Text(
            "矩阵乘法满足结合律，顺序可以选，从左到右不一定最省。",
            "Matrix products are associative: left to right is only one of the choices.",
        ),
    ),
    "right_to_left": (
        Text("从右到左依次相乘", "multiplied right to left"),
        Text("同样只是众多顺序之一。", "Again just one of the possible orders."),
    ),
    "greedy_cheapest_pair": (
        Text("每次先乘当前最便宜的一对", "always multiplied the cheapest pair first"),
        Text(
            "贪心看不到后续代价，需要动态规划比较所有拆分点。",
            "Greedy ignores what the product costs later; the DP compares every split.",
        ),
    ),
    "worst_order": (
        Text("选了最贵的顺序", "picked the most expensive order"),
        Text("要最少乘法次数，而不是最多。", "We want the fewest multiplications, not the most."),
    ),
    "forgot_last_product": (
        Text("漏算了最后一次相乘", "forgot the cost of the last product"),
        Text(
            "两个部分积相乘本身也要 p_i·p_k·p_j 次乘法。",
            "Multiplying the two partial products costs p_i·p_k·p_j multiplications too.",
        ),
    ),
    "counted_flops": (
        Text("把乘加都算成运算", "counted multiply-adds as two operations"),
        Text(
            "题目数的是标量乘法：(a×b)(b×c) 需要 abc 次。",
            "The cost counts scalar multiplications: (a×b)(b×c) takes abc.",
        ),
    ),
}


def _steps(dims: Sequence[int], cost: list[list[int]], answer: dict[str, Any]) -> list[Step]:
    n = len(dims) - 1
    steps = [
        Step(
            "(a×b) 乘 (b×c) 得到 a×c，每个元素要 b 次乘法，共 abc 次标量乘法。矩阵乘法满足结合律，"
            "不同的加括号方式结果相同，但代价可以差很多。",
            "An (a×b) times (b×c) product is a×c and each entry takes b multiplications: abc in all. "
            "Matrix products are associative, so every parenthesisation gives the same result at very "
            "different costs.",
            r"\mathrm{cost}\big((a\times b)(b\times c)\big) = abc",
        )
    ]
    if n == 3:
        p0, p1, p2, p3 = dims
        ab, abc = p0 * p1 * p2, p0 * p2 * p3
        bc, a_bc = p1 * p2 * p3, p0 * p1 * p3
        steps.append(
            Step(
                f"三个矩阵只有两种顺序：(AB)C 代价 p0p1p2 + p0p2p3 = {ab} + {abc} = {ab + abc}；"
                f"A(BC) 代价 p1p2p3 + p0p1p3 = {bc} + {a_bc} = {bc + a_bc}。",
                f"Three matrices have two orders: (AB)C costs p0p1p2 + p0p2p3 = {ab} + {abc} = "
                f"{ab + abc}; A(BC) costs p1p2p3 + p0p1p3 = {bc} + {a_bc} = {bc + a_bc}.",
                r"(AB)C:\ p_0p_1p_2 + p_0p_2p_3,\qquad A(BC):\ p_1p_2p_3 + p_0p_1p_3",
            )
        )
        steps.append(
            Step(
                "若 m < n < p < q（A 为 m×n，B 为 n×p，C 为 p×q），则 mnp < mnq 且 mpq < npq，"
                "所以 (AB)C 一定更省。",
                "If m < n < p < q (A m×n, B n×p, C p×q) then mnp < mnq and mpq < npq, so (AB)C always wins.",
            )
        )
    elif n <= LIST_ALL_MAX:
        listed = "；".join(f"{o} = {c}" for o, c in sorted(all_orders(dims), key=lambda oc: oc[1]))
        steps.append(
            Step(
                f"{n} 个矩阵共有 {len(all_orders(dims))} 种顺序：{listed}。",
                f"{n} matrices have {len(all_orders(dims))} orders: {listed.replace('；', '; ')}.",
            )
        )
    if n > 3:
        steps.append(
            Step(
                "顺序数是卡特兰数，增长很快；动态规划按链长从短到长填表："
                "m[i][j] 是第 i 到 j 个矩阵的最小代价，枚举最后一次相乘的拆分点 k。",
                "The number of orders is a Catalan number and grows fast; the dynamic programme fills a "
                "table by chain length: m[i][j] is the cheapest cost of matrices i..j, trying every split k "
                "for the last product.",
                r"m[i][j] = \min_{i\le k<j} \big(m[i][k] + m[k+1][j] + p_{i-1}p_kp_j\big)",
            )
        )
        for length in range(2, min(n, 6) + 1):
            row = "，".join(
                f"{NAMES[i]}..{NAMES[i + length - 1]} = {cost[i][i + length - 1]}"
                for i in range(n - length + 1)
            )
            steps.append(Step(f"长度 {length}：{row}。", f"Length {length}: {row.replace('，', ', ')}."))
    steps.append(
        Step(
            f"最省的顺序是 {answer['order']}，共 {answer['cost']} 次标量乘法。",
            f"The cheapest order is {answer['order']} with {answer['cost']} scalar multiplications.",
        )
    )
    return steps


def _brute_force_check(dims: Sequence[int], cost: int, order: str) -> Check:
    orders = all_orders(dims)
    best = min(c for _, c in orders)
    mine = dict(orders)[order]
    return Check(
        "brute_force",
        best == cost == mine,
        f"all {len(orders)} parenthesisations enumerated: the minimum is {best}; {order} costs {mine}",
    )


def _numpy_check(dims: Sequence[int], order: str, cost: int) -> Check:
    """Multiply real random matrices in ``order``, counting the scalar multiplications."""
    if cost > _NUMPY_BUDGET or max(a * b for a, b in itertools.pairwise(dims)) > _NUMPY_BUDGET:
        return Check("numpy_product", True, "skipped: the chain is too large to multiply here")
    rng = np.random.default_rng(0)
    mats = {NAMES[k]: rng.random((dims[k], dims[k + 1])) for k in range(len(dims) - 1)}
    counted = 0

    def evaluate(text: str) -> np.ndarray:
        nonlocal counted
        if len(text) == 1:
            return mats[text]
        depth, inner = 0, text[1:-1]
        for cut, ch in enumerate(inner):
            depth += {"(": 1, ")": -1}.get(ch, 0)
            if depth == 0:
                left, right = evaluate(inner[: cut + 1]), evaluate(inner[cut + 1 :])
                counted += left.shape[0] * left.shape[1] * right.shape[1]
                product: np.ndarray = left @ right
                return product
        raise ValueError(text)

    result = evaluate(order)
    reference = mats[NAMES[0]]
    for k in range(1, len(dims) - 1):
        reference = reference @ mats[NAMES[k]]
    same = bool(np.allclose(result, reference, rtol=1e-9, atol=0))
    return Check(
        "numpy_product",
        counted == cost and same,
        f"NumPy product in this order used {counted} multiplications and equals the left-to-right product",
    )
