"""Numbers of provisions, computed from their order — never typed, never stored.

Khmer instruments number articles continuously through the whole text (មាត្រា ១ … មាត្រា ៩០),
whatever chapter they stand in; chapters and parts likewise; sections count within their
chapter and paragraphs within their article. Articles inside an annex count within the annex.
Preamble references carry no number.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import get_language

from khmer.formats import khmer_digits

# Kinds numbered across the instrument, and kinds numbered within their parent.
CONTINUOUS = {"part", "chapter", "article", "annex"}
WITHIN_PARENT = {"section", "paragraph"}

LABELS = {
    "km": {
        "part": "ភាគទី{n}",
        "chapter": "ជំពូកទី{n}",
        "section": "ផ្នែកទី{n}",
        "article": "មាត្រា {n}",
        "paragraph": "កថាខណ្ឌទី{n}",
        "annex": "ឧបសម្ព័ន្ធទី{n}",
    },
    "en": {
        "part": "Part {n}",
        "chapter": "Chapter {n}",
        "section": "Section {n}",
        "article": "Article {n}",
        "paragraph": "Paragraph {n}",
        "annex": "Annex {n}",
    },
}


@dataclass
class Node:
    """A provision in document order, with its computed number and depth."""

    provision: object
    depth: int
    number: str = ""
    children: list["Node"] = field(default_factory=list)

    def label(self, language: str | None = None) -> str:
        return provision_label(self.provision.kind, self.number, language)


def provision_label(kind: str, number: str, language: str | None = None) -> str:
    if not number:
        return ""
    language = "en" if (language or get_language() or "km").startswith("en") else "km"
    shown = khmer_digits(number) if language == "km" else number
    return LABELS[language][kind].format(n=shown)


def number_tree(provisions: Iterable) -> list[Node]:
    """Order provisions depth-first by position and number them; returns the flat list.

    Takes any objects with ``pk``, ``parent_id``, ``kind`` and ``position`` — model instances
    from one query — so that numbering costs no query of its own.
    """
    by_parent: dict[object, list] = defaultdict(list)
    for provision in provisions:
        by_parent[provision.parent_id].append(provision)
    for siblings in by_parent.values():
        siblings.sort(key=lambda p: p.position)

    ordered: list[Node] = []
    counters: dict[str, int] = defaultdict(int)

    def walk(parent_id, depth: int, parent_node: Node | None, in_annex: bool, annex_counts):
        local: dict[str, int] = defaultdict(int)
        for provision in by_parent.get(parent_id, []):
            node = Node(provision=provision, depth=depth)
            kind = provision.kind
            if kind in WITHIN_PARENT:
                local[kind] += 1
                node.number = str(local[kind])
            elif kind == "article" and in_annex:
                annex_counts[kind] += 1
                node.number = str(annex_counts[kind])
            elif kind in CONTINUOUS:
                counters[kind] += 1
                node.number = str(counters[kind])
            ordered.append(node)
            if parent_node is not None:
                parent_node.children.append(node)
            is_annex = kind == "annex"
            walk(
                provision.pk,
                depth + 1,
                node,
                in_annex or is_annex,
                defaultdict(int) if is_annex else annex_counts,
            )

    walk(None, 0, None, False, defaultdict(int))
    return ordered
