"""The message catalog: every key the code uses exists, and every key is used."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from handlers.messages import CATALOG, t

ROOT = Path(__file__).resolve().parents[1]
KEY = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+$")
FILE_SUFFIXES = (".csv", ".py", ".html", ".json", ".mmd", ".png", ".xlsx", ".css", ".js")
PLACEHOLDER = re.compile(r"\{\{([a-z_]+(?:\.[a-z0-9_]+)+)\}\}")
NAMESPACES = {key.split(".")[0] for key in CATALOG}
TEMPLATE_KEY = re.compile(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z0-9_]+)+)["']\s*[,)]""")
TEMPLATE_LITERAL = re.compile(r"""["']([a-z_]+(?:\.[a-z0-9_]+)+)["']""")
TEMPLATE_PREFIX = re.compile(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z0-9_]+)*[._])["']\s*\+""")


def code_files() -> list[Path]:
    files: list[Path] = []
    for package in ("bot", "handlers", "scheduler"):
        files += [p for p in (ROOT / package).rglob("*.py") if "messages" not in p.parts]
    return files


def literal_keys_and_prefixes() -> tuple[set[str], set[str]]:
    """Whole keys written as literals, and prefixes of keys built with f-strings."""
    keys: set[str] = set()
    prefixes: set[str] = set()
    for path in code_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # The pieces of an f-string are prefixes, not whole keys.
        pieces = {
            id(part)
            for node in ast.walk(tree)
            if isinstance(node, ast.JoinedStr)
            for part in node.values
        }
        for node in ast.walk(tree):
            if id(node) in pieces:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                value = node.value
                if value.endswith(FILE_SUFFIXES):
                    continue
                if KEY.match(value) and value.split(".")[0] in NAMESPACES:
                    keys.add(node.value)
            elif isinstance(node, ast.JoinedStr) and node.values:
                head = node.values[0]
                if isinstance(head, ast.Constant) and isinstance(head.value, str):
                    text = head.value
                    if text.endswith((".", "_")) and text.split(".")[0] in NAMESPACES:
                        prefixes.add(text)
    for page in (ROOT / "bot").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        keys.update(PLACEHOLDER.findall(text))
        # Jinja templates (the web console): t("key", …), keys handed to a macro, and
        # t("prefix." + value).
        keys.update(TEMPLATE_KEY.findall(text))
        keys.update(
            k
            for k in TEMPLATE_LITERAL.findall(text)
            if k.split(".")[0] in NAMESPACES and not k.endswith("_")
        )
        prefixes.update(TEMPLATE_PREFIX.findall(text))
    return keys, prefixes


def test_every_key_used_exists() -> None:
    keys, prefixes = literal_keys_and_prefixes()
    assert sorted(keys - CATALOG.keys()) == []
    assert sorted(p for p in prefixes if not any(k.startswith(p) for k in CATALOG)) == []


def test_every_key_is_used() -> None:
    keys, prefixes = literal_keys_and_prefixes()
    unused = [k for k in CATALOG if k not in keys and not any(k.startswith(p) for p in prefixes)]
    assert unused == []


def test_texts_are_clean_and_fill_their_placeholders() -> None:
    for key, text in CATALOG.items():
        assert text == text.strip(), key
        assert all("  " not in line.strip() for line in text.split("\n")), key
        names = set(re.findall(r"\{([a-z_]+)\}", text))
        assert t(key, **dict.fromkeys(names, "X")), key
