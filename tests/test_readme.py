"""The README stays true to the project: its first commands, its links, its list of regions."""

from __future__ import annotations

import re
from pathlib import Path

from bot.model import Content

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_readme_begins_with_make_run_and_make_test():
    first_block = re.search(r"```sh\n(.*?)```", README, flags=re.DOTALL)
    assert first_block is not None
    assert README.index(first_block.group(0)) < README.index("\n## ")
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["make run", "make test"]


def test_every_link_to_a_file_of_the_project_leads_to_one():
    for document in (REPO / "README.md", *(REPO / "docs").glob("*.md")):
        text = document.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
            if "://" in target:
                continue
            assert (document.parent / target).exists(), f"{document.name} links to {target}"


def test_every_link_to_a_readme_section_leads_to_one():
    headings = {
        re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-")
        for h in re.findall(r"^#+ (.+)$", README, flags=re.MULTILINE)
    }
    for anchor in re.findall(r"\]\(#([^)]+)\)", README):
        assert anchor in headings


def test_the_supported_regions_are_the_ones_the_content_has(content: Content):
    listed = dict(re.findall(r"^\| `([A-Z]{2})` \| ([^|]+?) \|", README, flags=re.MULTILINE))
    shipped = {code: region.name for code, region in content.helplines.regions.items()}
    assert listed == shipped
    for code, region in content.helplines.regions.items():
        row = next(line for line in README.splitlines() if line.startswith(f"| `{code}` |"))
        assert f"| {region.emergency} |" in row
        for line in region.lines:
            assert line.name in row
            assert re.sub(r"^(call or text|call) ", "", line.contact) in row
