"""Nothing lost: every sentence of the network's documents is in the site's content.

The seed files are split into sentences (after removing the host sites' own
boilerplate and mending paragraphs the PDF extraction broke), and each sentence
must be found, word for word, in the content that `load_content` puts on the
site. The test prints the coverage and fails below 100 %.
"""

import re
from pathlib import Path

import pytest

from betterway.content import load_content
from betterway.importer.parsing import split_notes
from cells.models import Cell, Meeting, Question
from insights.models import Insight, Principle
from people.models import Organisation, Person

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"

# Host sites' furniture, not the network's words.
BOILERPLATE = [
    "This entry was posted in Charity, Policy, Training and events and tagged . Bookmark the permalink.",
    "Like this? Read more",
    "Posts written by guests who have contributed to NCVO projects and events.",
    "Comments are closed.",
]
# Where extraction glued two lines together: the byline ran into the first sentence.
ARTEFACTS = {"Mark SimmsWe have launched": "Mark Simms\n\nWe have launched"}


def normalise(text):
    text = text.replace("\xa0", " ").replace("\u200b", "")
    text = re.sub(r"\[([^\]]*)\]\(#\)", r"\1", text)  # placeholder links keep their text
    return " ".join(text.split())


def mend(paragraphs):
    """Join paragraphs the PDF broke mid-sentence: one ends without closing punctuation and the
    next begins in lower case."""
    mended = []
    for paragraph in paragraphs:
        if mended and re.search(r"[^.?!:’”'\")]$", mended[-1]) and re.match(r"^[a-z(]", paragraph):
            mended[-1] = f"{mended[-1]} {paragraph}"
        else:
            mended.append(paragraph)
    return mended


def seed_sentences():
    texts = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for before, after in ARTEFACTS.items():
            text = text.replace(before, after)
        texts.extend(split_notes(text))
    sentences = []
    for text in texts:
        text = text.replace("**", "").replace("\\$", "$")  # the essay file carries some Markdown itself
        paragraphs = [normalise(p) for p in re.split(r"\n\s*\n|\n(?=\s*(?:[•-]|\d{1,2}[.)])\s)", text) if normalise(p)]
        for paragraph in mend(paragraphs):
            paragraph = re.sub(r"^(?:[•●-]|\d{1,2}[.)])\s+", "", paragraph)
            if paragraph in BOILERPLATE:
                continue
            for sentence in re.split(r"(?<=[.?!])\s+(?=[A-Z‘“'(])", paragraph):
                if len(sentence) > 1:
                    sentences.append(sentence)
    return sentences


def site_text():
    """All the words the site holds, with Markdown's markers taken out."""
    parts = []
    for model, fields in [
        (Meeting, ["title", "summary", "notes", "editorial_note", "place"]),
        (Question, ["text"]),
        (Insight, ["title", "standfirst", "body", "editorial_note", "collection", "publisher"]),
        (Person, ["name", "role", "bio"]),
        (Organisation, ["name", "description"]),
        (Principle, ["title", "statement", "body"]),
        (Cell, ["name", "aims"]),
    ]:
        for row in model.objects.values_list(*fields):
            parts.extend(value for value in row if value)
    text = "\n".join(parts)
    text = re.sub(r"^\s*(?:#{1,6}|[-*>]|\d{1,2}[.)])\s+", "", text, flags=re.MULTILINE)
    text = text.replace("**", "").replace("\\$", "$")
    return normalise(text)


def is_shouted(sentence):
    letters = [c for c in sentence if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


@pytest.mark.django_db
def test_every_sentence_of_the_seed_documents_is_in_the_site_content(capsys):
    load_content()
    content = site_text()
    folded = content.casefold()
    sentences = seed_sentences()
    missing = [
        s
        for s in sentences
        # An all-capitals heading may be shown in ordinary case; every other sentence exactly.
        if (s.casefold() not in folded if is_shouted(s) else s not in content)
    ]
    coverage = 100 * (len(sentences) - len(missing)) / len(sentences)
    with capsys.disabled():
        print(f"\ncontent coverage: {len(sentences) - len(missing)}/{len(sentences)} sentences ({coverage:.2f}%)")
    assert not missing, f"{len(missing)} sentences missing, e.g.:\n" + "\n".join(missing[:15])


def test_the_sentence_splitter_sees_the_whole_archive():
    sentences = seed_sentences()
    assert len(sentences) > 1000
    assert (
        "Successful collaborations require good relationships, a shared vision, shared principles, shared "
        "behaviours and shared infrastructure, e.g., workforce development, and need to be enabling and "
        "facilitative, to adapt through learning and work to shared targets." in sentences
    )
    # a paragraph the PDF broke is mended before splitting
    assert any(
        s.startswith("Both my inner child and my grown-up professional self knew I didn't have them") for s in sentences
    )
    assert not any(s in BOILERPLATE or s == "Read More" for s in sentences)


def seed_text():
    text = "\n".join(path.read_text(encoding="utf-8") for path in SEEDS.glob("*.txt"))
    for before, after in ARTEFACTS.items():
        text = text.replace(before, after)
    text = text.replace("**", "").replace("\\$", "$")
    return normalise(" ".join(mend([normalise(p) for p in re.split(r"\n\s*\n", text)])))


@pytest.mark.django_db
def test_nothing_is_invented_every_sentence_of_the_notes_and_essays_comes_from_the_seeds():
    """Editorial notes, titles and principle statements are the site's own words; the text of
    notes, essays, biographies and aims is the network's, so each of its sentences is in a seed."""
    load_content()
    source = seed_text()
    source_folded = source.casefold()
    texts = []
    for model, fields in [
        (Meeting, ["summary", "notes"]),
        (Insight, ["standfirst", "body"]),
        (Person, ["bio"]),
        (Principle, ["body"]),
        (Cell, ["aims"]),
    ]:
        for row in model.objects.values_list(*fields):
            texts.extend(value for value in row if value)
    invented = []
    for text in texts:
        text = re.sub(r"^\s*(?:#{1,6}|[-*>]|\d{1,2}[.)])\s+", "", text, flags=re.MULTILINE)
        text = text.replace("**", "").replace("\\$", "$")
        for paragraph in re.split(r"\n\s*\n|\n", text):
            for sentence in re.split(r"(?<=[.?!])\s+(?=[A-Z‘“'(])", normalise(paragraph)):
                if sentence and sentence not in source and not is_shouted_in_source(sentence, source, source_folded):
                    invented.append(sentence)
    assert not invented, f"{len(invented)} sentences not in the seeds, e.g.:\n" + "\n".join(invented[:15])


def is_shouted_in_source(sentence, source, source_folded):
    """A heading the source prints in capitals, shown here in ordinary case."""
    at = source_folded.find(sentence.casefold())
    return at >= 0 and is_shouted(source[at : at + len(sentence)])
