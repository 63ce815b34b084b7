"""Worked steps of the INF→NaN puzzle, in Chinese and English."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from app.explain.engine import nan_search as ns
from app.explain.engine.base import Step

if TYPE_CHECKING:
    from app.explain.engine.nan_puzzle import NanPuzzleParams


def kernel_text(kernel: np.ndarray) -> str:
    """``[[1,1,1],[1,0,1],[1,1,1]]`` → ``[1 1 1; 1 0 1; 1 1 1]``."""
    return "[" + "; ".join(" ".join(f"{v:g}" for v in row) for row in kernel) + "]"


def puzzle_steps(
    p: NanPuzzleParams,
    kernels: np.ndarray,
    search: ns.Search,
    counts: list[int],
    proven: bool,
    bound: int | None,
) -> list[Step]:
    """Rules, then the proof (default kernels) or the search, then the simulation and caveats."""
    steps = _rule_steps(p)
    if bound is not None:
        steps += _default_steps(p, bound)
    else:
        steps += _search_steps(search, proven)
    total = sum(counts)
    steps.append(
        Step(
            f"在 {p.height}×{p.width} 的 float32 图像上真的放好这些 INF、做 {len(counts)} 次 valid "
            f"卷积，数出各核的 NaN：{counts}，合计 {total}。",
            f"Placing these INFs in a real {p.height}×{p.width} float32 image and running the "
            f"{len(counts)} valid convolutions gives NaN counts {counts}, {total} in all.",
        )
    )
    steps += _caveat_steps(kernels)
    verdict_zh = "已证明是最少的" if proven else "是找到的最好结果，但未能证明最优"
    verdict_en = "proven to be the least possible" if proven else "the best found, not proven"
    steps.append(
        Step(f"答案：至少 {total} 个 NaN（{verdict_zh}）。", f"Answer: {total} NaN outputs ({verdict_en}).")
    )
    return steps


def _rule_steps(p: NanPuzzleParams) -> list[Step]:
    low, high = p.other_values
    return [
        Step(
            "IEEE 754 规则：INF×0 = NaN；w ≠ 0 时 INF×w = ±INF（符号跟着 w）；"
            "INF + (−INF) = NaN；NaN 再参与运算仍是 NaN。"
            f"其他像素都在 ({low:g}, {high:g}) 内，九个有限乘积相加不会溢出成 INF。",
            "IEEE 754 rules: INF×0 = NaN; INF×w = ±INF for w ≠ 0 (with the sign of w); "
            "INF + (−INF) = NaN; anything with a NaN stays NaN. The other pixels lie in "
            f"({low:g}, {high:g}), so the nine finite products cannot overflow into an INF.",
            r"\infty\cdot 0=\mathrm{NaN},\quad \infty\cdot w=\pm\infty\ (w\ne 0),\quad "
            r"\infty+(-\infty)=\mathrm{NaN}",
        ),
        Step(
            "所以一个输出是 NaN，当且仅当它的 3×3 窗口里有 INF 落在权重 0 上，或者窗口里的 INF "
            "同时乘上了正权重和负权重（核里有负数、或者有 −INF 像素时才会发生）。"
            "NaN 按输出位置计数：几个 INF 污染同一个输出只算一个 NaN。",
            "So an output is NaN exactly when its 3×3 window holds an INF on a zero weight, or "
            "INFs under weights of both signs (possible only with negative weights or −INF "
            "pixels). NaNs are counted per output position: several INFs poisoning the same "
            "output make one NaN.",
        ),
    ]


def _default_steps(p: NanPuzzleParams, bound: int) -> list[Step]:
    n, half = p.inf_count, min(p.height, p.width) // 2
    singles, pairs = ns.default_savings(n)
    rest = n - singles - 2 * pairs
    k2 = ns.single_kernel_minimum(n)
    steps = [
        Step(
            "INF 在像素 (i, j) 时（输出用窗口左上角编号）：核1 的 0 在中心，只污染 (i−1, j−1)，"
            "所以四条边上的 INF 对核1 无害；核2 的 0 在右上、左下，污染 (i, j−2) 和 (i−2, j)；"
            "核3 的 0 在左上、右下，污染 (i, j) 和 (i−2, j−2)；核4 的 0 在四个角，"
            "正好是核2 和核3 的 0 的并集，所以核4 的 NaN 集合 = 核2 的 ∪ 核3 的。",
            "An INF at pixel (i, j) (outputs named by their window's top-left pixel): kernel 1's "
            "zero is the centre, so it poisons only (i−1, j−1) and INFs on the border are "
            "harmless to it; kernel 2's zeros (top-right, bottom-left) poison (i, j−2) and "
            "(i−2, j); kernel 3's (top-left, bottom-right) poison (i, j) and (i−2, j−2); "
            "kernel 4's zeros are the four corners — the union of kernels 2 and 3 — so its NaN "
            "set is the union of theirs.",
            r"N_4 = N_2 \cup N_3",
        ),
        Step(
            "常见解法：INF 放在边上躲开核1；核2、核3 各有 8 个位置碰不到 0，"
            f"得 {n}−8；核4 处处有 0，得 {n}；合计 {n}+2({n}−8)。这个论证不成立："
            "核2 碰不到 0 的 8 个位置是左上、右下两个 2×2 角块，核3 的是右上、左下两个，"
            "没有哪个像素能同时躲开两者；而且多个 INF 可以共享一个 NaN——"
            f"单看核2，沿角上的反对角线把 INF 排满，{n} 个 INF 只产生 {k2} 个 NaN。"
            f"四个核各自的最小值相加只有 0+{k2}+{k2}+{n} = {2 * k2 + n}，证明不了下界。",
            "The usual explanation: put INFs on the border to dodge kernel 1; kernels 2 and 3 "
            f"each have 8 positions never met by a zero, giving {n}−8 each; kernel 4 has zeros "
            f"everywhere, giving {n}. The argument does not hold: kernel 2's 8 free positions "
            "are the top-left and bottom-right 2×2 corner blocks and kernel 3's the other two "
            "corners, so no pixel avoids both; and several INFs can share one NaN — kernel 2 "
            f"alone, with INFs filling the short anti-diagonals at the corners, gets {n} INFs "
            f"down to {k2} NaNs. Adding each kernel's own minimum gives only "
            f"0+{k2}+{k2}+{n} = {2 * k2 + n}, which proves nothing about the joint placement.",
        ),
        Step(
            "换个看法：核2、3、4 的 0 之间的偏移都是偶数，INF 只会污染与自己行、列奇偶性相同"
            "的输出。按 (行奇偶, 列奇偶) 把像素分成 4 类，每类是一张点阵，输出是点阵里的小方格："
            "核4 的输出 NaN ⇔ 方格四角有 INF；核3 ⇔ 主对角线两端有 INF；核2 ⇔ 反对角线两端有 INF。",
            "A better view: the zeros of kernels 2, 3 and 4 are an even number of rows and "
            "columns apart, so an INF only poisons outputs of its own row and column parity. "
            "Split the pixels into 4 parity classes; each is a lattice of points whose outputs "
            "are the little squares between them: kernel 4's output is NaN ⇔ a corner of the "
            "square is INF; kernel 3's ⇔ an end of its main diagonal; kernel 2's ⇔ an end of "
            "its anti-diagonal.",
        ),
        Step(
            "下界（这里 n = " + str(n) + f" < 短边的一半 {half}）："
            "(a) 一条有 ℓ 个点的主对角线上有 ℓ−1 个方格，放 m 个 INF 至少碰到 m 个方格，"
            "除非整条对角线都是 INF（只碰到 ℓ−1 个）：核3 ≥ n − 排满的主对角线数，核2 同理；"
            "(b) 每类点阵里总有空行、也没有排满的行，逐行比较得核4 ≥ n；"
            "(c) 核1 = 内部 INF 的个数，而长度 ≥ 3 的对角线必含内部像素，排满它省下的 1 个 "
            "NaN 又被核1 收回。真正免费的只有边界像素组成的短对角线：每个图像角的 2×2 块里 "
            "3 个边界像素各是一条长度 1 的对角线（共 12 条），每个角还有一条长度 2 的，"
            f"如 (0,2)-(2,0)（共 4 条）。所以 NaN ≥ 3n − {singles} − {pairs} = {bound}。",
            f"Lower bound (here n = {n} < half the shorter side, {half}): (a) a main diagonal "
            "of ℓ points has ℓ−1 squares, and m INFs on it touch at least m squares unless they "
            "fill it (then ℓ−1): kernel 3 ≥ n − (filled main diagonals), kernel 2 likewise; "
            "(b) every class has an empty row and no full row, so comparing row by row gives "
            "kernel 4 ≥ n; (c) kernel 1 = the number of interior INFs, and every diagonal of "
            "length ≥ 3 contains interior pixels, so filling one gives back the NaN it saves. "
            "Only short diagonals made of border pixels are free: the 3 border pixels of each "
            "image corner's 2×2 block are diagonals of length 1 (12 in all), and each corner "
            "has one of length 2 such as (0,2)-(2,0) (4 in all). Hence NaNs ≥ "
            f"3n − {singles} − {pairs} = {bound}.",
            r"N_1+N_2+N_3+N_4 \ge 0+(n-f_2)+(n-f_3)+n = 3n-(f_2+f_3) \ge "
            rf"3\cdot{n}-{singles}-{pairs} = {bound}",
        ),
        Step(
            f"达到下界的放法：四个角块里的 {singles} 个边界像素（各 2 个 NaN），"
            f"{pairs} 对 (0,2)/(2,0) 式的像素（每对 5 个），其余 {rest} 个放在第一行的偶数列 "
            "(0,4), (0,6), …（各恰好 3 个）。",
            f"A placement that meets the bound: the {singles} border pixels of the corner "
            f"blocks (2 NaNs each), {pairs} pairs like (0,2)/(2,0) (5 per pair), and the other "
            f"{rest} on the top row at even columns (0,4), (0,6), … (exactly 3 each).",
        ),
    ]
    if singles + pairs == 16:
        steps.append(
            Step(
                "巧合的是：16 条免费对角线里 8 条是反对角线（核2 少 8 个 NaN），8 条是主对角线"
                f"（核3 少 8 个），所以各核正好是 0、{n}−8、{n}−8、{n}——教科书的数字对了，理由却不对。",
                "A coincidence: 8 of the 16 free diagonals are anti-diagonals (kernel 2 saves 8 NaNs) "
                f"and 8 are main diagonals (kernel 3 saves 8), so the kernels show exactly 0, {n}−8, "
                f"{n}−8 and {n} — the textbook's numbers, for a different reason.",
            )
        )
    return steps


def _search_steps(search: ns.Search, proven: bool) -> list[Step]:
    if search.method == "dynamic_programme":
        return [
            Step(
                "核2、3、4 的 0 之间的偏移都是偶数，INF 只污染与自己行、列奇偶性相同的输出；"
                "按 (行奇偶, 列奇偶) 把像素分成 4 类，每类是一张点阵、输出是点阵中的小方格"
                "（核4：方格任一角有 INF；核3：主对角线一端有 INF；核2：反对角线一端有 INF），"
                "核1 对每个不在边上的 INF 记一个 NaN。",
                "The zeros of kernels 2, 3 and 4 are an even number of pixels apart, so an INF only poisons "
                "outputs of its own row and column parity. The 4 parity classes are lattices whose outputs "
                "are the squares between points (kernel 4: any corner INF; kernel 3: an end of the main "
                "diagonal; kernel 2: an end of the anti-diagonal), and kernel 1 costs one NaN per INF off "
                "the border.",
            ),
            Step(
                "图像不大，引擎对每一类逐行做动态规划（状态是上一行哪些点是 INF），"
                "得到“放 m 个 INF 的最少 NaN”，再把四类按 INF 个数合并（min-plus 卷积）。"
                "这是穷尽所有放法的精确结果。",
                "The image is small, so the engine runs a dynamic programme over each class row by row (the "
                "state is which points of the previous row are INF), giving the fewest NaNs for every "
                "number m of INFs, then combines the four classes over how the INFs are shared (a min-plus "
                "convolution). This covers every placement, so the result is exact.",
            ),
        ]
    if search.method == "exact_search":
        zh = (
            "图像不大，直接做精确搜索：每个像素一个 0/1 变量（是否 INF），每个输出一个变量"
            "（是否 NaN），约束写成“窗口里 0 权重上有 INF ⇒ NaN”和“正、负权重上都有 INF ⇒ "
            "NaN”，用分支定界（混合整数规划）求最少的 NaN。"
        )
        en = (
            "The image is small, so the engine searches exactly: a 0/1 variable per pixel "
            "(INF or not) and per output (NaN or not), with 'an INF on a zero weight ⇒ NaN' "
            "and 'INFs on both signs ⇒ NaN' as constraints, minimised by branch and bound "
            "(a mixed-integer programme)."
        )
        if proven:
            zh += "分支定界证明了没有更少 NaN 的放法。"
            en += " Branch and bound proves that no placement has fewer NaNs."
        else:
            zh += "但在时间预算内没有完成证明。"
            en += " It did not finish the proof within its time budget."
        return [Step(zh, en)]
    return [
        Step(
            "图像太大，无法穷举：引擎先算出每个像素单独放 INF 时会产生几个 NaN，再在四个角块和"
            "互相隔开 ≥ 3 像素的最便宜位置中做有限预算的搜索。结果是一个上界，没有证明最优。",
            "The image is too large for an exhaustive search: the engine scores each pixel by the "
            "NaNs a lone INF there would cause, then searches (on a budget) among the four corner "
            "blocks and the cheapest pixels spaced at least 3 apart. The result is an upper bound, "
            "not a proof.",
        )
    ]


def _caveat_steps(kernels: np.ndarray) -> list[Step]:
    symmetric = all(np.array_equal(k, k[::-1, ::-1]) for k in kernels)
    if symmetric:
        zh = (
            "深度学习里的“卷积”其实是互相关；真正的卷积要把核旋转 180°。这里每个核旋转 180° "
            "后不变，所以两种算法得到同样的 NaN 个数和同样的最优放法。"
        )
        en = (
            "Deep-learning 'convolution' is cross-correlation; a true convolution rotates the "
            "kernel by 180°. Every kernel here is unchanged by that rotation, so both give the "
            "same NaN count and the same best placement."
        )
    else:
        zh = (
            "深度学习里的“卷积”其实是互相关；真正的卷积把核旋转 180°。有的核旋转后会变，"
            "但把整张图（连同 INF 的位置）也旋转 180°，NaN 个数不变，所以最少 NaN 数相同，"
            "只是最优放法要旋转。"
        )
        en = (
            "Deep-learning 'convolution' is cross-correlation; a true convolution rotates the "
            "kernel by 180°. Some kernels here change under that rotation, but rotating the "
            "whole image (INF positions included) by 180° keeps every count, so the minimum "
            "is the same and only the best placement rotates."
        )
    return [
        Step(zh, en),
        Step(
            "这个计数只对直接（滑窗）卷积成立。FFT 卷积先对整张图做变换，一个 INF 会让所有频率"
            "分量变成 INF/NaN（INF − INF），逆变换后全部输出都是 NaN；Winograd 在每个输入小块"
            "上做加减变换，INF 会让整个输出小块（如 2×2）变成 NaN，而不管权重是不是 0。"
            "另外 scipy.ndimage.correlate 会跳过 0 权重，根本不会产生 INF×0 的 NaN。",
            "The count holds for direct (sliding-window) convolution only. An FFT convolution "
            "transforms the whole image, so one INF turns every frequency into INF/NaN (INF − "
            "INF) and every output into NaN; Winograd adds and subtracts within each input "
            "tile, so an INF turns a whole output tile (e.g. 2×2) into NaN whatever the weights. "
            "And scipy.ndimage.correlate skips zero weights, so it never produces INF×0 NaNs.",
        ),
    ]
