"""ZALO_OA_TEMPLATES: which approved Zalo template each kind of proactive message uses.

The file is TOML, one table per kind (handlers/templates.py lists the kinds and their
placeholders):

    [call_opened]
    template_id = "312345"
    [call_opened.params]
    ten_dot = "{title}"
    han_chot = "Hạn {deadline}"

Without a `params` table the template's parameters are the placeholders' own names. A kind
without a table is not sent by template (outside the window it stays unreachable). Read
once at start; every mistake is reported with the file and the kind, and stops the start.
"""

from __future__ import annotations

import string
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from handlers.templates import COMMON, PLACEHOLDERS
from handlers.types import TemplateFill


class TemplateConfigError(ValueError):
    """The template file cannot be used; the text says where and why."""


class KindTemplate(BaseModel):
    """One kind's template: its id at Zalo and its parameters' texts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    template_id: str = Field(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z_-]+$")
    params: dict[str, str] = Field(default_factory=dict)


class TemplateMap(BaseModel):
    """Every kind mapped to a template (the others have none)."""

    model_config = ConfigDict(frozen=True)

    kinds: dict[str, KindTemplate] = Field(default_factory=dict)

    def data(self, fill: TemplateFill, link: str) -> dict[str, str] | None:
        """The template_data of a message of this kind, or None when the kind has none."""
        spec = self.kinds.get(fill.kind)
        if spec is None:
            return None
        values = {**fill.values, "link": link}
        if not spec.params:
            return {name: values.get(name, "") for name in (*PLACEHOLDERS[fill.kind], *COMMON)}
        return {name: text.format_map(_Blank(values)) for name, text in spec.params.items()}


class _Blank(dict[str, str]):
    """Formatting values where a placeholder the flow left out reads as empty."""

    def __missing__(self, key: str) -> str:
        return ""


def _fields(text: str) -> list[str]:
    """The placeholders a text names; a format spec or conversion is refused."""
    names = []
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            raise ValueError(f"«{{{name}}}» is not a plain placeholder")
        names.append(name)
    return names


def parse_templates(text: str, source: str = "ZALO_OA_TEMPLATES") -> TemplateMap:
    """Validate a template file's text (errors name `source`)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TemplateConfigError(f"{source}: not valid TOML: {error}") from error
    kinds: dict[str, KindTemplate] = {}
    for kind, table in raw.items():
        if kind not in PLACEHOLDERS:
            known = ", ".join(PLACEHOLDERS)
            raise TemplateConfigError(f"{source}: unknown kind [{kind}] (known: {known})")
        if not isinstance(table, dict):
            raise TemplateConfigError(f"{source}: [{kind}] must be a table")
        if "template_id" not in table:
            raise TemplateConfigError(f"{source}: [{kind}] has no template_id")
        try:
            spec = KindTemplate.model_validate(table)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
            )
            raise TemplateConfigError(f"{source}: [{kind}] {problems}") from error
        allowed = set(PLACEHOLDERS[kind]) | set(COMMON)
        for param, value in spec.params.items():
            try:
                names = _fields(value)
            except ValueError as error:
                raise TemplateConfigError(f"{source}: [{kind}.params] {param}: {error}") from error
            unknown = sorted(set(names) - allowed)
            if unknown:
                raise TemplateConfigError(
                    f"{source}: [{kind}.params] {param} names {{{unknown[0]}}}, which {kind} "
                    f"does not have (it has: {', '.join(sorted(allowed))})"
                )
        kinds[kind] = spec
    return TemplateMap(kinds=kinds)


def load_templates(path: Path | None) -> TemplateMap:
    """The template file at `path` (no file: no kind is sent by template)."""
    if path is None:
        return TemplateMap()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise TemplateConfigError(f"ZALO_OA_TEMPLATES: cannot read {path}: {error}") from error
    return parse_templates(text, f"ZALO_OA_TEMPLATES ({path})")
