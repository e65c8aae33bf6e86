"""The learned parts: reproducible from the corpus, explained, and never fooled by what anyone can forge."""
from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest

from bot import scorer as scorer_mod
from bot import wording as wording_mod
from bot.report import Report
from nlp import families
from vigie import combination, corpus, train

REFUND_FROM_AMELI = ("Assurance Maladie : suite à un trop-perçu, un remboursement de 96,40 € vous est dû. "
                     "Pour le recevoir, confirmez votre identité et vos coordonnées bancaires sur "
                     "https://remboursement-assure.info sous 48h.")


def test_the_shipped_model_was_trained_on_the_corpus_as_it_is():
    # Stale model: any change to nlp/corpus/ must come with `vigie train` and the new bot/model/.
    meta = scorer_mod.shipped().meta
    assert meta["corpus_sha256"] == corpus.digest(), "nlp/corpus changed: run `vigie train` and commit bot/model/"
    assert wording_mod.shipped().meta["corpus_sha256"] == corpus.digest()
    assert meta["families_sha256"] == families.digest(), "nlp/families changed: run `vigie train`"
    assert meta["seed"] == train.SEED and meta["validation"]["project"]["n"] > 300


def test_the_model_files_are_small_and_hold_no_pickle():
    folder = resources.files("bot") / "model"
    assert (folder / "wording.npz").stat().st_size < 20 * 1024 * 1024 if hasattr(folder / "wording.npz", "stat") \
        else len((folder / "wording.npz").read_bytes()) < 20 * 1024 * 1024
    with (folder / "wording.npz").open("rb") as fh:
        data = np.load(fh, allow_pickle=False)  # would raise on an object array
        assert data["coef"].dtype == np.float16
    json.loads((folder / "scorer.json").read_text("utf-8"))


def test_evidence_of_a_scam_never_counts_for_legitimacy_in_the_learned_weights():
    weights = scorer_mod.shipped().weights
    for code, weight in weights.items():
        if code in combination.LEGIT_FEATURES:
            assert weight <= 0, code
        elif code not in combination.FREE_FEATURES:
            assert weight >= 0, code
    assert "sender_unverified" not in weights  # a forgeable sender weighs nothing either way


def test_the_corpus_keeps_every_source_and_date():
    cases = corpus.load_all()
    assert len([c for c in cases if c.group != "mendeley" and c.lang == "fr"]) >= 250
    for case in cases:
        assert case.source, case.id  # (a few rows of the shared dev set cite http or omit the scheme)
        assert case.label in ("scam", "legit")
    for path in corpus.corpus_files():
        if path.suffix == ".jsonl" and path.name != "dev.jsonl":  # what the project collected: https only
            assert all(c.source.startswith("https://") for c in corpus.load(path)), path.name


def test_every_corpus_line_survives_any_line_splitter():
    """Line and paragraph separators inside a text are written escaped: a reader that splits
    lines the way Python's str.splitlines does (U+2028, U+0085, form feed...) gets whole rows."""
    for path in corpus.corpus_files():
        if path.suffix == ".jsonl":
            lines = [line for line in path.read_text("utf-8").splitlines() if line.strip()]
            assert len(lines) == len(corpus.load(path)), path.name
            for line in lines:
                json.loads(line)


def test_only_even_mendeley_rows_are_in_the_corpus():
    ids = [int(c.id.rsplit("-", 1)[1]) for c in corpus.load_all() if c.group == "mendeley"]
    assert ids and all(n % 2 == 0 for n in ids)


def test_a_payment_scam_from_an_official_looking_address_is_never_legitimate(triage):
    verdict = triage.check(Report(text=REFUND_FROM_AMELI, channel="email", sender="service@portail.ameli.fr"))
    assert verdict.verdict in ("scam", "suspicious")
    assert "sender_official" not in [r.code for r in verdict.reasons]


def test_an_official_sender_counts_only_when_the_channel_authenticated_it(triage):
    text = ("Votre caisse d'assurance maladie a effectué un paiement vous concernant. "
            "Pour en connaître le détail, connectez-vous à votre compte ameli.")
    sender = "Assurance Maladie <assurance-maladie@info.ameli.fr>"
    forged = triage.check(Report(text=text, channel="email", sender=sender))
    vouched = triage.check(Report(text=text, channel="email", sender=sender, auth_passed=True))
    assert "sender_official" not in [r.code for r in forged.reasons]
    assert "sender_official" in [r.code for r in vouched.reasons]
    assert vouched.score <= forged.score


