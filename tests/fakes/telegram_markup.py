"""parse_mode handling for the fake Bot API: HTML / MarkdownV2 / Markdown -> (text, entities).

Telegram sends back the plain text plus ``entities`` (offsets in UTF-16 code units) and rejects
malformed markup with ``400 Bad Request: can't parse entities: ...``. This reproduces the common
cases (supported tags, reserved MarkdownV2 characters, unclosed entities), not every edge case.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from tests.fakes.telegram_types import ApiError, JsonDict, bad_request, utf16_len

_HTML_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MD_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
}


def _parse_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


class _HtmlParser(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.parts: list[str] = []
        self.pos = 0
        self.stack: list[tuple[str, int, JsonDict | None]] = []
        self.entities: list[JsonDict] = []

    def _byte_offset(self) -> int:
        line, col = self.getpos()
        lines = self.source.split("\n")
        prefix = "\n".join(lines[: line - 1]) + ("\n" if line > 1 else "") + lines[line - 1][:col]
        return len(prefix.encode())

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.pos += utf16_len(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        entity: JsonDict | None
        if tag in _HTML_SIMPLE:
            entity = {"type": _HTML_SIMPLE[tag]}
            if tag == "code" and self.stack and self.stack[-1][0] == "pre":
                parent = self.stack[-1][2]
                language = attr.get("class", "")
                if parent is not None and language.startswith("language-"):
                    parent["language"] = language.removeprefix("language-")
                entity = None  # <pre><code> is a single pre entity
        elif tag == "span" and attr.get("class") == "tg-spoiler":
            entity = {"type": "spoiler"}
        elif tag == "a":
            entity = {"type": "text_link", "url": attr.get("href", "")}
        elif tag == "blockquote":
            expandable = "expandable" in attr
            entity = {"type": "expandable_blockquote" if expandable else "blockquote"}
        elif tag == "tg-emoji":
            entity = {"type": "custom_emoji", "custom_emoji_id": attr.get("emoji-id", "")}
        else:
            raise _parse_error(
                f'Unsupported start tag "{tag}" at byte offset {self._byte_offset()}'
            )
        self.stack.append((tag, self.pos, entity))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            expected = f'"</{self.stack[-1][0]}>"' if self.stack else "nothing"
            raise _parse_error(
                f"Unmatched end tag at byte offset {self._byte_offset()}, "
                f'expected {expected}, found "</{tag}>"'
            )
        _, start, entity = self.stack.pop()
        if entity is not None and self.pos > start:
            self.entities.append({**entity, "offset": start, "length": self.pos - start})

    def result(self) -> tuple[str, list[JsonDict]]:
        self.close()
        if self.stack:
            raise _parse_error(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1][0]}"'
            )
        return "".join(self.parts), self.entities


class _MarkdownParser:
    def __init__(self, source: str, v2: bool) -> None:
        self.src = source
        self.v2 = v2
        self.i = 0
        self.parts: list[str] = []
        self.pos = 0
        self.stack: list[tuple[str, int, int]] = []  # (entity type, utf16 start, source index)
        self.entities: list[JsonDict] = []

    def _byte(self, index: int) -> int:
        return len(self.src[:index].encode())

    def _emit(self, text: str) -> None:
        self.parts.append(text)
        self.pos += utf16_len(text)

    def _toggle(self, kind: str, width: int) -> None:
        if self.stack and self.stack[-1][0] == kind:
            _, start, _ = self.stack.pop()
            if self.pos > start:
                self.entities.append({"type": kind, "offset": start, "length": self.pos - start})
        else:
            self.stack.append((kind, self.pos, self.i))
        self.i += width

    def _until(self, closer: str, kind: str) -> str:
        """Raw text up to ``closer`` (backslash escapes allowed), consuming the closer."""
        out: list[str] = []
        start = self.i
        while self.i < len(self.src):
            if self.src.startswith(closer, self.i):
                self.i += len(closer)
                return "".join(out)
            ch = self.src[self.i]
            if ch == "\\" and self.i + 1 < len(self.src):
                out.append(self.src[self.i + 1])
                self.i += 2
                continue
            out.append(ch)
            self.i += 1
        raise self._unclosed(kind, start)

    def _unclosed(self, kind: str, index: int) -> ApiError:
        if self.v2:
            return _parse_error(
                f"Can't find end of {_MD_NAMES[kind]} entity at byte offset {self._byte(index)}"
            )
        return _parse_error(
            f"Can't find end of the entity starting at byte offset {self._byte(index)}"
        )

    def _code(self) -> None:
        start, src_start = self.pos, self.i
        if self.src.startswith("```", self.i):
            self.i += 3
            body = self._until("```", "pre")
            language, newline, rest = body.partition("\n")
            entity: JsonDict = {"type": "pre"}
            if newline and language.strip() and " " not in language.strip():
                entity["language"] = language.strip()
                body = rest
            self._emit(body)
        else:
            self.i += 1
            self._emit(self._until("`", "code"))
            entity = {"type": "code"}
        if self.pos == start:
            raise self._unclosed(str(entity["type"]), src_start)
        self.entities.append({**entity, "offset": start, "length": self.pos - start})

    def _link_end(self) -> None:
        _, start, src_start = self.stack.pop()
        self.i += 1
        if not self.src.startswith("(", self.i):
            raise self._unclosed("text_link", src_start)
        self.i += 1
        url = self._until(")", "text_link")
        if self.pos > start:
            self.entities.append(
                {"type": "text_link", "offset": start, "length": self.pos - start, "url": url}
            )

    def parse(self) -> tuple[str, list[JsonDict]]:
        src = self.src
        while self.i < len(src):
            ch = src[self.i]
            if ch == "\\" and self.i + 1 < len(src) and (self.v2 or src[self.i + 1] in "_*`["):
                self._emit(src[self.i + 1])
                self.i += 2
            elif ch == "`":
                self._code()
            elif ch == "*":
                self._toggle("bold", 1)
            elif ch == "_" and self.v2 and src.startswith("__", self.i):
                self._toggle("underline", 2)
            elif ch == "_":
                self._toggle("italic", 1)
            elif self.v2 and ch == "~":
                self._toggle("strikethrough", 1)
            elif self.v2 and src.startswith("||", self.i):
                self._toggle("spoiler", 2)
            elif ch == "[":
                self.stack.append(("text_link", self.pos, self.i))
                self.i += 1
            elif ch == "]" and self.stack and self.stack[-1][0] == "text_link":
                self._link_end()
            elif self.v2 and ch in _MDV2_RESERVED:
                raise _parse_error(
                    f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
                )
            else:
                self._emit(ch)
                self.i += 1
        if self.stack:
            kind, _, index = self.stack[-1]
            raise self._unclosed(kind, index)
        return "".join(self.parts), self.entities


def _trim(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Telegram strips surrounding whitespace and shifts/clips the entities accordingly."""
    stripped = text.strip()
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    out: list[JsonDict] = []
    for entity in entities:
        start = max(0, int(entity["offset"]) - lead)
        end = min(total, int(entity["offset"]) + int(entity["length"]) - lead)
        if end > start:
            out.append({**entity, "offset": start, "length": end - start})
    out.sort(key=lambda e: (e["offset"], -e["length"]))
    return stripped, out


def render(text: str, parse_mode: str | None, entities: Any = None) -> tuple[str, list[JsonDict]]:
    """Apply ``parse_mode`` (or explicit ``entities``) and trim like Telegram does."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        parser = _HtmlParser(text)
        parser.feed(text)
        plain, found = parser.result()
    elif mode in ("markdownv2", "markdown"):
        plain, found = _MarkdownParser(text, v2=mode == "markdownv2").parse()
    elif mode:
        raise bad_request("unsupported parse_mode")
    else:
        plain = text
        found = [dict(e) for e in entities] if isinstance(entities, list) else []
    return _trim(plain, found)
