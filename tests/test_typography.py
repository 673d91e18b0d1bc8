"""French typography rules, one behaviour per test."""

from __future__ import annotations

import pytest

from nuancier_print.typography import NBSP, NNBSP, breakable_url, french, short_url


@pytest.mark.parametrize("raw,expected", [
    ("Jauge : 10 personnes", f"Jauge{NBSP}: 10 personnes"),
    ("Jauge: 10 personnes", f"Jauge{NBSP}: 10 personnes"),
    ("PUBLICS :", f"PUBLICS{NBSP}:"),
    ("à 10:30 précises", "à 10:30 précises"),
    ("le format « résidence »", f"le format «{NBSP}résidence{NBSP}»"),
    ("le format «résidence»", f"le format «{NBSP}résidence{NBSP}»"),
    ('sous forme "réécrire le statut"', f"sous forme «{NBSP}réécrire le statut{NBSP}»"),
    ("“La Donnée”", f"«{NBSP}La Donnée{NBSP}»"),
    ("Qui innove ?", f"Qui innove{NNBSP}?"),
    ("Qui innove?", f"Qui innove{NNBSP}?"),
    ("L'innovation quoi ???", f"L’innovation quoi{NNBSP}???"),
    ("vite ; puis", f"vite{NNBSP}; puis"),
    ("Au pouvoir !", f"Au pouvoir{NNBSP}!"),
    ("(surtout ?)", f"(surtout{NNBSP}?)"),
    ("l'action publique", "l’action publique"),
    ("aujourd'hui", "aujourd’hui"),
    ("rebelles ...", f"rebelles{NBSP}…"),
    ("etc...", "etc…"),
    ("managériale - Essai", f"managériale{NBSP}– Essai"),
    ("co-construction", "co-construction"),
    ("n° 135", f"n°{NBSP}135"),
    ("50 %", f"50{NBSP}%"),
    ("deux  espaces", "deux espaces"),
])
def test_french_rules(raw, expected):
    assert french(raw) == expected


@pytest.mark.parametrize("url", [
    "http://www.agence-nationale-recherche.fr/?Projet=ANR-13-SOIN-0003",
    "https://www.youtube.com/watch?time_continue=3&v=y6oiSAF1-hc",
    "http://www.la27eregion.fr/?p=3916",
    "mmarlin@la27eregion.fr",
    "www.adels.org",
])
def test_urls_are_left_alone(url):
    assert french(f"Voir : {url}") == f"Voir{NBSP}: {url}"


def test_url_followed_by_punctuation_keeps_the_punctuation_out():
    assert french("Voir www.adels.org.") == "Voir www.adels.org."
    assert french("(www.adels.org)") == "(www.adels.org)"


def test_french_is_idempotent():
    text = "Qu'est-ce que « l'innovation » ? Jauge : 10 ... voir http://a.fr/?x=1 !"
    assert french(french(text)) == french(text)


@pytest.mark.parametrize("url,printed", [
    ("http://www.fing.org/", "www.fing.org"),
    ("https://www.etalab.gouv.fr/", "www.etalab.gouv.fr"),
    ("http://www.la27eregion.fr/transfo/", "www.la27eregion.fr/transfo"),
    ("http://www.adels.org", "www.adels.org"),
])
def test_short_url(url, printed):
    assert short_url(url) == printed


def test_breakable_url_keeps_the_text():
    printed = breakable_url("www.la27eregion.fr/publications/100-acteurs")
    assert printed.replace("\u200b", "") == "www.la27eregion.fr/publications/100-acteurs"
    assert "/\u200bpublications" in printed
