"""A locked install: make installs requirements.lock (hashed) and nothing unpinned."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", re.M)


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def locked() -> dict[str, str]:
    text = LOCK.read_text(encoding="utf-8")
    return {name.lower().replace("_", "-"): version for name, version in PIN.findall(text)}


def test_the_makefile_installs_from_the_lock_with_hashes() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("$(STAMP):", 1)[1].split("\n\n", 1)[0]
    assert "requirements.lock" in recipe.split("\n", 1)[0]  # a changed lock reinstalls
    assert "--require-hashes -r requirements.lock" in recipe
    assert "--no-deps -e ." in recipe  # the project itself adds nothing unlocked
    assert "[dev]" not in recipe


def test_every_dependency_is_pinned_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    pins = locked()
    assert {_name(r) for r in wanted} <= set(pins)
    blocks = re.split(r"\n(?=[A-Za-z0-9])", LOCK.read_text(encoding="utf-8"))
    assert all("--hash=sha256:" in b for b in blocks if PIN.match(b))


def test_the_installed_versions_are_the_locked_ones() -> None:
    for name in ("sqlmodel", "slack-sdk", "dingtalk-stream", "jinja2", "pytest"):
        assert metadata.version(name) == locked()[name], name