def test_a_forgeable_sender_never_vouches_even_if_a_retrained_model_weighs_it_towards_genuine(triage):
    """A retrain may give any code a negative weight; a sender ID anyone can set must still prove nothing."""
    from dataclasses import replace as with_changes

    from bot.decide import decide
    shipped = triage.scorer
    leaning = with_changes(shipped, weights={**shipped.weights, "sender_unverified": -3.0})
    decisions = []
    for text in ("Votre rendez-vous est confirmé pour le 12 mars à 10 h.",
                 "Votre dossier nécessite une mise à jour. Rappelez le 09 70 12 34 56."):
        findings = triage.analyser.analyse(text, channel="sms", sender="DOCTOLIB")
        for scorer in (shipped, leaning):
            decision = decide(findings, triage.analyser.index, wording=triage.wording.score(findings), scorer=scorer)
            unverified = next(e for e in decision.evidence if e.code == "sender_unverified")
            assert not unverified.legit
            decisions.append((decision.verdict, decision.score))
    # The weight pulls neither the score nor the verdict (a review found -3.0 turned "unknown" into "legitimate").
    assert decisions[0] == decisions[1] and decisions[2] == decisions[3]


def test_copied_security_advice_next_to_an_unofficial_number_weighs_against_the_message(triage):
    text = ("Assurance Maladie : votre dossier est incomplet. Appelez le 01 84 80 22 63 pour le régulariser. "
            "L'Assurance Maladie ne vous demandera jamais vos coordonnées bancaires par SMS.")
    verdict = triage.check(Report(text=text, channel="sms"))
    codes = [r.code for r in verdict.reasons]
    assert "advice" not in codes and verdict.verdict != "legitimate"


def test_the_wording_reason_quotes_the_words_that_weighed_most(triage):
    text = ("URGENT: your account has been suspended. Verify your details now to avoid closure: "
            "http://secure-verify-account.info")
    verdict = triage.check(Report(text=text, channel="sms"))
    reason = next((r for r in verdict.reasons if r.code == "wording"), None)
    assert reason is not None
    for start, end in reason.spans or (reason.span,):
        assert verdict.text[start:end].lower() in reason.message.lower()


@pytest.mark.parametrize("text", [
    "URGENT: your account has been suspended. Verify your details now to avoid closure: http://secure-verify-account.info",
    "Votre colis est en attente, veuillez payer les frais de livraison de 1,99 EUR sur notre site",
])
def test_function_words_are_never_quoted_as_the_words_that_weighed(triage, text):
    from bot.wording import _function_words, shipped

    findings = triage.analyser.analyse(text, channel="sms", sender=None)
    quoted = [text[s:e].lower() for (s, e), _ in shipped().score(findings).words]
    assert quoted and not set(quoted) & _function_words()


def test_training_is_reproducible_with_the_fixed_seed():
    # Two fits of the same small slice give the same weights (no hidden randomness).
    prep = train.analyse(corpus.load_all()[:0] or corpus.load(corpus.CORPUS_DIR / "dev.jsonl"),
                         train.scratch_triage())
    idx = np.arange(len(prep.cases))
    first, second = train.fit(prep, idx), train.fit(prep, idx)
    assert first.scorer.weights == second.scorer.weights
    assert np.array_equal(first.wording.coef, second.wording.coef)


def test_an_email_is_vouched_for_by_its_wording_only_when_it_holds_nothing_to_act_on(triage):
    # Anyone can forge an e-mail: genuine wording around a link or a number proves nothing. With
    # nothing to act on (no link, number or address), it says what it says on any channel.
    quiet = ("Bonjour, votre rendez-vous du 12 mars à 10h30 avec le Dr Martin est confirmé. Merci de "
             "vous présenter 15 minutes avant à l'accueil du service de radiologie.")
    assert triage.check(Report(text=quiet, channel="email")).verdict == "legitimate"
    for contact in (" Pour annuler : https://rdv-annulation-patient.info", " Pour annuler, appelez le 01 84 80 22 63."):
        assert triage.check(Report(text=quiet + contact, channel="email")).verdict != "legitimate"


@pytest.mark.parametrize("text", [
    "Olá. Te mandei um e-mail, você recebeu? Responda-me assim que ler esta mensagem, obrigado.",
    "Hola, ¿cómo estás? Te escribo para una oferta de trabajo muy buena, gracias por responder.",
])
def test_a_text_in_a_language_the_model_cannot_read_is_never_called_legitimate(triage, text):
    for channel in ("email", "sms"):
        assert triage.check(Report(text=text, channel=channel)).verdict != "legitimate"


