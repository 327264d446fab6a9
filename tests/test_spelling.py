"""British spellings the 3-gram lacks are scored as their American forms (unspin.lang.spelling),
and a restored text keeps the spelling it was written in."""

import pytest

from unspin.lang.lm import get_lm, lm_form
from unspin.lang.spelling import us_form
from unspin.lang.tokenize import Token


@pytest.fixture(scope="module")
def known():
    return get_lm().known


@pytest.mark.parametrize("british, american", [
    ("kilometres", "kilometers"), ("metres", "meters"), ("realise", "realize"), ("analysed", "analyzed"),
    ("optimisation", "optimization"), ("unrivalled", "unrivaled"), ("counselling", "counseling"),
    ("neighbouring", "neighboring"), ("flavours", "flavors"), ("offences", "offenses"),
    ("instalment", "installment"), ("paedophile", "pedophile"), ("anaemia", "anemia"),
    ("manoeuvre", "maneuver"), ("fibres", "fibers"), ("scepticism", "skepticism"), ("moulded", "molded"),
])
def test_british_forms_the_lm_lacks_get_their_american_form(known, british, american):
    assert not known(british) and known(american)
    assert us_form(british, known) == american


@pytest.mark.parametrize("word", [
    "colour", "centre", "defence",  # known to the 3-gram as they are: scored as they are
    "astern", "backburning",  # unknown, and no spelling rule applies
    "lowres", "viewres",  # a rule would make a known word of them, but not one of these rules
])
def test_known_words_and_words_without_a_rule_are_left_alone(known, word):
    assert us_form(word, known) is None


def test_only_known_words_are_produced():
    assert us_form("realise", lambda w: False) is None
    assert us_form("realise", lambda w: w == "realize") == "realize"


def test_lm_form_scores_british_spellings_as_american():
    assert lm_form(Token(0, 10, "Kilometres")) == "kilometers"
    assert lm_form(Token(0, 6, "centre")) == "centre"  # known as it is


def test_restoring_keeps_the_text_s_spelling():
    from unspin.restoration.restorer import RestoreConfig, get_restorer

    r = get_restorer(RestoreConfig())
    text = ("The favoured colours of the programme were analysed by the organisers, who realised "
            "that the neighbouring theatre had travelled 20 kilometres.")
    assert r.restore(text).edits == []
    # An unknown word beside a known synonym looked spun: "kilometres" -> miles, before.
    text = "Rescuers walked the final 15 kilometres to reach the stranded hikers, who were stuck near the river."
    assert r.restore(text).edits == []
