"""An HTML e-mail is read as the patient sees it: text hidden from view is not the message."""
from __future__ import annotations

import pytest

from webhooks.html_text import HtmlText
from webhooks.mime import parse_eml


def visible(html: str) -> str:
    parser = HtmlText()
    parser.feed(html)
    return parser.text()


@pytest.mark.parametrize("style", ["display:none", "DISPLAY: NONE", "visibility: hidden", "font-size:0",
                                   "font-size: 0px", "max-height:0;overflow:hidden", "opacity:0", "opacity: 0.0"])
def test_text_in_an_element_hidden_by_its_style_is_left_out(style):
    text = visible(f'<p>Votre colis vous attend.</p><div style="{style}">weather report salad</div><p>Fin.</p>')
    assert "salad" not in text and "Votre colis vous attend." in text and "Fin." in text


@pytest.mark.parametrize("style", ["font-size:0.9em", "font-size: 10px", "opacity:0.8", "display:block",
                                   "max-height: 0.5em"])
def test_text_in_a_visible_element_is_kept(style):
    assert "offre" in visible(f'<span style="{style}">offre</span>')


def test_hidden_elements_nested_in_themselves_hide_to_their_own_end():
    text = visible('<div style="display:none"><div>one</div><div>two</div></div><div>shown</div>')
    assert text == "shown"


def test_the_hidden_attribute_hides_and_a_void_element_hides_nothing():
    assert visible('<p hidden>secret</p><p>kept</p>') == "kept"
    assert "after" in visible('<img style="display:none" src="x.png"><p>after</p>')


def test_a_link_hidden_from_view_is_not_a_link_the_patient_can_follow():
    parser = HtmlText()
    parser.feed('<div style="display:none"><a href="https://evil.example/x">www.ameli.fr</a></div>')
    assert parser.hidden == [] and parser.text() == ""


def test_an_email_salted_with_invisible_text_is_judged_on_what_shows():
    eml = ("From: Service <info@example.org>\r\nTo: a@example.org\r\nSubject: Info\r\n"
           "Message-ID: <m1@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
           '<html><body><p>Votre compte sera suspendu.</p>'
           '<div style="font-size:0px;color:#fff">recette de la tarte aux pommes du dimanche</div>'
           "</body></html>\r\n").encode()
    text = parse_eml(eml).report.text
    assert "suspendu" in text and "tarte" not in text


@pytest.mark.parametrize("html", ['<p style="display:none">padding<p>Votre compte sera suspendu</p>',
                                  '<p style="display:none">padding<div>Votre compte sera suspendu</div>',
                                  '<td style="display:none">padding<td>Votre compte sera suspendu'])
def test_an_element_a_browser_closes_by_itself_cannot_hide_what_follows(html):
    # A browser shows the second paragraph: hidden markup must not hide from Vigie what the patient sees.
    text = visible(html)
    assert "suspendu" in text and "padding" not in text