def test_a_message_whose_every_contact_is_official_and_that_asks_nothing_risky_is_legitimate(triage):
    # Its only ways out are the institution's own: it cannot lead to a scammer, however it is worded.
    text = "Assurance Maladie : votre dossier est incomplet, vos remboursements sont suspendus. Appelez vite le 36 46"
    assert triage.check(Report(text=text + " pour le régulariser.", channel="sms")).verdict == "legitimate"
    for bait in (" ou le 01 84 80 22 63.", " et donnez votre numéro de carte bancaire."):
        assert triage.check(Report(text=text + bait, channel="sms")).verdict in ("scam", "suspicious")


def test_thresholds_are_chosen_on_several_out_of_fold_splits_pooled():
    # One split's quantile jumps when a few genuine messages near the top move; pooled splits
    # give a cut between the splits' own cuts, and repeating one split changes nothing.
    from vigie.thresholds import thresholds

    cases = [c for name in ("dev.jsonl", "fr-legit.jsonl") for c in corpus.load(corpus.CORPUS_DIR / name)]
    prep = train.analyse(cases, train.scratch_triage())
    idx = np.arange(len(prep.cases))
    rng = np.random.default_rng(7)
    low, high = rng.uniform(0.3, 0.8, len(idx)), rng.uniform(0.6, 0.99, len(idx))
    one, two = thresholds(prep, idx, low)["fr"], thresholds(prep, idx, high)["fr"]
    assert thresholds(prep, idx, np.stack([low, low]))["fr"] == one
    pooled = thresholds(prep, idx, np.stack([low, high]))["fr"]
    assert one.suspicious < pooled.suspicious < two.suspicious
    assert train.REPEATS >= 3


@pytest.mark.parametrize("flag", ["sender_freemail_institution", "sender_mobile_institution", "reply_to_mismatch",
                                  "sender_display_mismatch", "sender_not_official"])
def test_a_sender_that_contradicts_the_claimed_institution_is_never_legitimate(flag):
    # However low the learned score (a fold that saw few such senders weighs them little) and however
    # genuine the wording reads, a free webmail or a mobile number for a hospital vouches for nothing.
    from bot.decide import _verdict, could_be_legitimate
    from bot.evidence import Evidence
    from nlp.types import Findings

    f = Findings(text="NHS: your repeat prescription is ready to collect at your pharmacy.", lang="en", channel="email")
    cuts = scorer_mod.Thresholds(scam=0.9, suspicious=0.6, legitimate=0.2)
    genuine = Evidence("wording_genuine", 1.0, None, {}, legit=True)
    assert _verdict(0.01, cuts, f, [genuine], learned=True) == "legitimate"
    ev = [Evidence(flag, 0.7, None, {}), genuine]
    assert _verdict(0.01, cuts, f, ev, learned=True) == "unknown"
    assert not could_be_legitimate(f, ev)


@pytest.mark.parametrize("text", [
    "Info PayPal, une tentative de connexion frauduleuse a eu lieu sur votre compte. Rendez-vous sur https://paypalclient.fr/",
    "DHL : votre colis a été mis en attente. Rendez-vous vite sur https://dhl-express-outre-mer.com",
    "Amazon: we could not confirm your payment details. Verify here: https://amazon-fr-miseajour.homepage.t-online.de/540",
])
def test_a_link_not_at_the_name_of_the_brand_the_message_speaks_for_is_evidence(triage, text):
    verdict = triage.check(Report(text=text, channel="sms"))
    assert "link_not_brand" in [r.code for r in verdict.reasons]
    assert verdict.verdict != "legitimate"


@pytest.mark.parametrize("text", [
    "Votre colis DHL arrive demain. Suivi : https://www.dhl.com/fr-fr/home/suivi.html",
    "Crédit Agricole : retrouvez votre relevé sur https://www.credit-agricole.fr/particulier.html",
    "Merci pour votre visite. Plan d'accès : https://example-clinique.fr/acces",  # names no brand
])
def test_a_link_at_the_brands_own_name_or_naming_no_brand_is_not(triage, text):
    verdict = triage.check(Report(text=text, channel="sms"))
    assert "link_not_brand" not in [r.code for r in verdict.reasons]


def test_the_combination_is_scikit_learns_logistic_regression_when_no_sign_binds():
    from sklearn.linear_model import LogisticRegression
    rng = np.random.default_rng(0)
    m, sw = rng.normal(size=(200, 3)), rng.random(200) + 0.5
    y = m @ np.array([1.0, -0.5, 0.2]) + rng.normal(size=200) > 0
    w, b = combination.bounded_logistic(m, y, sw, [0, 0, 0], 1.0)
    ref = LogisticRegression(C=1.0, tol=1e-10, max_iter=1000).fit(m, y, sample_weight=sw)
    assert np.allclose(w, ref.coef_[0], atol=1e-4) and abs(b - ref.intercept_[0]) < 1e-4


