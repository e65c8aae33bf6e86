"""Which language a message is in: French, English, or one the text model cannot read."""
from __future__ import annotations

import pytest

from nlp.lang import detect, is_foreign


@pytest.mark.parametrize("text", [
    "Olá. Te mandei um e-mail, você recebeu?",
    "Querido, meu nome é Nora. Gostaria de saber sobre seus serviços para ser meu sócio, você não",
    "Hola, ¿cómo estás? Te escribo para una oferta muy buena, gracias.",
    "Hallo, ich bin es, bitte schreib mir auf WhatsApp, das ist meine neue Nummer.",
    "Ciao, sono io. Grazie per questo messaggio, anche il suo.",
])
def test_a_message_in_another_language_is_foreign(text):
    assert is_foreign(text)


@pytest.mark.parametrize("text", [
    "Bonjour, votre rendez-vous du 12 mars à 10h30 est confirmé. Para-médical : 2e étage.",
    "Your appointment on 12 March at 10:30 is confirmed. El Nino permitting, see you there.",
    "Votre colis est en attente : www.suivi-colis.com, réglez 1,99 €.",
    "RDV Dr Costa le 12/03 à 10h30",
])
def test_french_and_english_are_not_foreign_whatever_names_they_hold(text):
    assert not is_foreign(text)
    assert detect(text) in ("fr", "en")
