"""The zh-CN catalogue mirrors the English one: same keys, same placeholders.

Usage lines exist in both (zh-CN with the Chinese verbs); tests/test_zh_complete.py
checks them against the command table.
"""

import re
import string

import pytest
import yaml

from bot import catalog

EN = catalog.messages("en")
ZH = catalog.messages("zh-CN")
SHARED = sorted(key for key in EN if key in ZH)


def placeholders(template: str) -> set[str]:
    """The argument names of a str.format template ("{a.b}" and "{a[0]}" count as "a")."""
    names = set()
    for _, field, _, _ in string.Formatter().parse(template):
        if field is not None:
            names.add(re.split(r"[.\[]", field, maxsplit=1)[0])
    return names


def test_catalogues_are_loaded() -> None:
    assert "usage.action.add" in EN
    assert "item.done" in ZH  # the zh-CN files are found and parsed


def test_every_english_key_is_translated() -> None:
    missing = sorted(key for key in EN if key not in ZH)
    assert missing == []


def test_no_key_only_in_chinese() -> None:
    assert sorted(set(ZH) - set(EN)) == []


@pytest.mark.parametrize("key", SHARED)
def test_placeholders_match(key: str) -> None:
    assert placeholders(ZH[key]) == placeholders(EN[key])


@pytest.mark.parametrize("key", sorted(ZH))
def test_chinese_string_formats(key: str) -> None:
    template = ZH[key]
    filled = template.format(**{name: "x" for name in placeholders(template)})
    assert filled.strip()


@pytest.mark.parametrize("key", SHARED)
def test_chinese_string_is_not_english(key: str) -> None:
    assert ZH[key] != EN[key]


def test_usage_lines_are_chinese_in_zh_cn() -> None:
    assert catalog.text("zh-CN", "usage.action.add").startswith("待办 新增")
    assert catalog.text("zh_CN", "usage.action.add") == ZH["usage.action.add"]


def _non_string_keys(node: object, path: str = "") -> list[str]:
    """Keys YAML did not read as strings (YAML 1.1: `off:`, `no:`, `yes:` are booleans)."""
    if not isinstance(node, dict):
        return []
    found = []
    for key, value in node.items():
        where = f"{path}.{key}" if path else str(key)
        if not isinstance(key, str):
            found.append(f"{where} ({type(key).__name__})")
        found += _non_string_keys(value, where)
    return found


@pytest.mark.parametrize(
    "path",
    sorted(catalog.LOCALES_DIR.glob("*/*.yaml")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_every_catalogue_key_is_a_string(path) -> None:  # noqa: ANN001
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    assert _non_string_keys(raw) == []


def test_quiet_off_has_its_text() -> None:
    assert EN["quiet.off"].startswith("Quiet hours are off")
    assert "quiet.off" in ZH


def test_a_key_two_catalogue_files_give_different_texts_fails_at_load(tmp_path) -> None:
    first, second, third = (tmp_path / f"{n}.yaml" for n in ("a", "b", "c"))
    first.write_text('field:\n  n: "数量"\n  by: "主讲人"\n', encoding="utf-8")
    second.write_text('field:\n  by: "主讲人"\n', encoding="utf-8")  # the same text: fine
    third.write_text('field:\n  n: "题号"\n', encoding="utf-8")
    assert catalog.merge([first, second]) == {"field.n": "数量", "field.by": "主讲人"}
    with pytest.raises(ValueError, match=r"field\.n is '数量' in .*a\.yaml, '题号' in .*c\.yaml"):
        catalog.merge([first, second, third])
    for locale in catalog.LOCALES:  # the shipped catalogues have no such key
        assert catalog.merge(sorted((catalog.LOCALES_DIR / locale).glob("*.yaml")))