def test_a_weight_that_would_take_the_wrong_sign_stays_at_zero_and_the_others_are_refitted_around_it():
    # The second feature argues for "genuine" in these data; held to count only for "scam", it weighs
    # nothing, and the fit is the one the data give without it (not a refit that forgets it for good).
    rng = np.random.default_rng(1)
    m, sw = rng.normal(size=(300, 3)), np.ones(300)
    y = m @ np.array([1.0, -1.0, 0.5]) + rng.normal(size=300) > 0
    w, b = combination.bounded_logistic(m, y, sw, [1, 1, 1], 1.0)
    assert w[1] == 0.0 and w[0] > 0 and w[2] > 0
    alone, b_alone = combination.bounded_logistic(m[:, [0, 2]], y, sw, [1, 1], 1.0)
    assert np.allclose(w[[0, 2]], alone, atol=1e-4) and abs(b - b_alone) < 1e-4


def test_features_every_message_shares_weigh_less_than_rare_ones_and_rows_stay_unit_length():
    texts = ["votre colis est en attente", "votre rendez-vous est confirme", "votre code est 0000"]
    x = wording_mod.featurise(texts)
    idf = wording_mod.idf_of(x)
    shared, rare = wording_mod.featurise(["votre"]).indices[0], wording_mod.featurise(["colis"]).indices[0]
    assert idf[shared] < idf[rare]
    weighed = wording_mod.weigh(x, idf)
    assert np.allclose(np.asarray(weighed.multiply(weighed).sum(axis=1)).ravel(), 1.0, atol=1e-5)
    row = weighed[0].toarray().ravel()
    assert row[shared] < row[rare]  # within one message, the word all messages share counts less
    assert (wording_mod.weigh(x, None) != x).nnz == 0  # a model without weights reads the rows as they are
    empty = wording_mod.featurise([""])
    assert wording_mod.weigh(empty, idf).nnz == 0  # an empty text stays empty, no division by zero


def test_the_feature_weights_ship_with_the_model_and_are_used_to_score(tmp_path):
    model = wording_mod.shipped()
    assert model.idf is not None and model.idf.shape == model.coef.shape
    model.save(tmp_path / "w.npz")
    again = wording_mod.WordingModel.load(tmp_path / "w.npz")
    assert np.allclose(again.idf, model.idf, rtol=1e-3)
    x = wording_mod.featurise(["votre colis est en attente de livraison, payez les frais"])
    assert abs(float(model.logits(wording_mod.weigh(x, model.idf))[0])
               - float(model.logits(x)[0])) > 1e-3  # scoring without the weights would differ


@pytest.mark.parametrize("text", ["Olá. Te mandei um e-mail, você recebeu? Obrigado pela sua resposta, meu amigo.",
                                  "Sie wurden für eine Prämie ausgewählt. Bitte starten Sie Ihre Umfrage."])
def test_the_wording_of_a_language_the_model_cannot_read_weighs_nothing_either_way(triage, text):
    decision = triage.check(Report(text=text, channel="sms"))
    assert not {"wording", "wording_genuine"} & {r.code for r in decision.reasons}
    assert decision.verdict != "legitimate"


@pytest.mark.parametrize("label", ["Subject: ", "Objet : ", "Objet / Subject : ", "SUBJECT:", "> Objet :"])
def test_how_a_message_was_quoted_is_not_part_of_its_wording(label):
    # 30 corpus scams are quoted with their "Subject:" line against 5 genuine messages: the model
    # must not learn the quoting, and Vigie heads every e-mail's text with "Objet / Subject :".
    from nlp.types import Findings

    body = "Votre dossier est complet.\nMerci de votre confiance."
    plain = wording_mod.prepare(Findings(text=body, lang="fr", channel="email")).split()
    assert wording_mod.prepare(Findings(text=label + body, lang="fr", channel="email")).split() == plain
    forward = wording_mod.prepare(Findings(text="De : Service client\n" + body, lang="fr", channel="email")).split()
    assert forward == ["service", "client"] + plain  # the label goes, what it introduced stays


def test_training_reads_a_templates_variables_as_neither_words_nor_links(triage):
    """Public services' templates hold variables ("{{ data.email }}", "${shortLink}") that real messages never do:
    read as they are, "data.email" was an unknown site on a top-level domain much used for phishing."""
    case = corpus.Case("Bonjour {{ data.user.firstname }}, votre demande est enregistrée. Contact : {{ data.email }}"
                       " ou ${locals.today}.", "legit", "email", id="t-1", lang="fr")
    prep = train.analyse([case], triage)
    assert prep.findings[0].links == () and "data" not in prep.findings[0].text
    assert not {"link_unknown", "link_abused_tld"} & set(prep.codes[0])
