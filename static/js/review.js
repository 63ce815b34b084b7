// Review by keyboard, Anki style, on top of the plain-form page (which works without this file).
//   Space / Enter  reveal (or check the answer given on the front)
//   1–6            pick an option on the front (a number card: digits start the answer);  1–4 rate on the back
//   U, Ctrl+Z      undo the last answer
// Forms marked data-swap are posted with fetch and the server's next page replaces <main>, so the
// rendering (Markdown, grading, intervals) stays in one place: the server.
"use strict";

(() => {
  const main = document.getElementById("main");
  let startedAt = performance.now();

  const card = () => main.querySelector("[data-review]");
  const details = () => main.querySelector("#reveal");
  const isBack = () => Boolean(details() && details().open);

  function elapsed() {
    const base = Number(card()?.dataset.elapsed || 0);
    return Math.round(base + performance.now() - startedAt);
  }

  function isTyping(el) {
    return el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement ||
      (el instanceof HTMLInputElement && !["checkbox", "radio", "submit", "button"].includes(el.type));
  }

  function setField(form, name, value) {
    const field = form.querySelector(`input[name="${name}"]`);
    if (field) field.value = String(value);
  }

  async function send(form, submitter) {
    setField(form, "elapsed_ms", elapsed());
    setField(form, "duration_ms", elapsed());
    const data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    main.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(data),
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      swap(await response.text(), response.redirected ? response.url : null);
    } catch (err) {
      // Let the browser do it the plain way (it will show any error page).
      if (submitter && submitter.name) {
        const hidden = Object.assign(document.createElement("input"), {
          type: "hidden", name: submitter.name, value: submitter.value,
        });
        form.append(hidden);
      }
      HTMLFormElement.prototype.submit.call(form);
    } finally {
      main.removeAttribute("aria-busy");
    }
  }

  function swap(html, url) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const next = doc.getElementById("main");
    if (!next) throw new Error("no <main> in the response");
    main.replaceChildren(...Array.from(next.childNodes)); // copied first: moving empties the live list
    document.title = doc.title;
    if (url) history.replaceState(null, "", url);
    start();
  }

  function reveal() {
    const box = details();
    if (!box || box.open) return;
    box.open = true;
  }

  function hasAnswer() {
    const form = main.querySelector("#check-form");
    if (!form) return false;
    const text = form.querySelector('input[name="answer"]');
    return Boolean(form.querySelector("input[name=choice]:checked") || (text && text.value.trim()));
  }

  function frontAction() {
    const form = main.querySelector("#check-form");
    if (form && hasAnswer()) form.requestSubmit();
    else reveal();
  }

  function pickOption(n) {
    const inputs = main.querySelectorAll("#check-form input[name=choice]:not(:disabled)");
    const input = inputs[n - 1];
    if (!input) return;
    input.checked = input.type === "radio" ? true : !input.checked;
    input.focus();
  }

  function rate(n) {
    const button = main.querySelector(`#rate-form button[data-rating="${n}"]`);
    if (button) main.querySelector("#rate-form").requestSubmit(button);
  }

  function undo() {
    main.querySelector("#undo-form")?.requestSubmit();
  }

  function isUndoKey(event) {
    const key = event.key.toLowerCase();
    return (event.ctrlKey && !event.shiftKey && key === "z") || (!event.ctrlKey && key === "u");
  }

  function onKey(event) {
    if (event.defaultPrevented || event.altKey || event.metaKey) return;
    const target = event.target;
    if (isUndoKey(event)) {
      if (isTyping(target)) return; // in a text field Ctrl+Z undoes the typing and U is a letter
      event.preventDefault();
      undo();
      return;
    }
    if (event.ctrlKey || !card()) return;
    const space = event.key === " " || event.key === "Enter";
    if (isTyping(target)) {
      // An empty answer field: Space or Enter just reveals; Escape hands the keys back to shortcuts.
      if (space && target.name === "answer" && !target.value.trim()) {
        event.preventDefault();
        reveal();
      } else if (event.key === "Escape") {
        target.blur();
        main.focus({ preventScroll: true });
      }
      return;
    }
    const field = main.querySelector('#check-form input[name="answer"]:not([readonly])');
    if (field && !isBack() && /^[0-9.,\-]$/.test(event.key)) {
      // A number card: typing a digit starts the answer (so U and Space stay shortcuts until then).
      event.preventDefault();
      field.focus();
      field.value += event.key;
      return;
    }
    if (/^[1-9]$/.test(event.key)) {
      event.preventDefault();
      if (isBack()) rate(Number(event.key));
      else pickOption(Number(event.key));
      return;
    }
    if (!space) return;
    const control = target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement ||
      target instanceof HTMLInputElement || target.tagName === "SUMMARY";
    if (!control) {
      event.preventDefault();
      if (isBack()) main.querySelector("#rate-form .suggested")?.click();
      else frontAction();
    } else if (event.key === "Enter" && target instanceof HTMLInputElement && !isBack()) {
      event.preventDefault(); // Enter on an option checks the answer (Space toggles it, natively)
      frontAction();
    }
  }

  // Open items: the share of key points ticked suggests the rating (all → Good, half → Hard, less → Again).
  function suggestFromChecklist() {
    const boxes = main.querySelectorAll("[data-checklist] input.kp");
    if (!boxes.length) return;
    const ticked = Array.from(boxes).filter((b) => b.checked).length;
    const share = ticked / boxes.length;
    const rating = share >= 1 ? 3 : share >= 0.5 ? 2 : 1;
    markSuggested(rating);
  }

  function markSuggested(rating) {
    main.querySelectorAll("#rate-form .rate-btn").forEach((b) => {
      b.classList.toggle("suggested", Number(b.dataset.rating) === rating);
    });
  }

  function focusSuggested() {
    main.querySelector("#rate-form .suggested")?.focus({ preventScroll: false });
  }

  function start() {
    startedAt = performance.now();
    window.deepprep?.typesetMath(main);
    const box = details();
    if (box) {
      box.addEventListener("toggle", () => {
        if (box.open) {
          card().dataset.state = "back";
          focusSuggested();
        }
      });
      main.querySelector("[data-checklist]")?.addEventListener("change", suggestFromChecklist);
    }
    if (box && box.open) focusSuggested();
    else main.focus({ preventScroll: true });
  }

  main.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-swap")) return;
    event.preventDefault();
    send(form, event.submitter);
  });
  document.addEventListener("keydown", onKey);
  start();
})();
