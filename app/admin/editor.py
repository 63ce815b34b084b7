"""The editor's view logic: read a submitted form or YAML tab, render the learner preview."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.datastructures import FormData

from app.admin import forms
from app.admin.validation import FieldError, ItemInvalid, parse_yaml, validate_item
from app.bank.export_yaml import item_yaml
from app.bank.models import Topic
from app.bank.schema import KINDS, Item
from app.bank.sync import item_body
from app.core.i18n import LANGS, translator
from app.core.messages import MESSAGES
from app.explain.engine import registry
from app.quiz import grading
from app.web import item_view

Mode = Literal["form", "yaml"]
PREVIEW_SEED = 1  # computed items preview one fixed variant, so the preview does not flicker
_INDEX = re.compile(r"\[(\d+)\]")
# Errors inside these fields are shown at the field's single input.
_WHOLE_FIELDS = ("tags", "seeds", "value", "params")


@dataclass
class Submission:
    """One save or preview request: what was typed, and the validated item or the errors."""

    mode: Mode
    state: forms.FormState
    yaml_text: str
    topic: str
    version: int | None
    note: str
    item: Item | None = None
    errors: list[FieldError] = field(default_factory=list)

    @property
    def body(self) -> dict[str, Any]:
        """The validated item as stored (only when ``item`` is set)."""
        assert self.item is not None
        return item_body(self.item)


def read(form: FormData, *, bank_dir: Path) -> Submission:
    """Parse and validate the submitted form (``mode=form``) or raw YAML (``mode=yaml``)."""
    mode: Mode = "yaml" if form.get("mode") == "yaml" else "form"
    topic, note = _text(form, "topic").strip(), _text(form, "note").strip()[:200]
    version_text = _text(form, "version")
    version = int(version_text) if version_text.isdigit() and len(version_text) < 10 else None
    errors: list[FieldError] = []
    if mode == "yaml":
        yaml_text = _text(form, "yaml")
        try:
            raw, located = parse_yaml(yaml_text)
        except ItemInvalid as exc:
            raw, located, errors = {}, None, exc.errors
        state = forms.from_body(raw, topic)
    else:
        state = forms.from_form(form.multi_items())
        raw, errors = forms.to_raw(state)
        located, yaml_text = None, yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)
    submission = Submission(mode, state, yaml_text, topic or state.get("topic"), version, note)
    if not errors:
        try:
            submission.item = validate_item(raw, bank_dir=bank_dir, located=located)
        except ItemInvalid as exc:
            errors = exc.errors
    submission.errors = errors
    if submission.item is not None:
        submission.yaml_text = item_yaml(submission.item)
        submission.state = forms.from_body(item_body(submission.item), submission.topic)
    return submission


def field_errors(errors: Sequence[FieldError]) -> dict[str, list[str]]:
    """Form input name → messages: ``choices[2].why.en`` belongs to input ``choices.2.why.en``."""
    found: dict[str, list[str]] = {}
    for error in errors:
        name = _INDEX.sub(r".\1", error.field)
        if name.split(".")[0] in _WHOLE_FIELDS:
            name = name.split(".")[0]
        found.setdefault(name, []).append(error.message)
    return found


def preview(templates: Jinja2Templates, body: dict[str, Any]) -> Markup:
    """The item as learners see it once answered, in both languages, from their own partials."""
    template = templates.env.get_template("admin/_preview.html")
    parts = [template.render(_preview_context(body, lang)) for lang in LANGS]
    return Markup("\n".join(parts))


def render_fields(
    templates: Jinja2Templates, *, state: forms.FormState, topics: Sequence[Topic], lang: str, existing: bool
) -> str:
    """The form's fields for ``state`` (the YAML tab hands its item back to the form tab)."""
    context = {**choices_context(), "state": state, "errors": {}, "question": existing, "topics": topics}
    context.update(lang=lang, t=translator(lang, MESSAGES))
    return templates.env.get_template("admin/_fields.html").render(context)


def choices_context() -> dict[str, Any]:
    """Select options every editor form needs."""
    return {"kinds": KINDS, "calculators": registry.names()}


def _preview_context(body: dict[str, Any], lang: str) -> dict[str, Any]:
    context: dict[str, Any] = {"body": body, "lang": lang, "t": translator(lang, MESSAGES)}
    if body["kind"] in ("choice", "multi"):
        right = [i for i, choice in enumerate(body["choices"]) if choice.get("correct")]
        context.update(item_view.feedback(body, choice=right, answer=None, seed=None))
    elif body["kind"] == "numeric":
        answer = _typed(body["value"])
        context.update(item_view.feedback(body, choice=None, answer=answer, seed=None))
    elif body["kind"] == "computed":
        context.update(item_view.feedback(body, choice=None, answer=None, seed=PREVIEW_SEED))
        expected = grading.numeric_answer(context["variant"]["answer"])
        if expected is not None:
            answer = _typed(expected)
            context.update(item_view.feedback(body, choice=None, answer=answer, seed=PREVIEW_SEED))
    return context


def _typed(value: Any) -> str:
    """The right answer as a learner would type it: ``56, 56``."""
    values = value if isinstance(value, list) else [value]
    return ", ".join(str(int(v)) if isinstance(v, float) and v.is_integer() else str(v) for v in values)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""
