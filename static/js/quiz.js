// Quiz and mock-interview pages (they work without this file; it adds timing and the countdown).
//  - the time spent on each question goes into its hidden q<pos>-ms field;
//  - a mock interview counts down per question and moves on when the time is up;
//  - Ctrl+Enter sends a typed answer; "Dictate" appears where the browser offers speech recognition.
"use strict";

(() => {
  const loadedAt = performance.now();
  const spent = new Map(); // question element → milliseconds with focus inside it
  let active = null;
  let since = 0;

  function track(question) {
    const now = performance.now();
    if (active) spent.set(active, (spent.get(active) || 0) + now - since);
    active = question;
    since = now;
  }

  function stamp(form) {
    track(active);
    form.querySelectorAll("[data-ms]").forEach((field) => {
      const question = field.closest("[data-question]");
      // A one-question page: the whole time on the page. A one-page quiz: time spent in that question.
      const ms = question ? spent.get(question) || 0 : performance.now() - loadedAt;
      field.value = String(Math.round(ms));
    });
  }

  document.addEventListener("focusin", (event) => {
    const question = event.target.closest?.("[data-question]");
    if (question && question !== active) track(question);
  });

  document.querySelectorAll("form[data-quiz-form]").forEach((form) => {
    form.addEventListener("submit", () => stamp(form));
    form.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target instanceof HTMLTextAreaElement) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
  });

  // ---- mock interview: countdown per question ------------------------------------------------
  const countdown = document.querySelector("[data-countdown]");
  const interview = document.querySelector("form[data-interview]");
  if (countdown && interview) {
    const limit = Number(countdown.dataset.countdown) * 1000;
    const clock = countdown.querySelector("[data-clock]");
    const announce = countdown.querySelector("[data-clock-announce]");
    let warned = false;
    const tick = () => {
      const left = Math.max(0, limit - (performance.now() - loadedAt));
      const seconds = Math.ceil(left / 1000);
      clock.textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
      countdown.classList.toggle("low", left <= Math.min(30000, limit / 4));
      if (!warned && left <= Math.min(30000, limit / 4)) {
        warned = true;
        announce.textContent = countdown.dataset.warning || clock.textContent;
      }
      if (left <= 0) {
        countdown.classList.add("over");
        interview.requestSubmit(); // time is up: on to the next question, as in a real interview
        return;
      }
      window.setTimeout(tick, Math.min(250, left));
    };
    tick();
  }

  // ---- dictation where the browser supports it (typing is always enough) ---------------------
  const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  const dictate = document.querySelector("[data-dictate]");
  if (Recognition && dictate) {
    const field = interview.querySelector("textarea");
    const recognition = new Recognition();
    recognition.continuous = true;
    recognition.lang = document.documentElement.lang || "en";
    let listening = false;
    recognition.onresult = (event) => {
      for (let i = event.resultIndex; i < event.results.length; i += 1) {
        if (event.results[i].isFinal) field.value += (field.value ? " " : "") + event.results[i][0].transcript;
      }
    };
    recognition.onerror = (event) => {
      // No speech service here (offline, or no permission): typing it is.
      if (["network", "not-allowed", "service-not-allowed"].includes(event.error)) dictate.hidden = true;
    };
    recognition.onend = () => {
      listening = false;
      dictate.setAttribute("aria-pressed", "false");
    };
    dictate.hidden = false;
    dictate.setAttribute("aria-pressed", "false");
    dictate.addEventListener("click", () => {
      if (listening) recognition.stop();
      else recognition.start();
      listening = !listening;
      dictate.setAttribute("aria-pressed", String(listening));
    });
  }
})();
