"""Navigation entries: each module lists its own, and a user sees those their roles allow."""

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    permission: str
    icon: str = ""
