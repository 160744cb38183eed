"""Gettext catalogue tooling: a Babel extractor for the texts in the YAML data (standards,
policies), and the step that makes the Vietnamese catalogue complete.

Vietnamese is the source language: every msgid is already correct Vietnamese, so the ``vi``
catalogue maps each msgid to itself; other languages translate it.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import yaml
from babel.messages.pofile import read_po, write_po

# Keys whose text users read; document numbers and search keywords are not translated.
TRANSLATED_KEYS = frozenset(
    {
        "name",
        "rule",
        "text",
        "meaning",
        "label",
        "summary",
        "condition",
        "how_to",
        "note",
        "ceiling",
        "rate",
        "term",
    }
)


def extract_yaml(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel extractor: every scalar under a translated key, with its line number."""
    root = yaml.compose(fileobj.read().decode("utf-8"))
    if root is not None:
        yield from _walk(root)


def _walk(node: yaml.Node) -> Iterator[tuple[int, str | None, str, list[str]]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if (
                isinstance(key, yaml.ScalarNode)
                and key.value in TRANSLATED_KEYS
                and isinstance(value, yaml.ScalarNode)
                and value.value
            ):
                yield value.start_mark.line + 1, None, _scalar_text(value), []
            else:
                yield from _walk(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item)


def _scalar_text(node: yaml.ScalarNode) -> str:
    """The string the loader sees (folded block scalars joined as YAML defines them)."""
    value = yaml.safe_load(yaml.serialize(node))
    return str(value)


def fill_source_catalogue(po_file: Path) -> int:
    """Set msgstr = msgid for every untranslated entry of the source-language catalogue;
    returns how many entries were filled."""
    with po_file.open("rb") as handle:
        catalogue = read_po(handle)
    filled = 0
    for message in catalogue:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not isinstance(message.string, tuple) or not all(message.string):
                message.string = message.id
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
        message.flags.discard("fuzzy")
    with po_file.open("wb") as handle:
        write_po(handle, catalogue, width=100, omit_header=False)
    return filled


if __name__ == "__main__":
    for path in sys.argv[1:]:
        print(f"{path}: {fill_source_catalogue(Path(path))}")
