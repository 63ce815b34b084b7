// Typeset $…$ and $$…$$ that the server left in span.math / div.math (see app/core/markdown.py).
"use strict";

function typesetMath(root) {
  if (!window.katex) return;
  root.querySelectorAll(".math.inline, .math.block, .math.display").forEach((el) => {
    if (el.dataset.typeset) return;
    const display = !el.classList.contains("inline");
    try {
      window.katex.render(el.textContent.trim(), el, { displayMode: display, throwOnError: false });
      el.dataset.typeset = "1";
    } catch (err) {
      // Leave the source visible: readable LaTeX beats an empty box.
      console.warn("KaTeX could not render", el.textContent, err);
    }
  });
}

window.deepprep = { typesetMath };
document.addEventListener("DOMContentLoaded", () => typesetMath(document));
