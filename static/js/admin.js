// The admin editor: tabs (form / raw YAML), kind-specific fields, option and key-point rows,
// and a live preview rendered by the server with the learners' own templates.
"use strict";

(function () {
  const editor = document.querySelector("[data-editor]");
  if (!editor) return;
  const forms = { "item-form": document.getElementById("item-form"), "yaml-form": document.getElementById("yaml-form") };
  const preview = document.getElementById("preview");
  const previewErrors = document.getElementById("preview-errors");
  const DELAY_MS = 350;
  let latestYaml = null; // canonical YAML of the form, from the last valid preview
  let sequence = 0; // only the newest preview response is shown
  let timer = null;

  function activeForm() {
    return forms["item-form"].hidden ? forms["yaml-form"] : forms["item-form"];
  }

  async function post(form, extra) {
    const data = new FormData(form);
    for (const [key, value] of Object.entries(extra || {})) data.set(key, value);
    const response = await fetch(preview.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin" });
    if (!response.ok) throw new Error(`preview failed: ${response.status}`);
    return response.json();
  }

  async function refreshPreview() {
    const mine = ++sequence;
    const form = activeForm();
    let result;
    try {
      result = await post(form);
    } catch (err) {
      previewErrors.textContent = String(err);
      return;
    }
    if (mine !== sequence) return;
    previewErrors.replaceChildren(...result.errors.map((text) => Object.assign(document.createElement("p"), { textContent: text })));
    if (result.html) {
      preview.innerHTML = result.html; // sanitised on the server (app/core/markdown.py)
      preview.querySelectorAll("details").forEach((d) => { d.open = true; });
      if (window.deepprep) window.deepprep.typesetMath(preview);
      if (form.id === "item-form") latestYaml = result.yaml;
    }
  }

  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, DELAY_MS);
  }

  function showKindSections() {
    const select = forms["item-form"].querySelector("[data-kind-select]");
    if (!select) return;
    forms["item-form"].querySelectorAll(".kind-section[data-kinds]").forEach((section) => {
      section.hidden = !section.dataset.kinds.split(" ").includes(select.value);
    });
  }

  async function switchTab(target) {
    if (target === "yaml-form" && latestYaml !== null) {
      forms["yaml-form"].querySelector("textarea[name=yaml]").value = latestYaml;
    }
    if (target === "item-form" && !forms["yaml-form"].hidden) {
      const result = await post(forms["yaml-form"], { want: "fields" });
      if (result.errors.length) {
        previewErrors.replaceChildren(...result.errors.map((text) => Object.assign(document.createElement("p"), { textContent: text })));
        return; // fix the YAML first: the form cannot show what does not parse
      }
      forms["item-form"].querySelector("[data-fields]").innerHTML = result.fields;
      showKindSections();
    }
    for (const [id, form] of Object.entries(forms)) form.hidden = id !== target;
    editor.querySelectorAll("[data-tab]").forEach((tab) => tab.setAttribute("aria-selected", String(tab.dataset.tab === target)));
    schedulePreview();
  }

  function addRow(group) {
    const container = forms["item-form"].querySelector(`[data-rows="${group}"]`);
    const template = forms["item-form"].querySelector(`template[data-row-template="${group}"]`);
    const used = [...container.querySelectorAll("[name]")].map((el) => Number(el.name.split(".")[1]));
    const next = used.length ? Math.max(...used) + 1 : 0;
    const html = template.innerHTML.replaceAll("__i__", String(next));
    container.insertAdjacentHTML("beforeend", html);
    const number = container.lastElementChild.querySelector("[data-number]");
    if (number) number.textContent = String(container.children.length);
    container.lastElementChild.querySelector("input, textarea")?.focus();
  }

  editor.addEventListener("click", (event) => {
    const target = event.target.closest("[data-tab], [data-add-row], [data-remove-row]");
    if (!target) return;
    if (target.dataset.tab) switchTab(target.dataset.tab);
    else if (target.dataset.addRow) addRow(target.dataset.addRow);
    else target.closest("[data-row]").remove();
    schedulePreview();
  });
  editor.addEventListener("input", (event) => {
    if (event.target.closest("form[data-mode]")) schedulePreview();
  });
  editor.addEventListener("change", (event) => {
    if (!event.target.closest("form[data-mode]")) return;
    if (event.target.matches("[data-kind-select]")) showKindSections();
    schedulePreview();
  });
  // The preview shows the learner's forms; submitting them would leave the editor.
  preview.addEventListener("submit", (event) => event.preventDefault());

  for (const form of Object.values(forms)) form.hidden = form.hasAttribute("data-inactive");
  showKindSections();
  preview.querySelectorAll("details").forEach((d) => { d.open = true; });
})();
