"""Where an invite poster's QR code leads in each app, and whether the link carries the code.

Where each app takes the code: Telegram's deep link `t.me/<bot>?start=<code>` sends
`/start <code>` itself (channels.md: up to 64 characters of A-Z a-z 0-9 _ -); the web chat's
page fills in the code it finds after `#ma=` (the fragment never reaches the server); Zalo
documents no way to fill in a message, so its QR opens the Official Account or the bot and
the poster says which code to type (an address configured with `{code}` gets it put in).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

APPS = ("zalo_oa", "zalo_bot", "telegram", "web")


@dataclass(frozen=True)
class Targets:
    """Where a QR code may send people: the apps this deployment has (None: not there)."""

    telegram_bot: str | None = None
    zalo_oa: str | None = None
    zalo_bot: str | None = None
    web: str | None = None

    def available(self) -> list[str]:
        """The apps a poster can be made for, most used first."""
        given = {
            "zalo_oa": self.zalo_oa,
            "zalo_bot": self.zalo_bot,
            "telegram": self.telegram_bot,
            "web": self.web,
        }
        return [app for app in APPS if given[app]]

    def link(self, app: str, code: str) -> tuple[str, bool]:
        """The QR code's address for an app, and whether it carries the code itself."""
        if app == "telegram" and self.telegram_bot:
            return f"https://t.me/{self.telegram_bot}?start={code}", True
        if app == "web" and self.web:
            return f"{self.web.rstrip('/')}/#ma={quote(code)}", True
        address = self.zalo_oa if app == "zalo_oa" else self.zalo_bot if app == "zalo_bot" else None
        if not address:
            raise ValueError(f"no address for {app}")
        if "{code}" in address:
            return address.replace("{code}", quote(code)), True
        return address, False
