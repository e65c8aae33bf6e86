"""E-mail that must not start a loop (RFC 3834 §2), and a command written above a quoted reply."""
from __future__ import annotations

import logging
import uuid

import pytest

from bot import replies
from store import cases
from tests.webhooks.conftest import forwarded_eml, mailgun_form

PATIENT = "marie.patient@example.fr"
QUOTED_REPLY = (
    "From: Marie <marie.patient@example.fr>\r\nTo: verifier@vigie.example.org\r\n"
    "Subject: Re: Vigie : résultat de la vérification de votre message\r\n"
    "Message-ID: <{id}@example.fr>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n\r\n{top}\r\n\r\n{attribution}\r\n"
    "> ARNAQUE probable. Pourquoi : le lien https://ameli-remboursement-info.com imite ameli.\r\n"
    "> Ne cliquez pas, ne payez rien.\r\n"
)


def post(client, raw: bytes):
    return client.post("/webhooks/email/mime", data=mailgun_form(raw))


def reply_eml(top: str, attribution: str = "") -> bytes:
    return QUOTED_REPLY.format(id=uuid.uuid4().hex, top=top, attribution=attribution).encode()


def automatic_eml(headers: str, sender: str = f"Marie <{PATIENT}>",
                  content_type: str = "text/plain; charset=utf-8") -> bytes:
    """A message that looks like a report (a scam text in it) but comes with loop-signalling headers."""
    return (f"From: {sender}\r\nTo: verifier@vigie.example.org\r\nSubject: Remboursement\r\n"
            f"Message-ID: <{uuid.uuid4().hex}@example.fr>\r\n{headers}MIME-Version: 1.0\r\n"
            f"Content-Type: {content_type}\r\n\r\n"
            "Vous avez droit a un remboursement de 248,50 EUR : https://ameli-remboursement-info.com\r\n").encode()


BOUNCE = (
    "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.fr>\r\nTo: vigie@vigie.example.org\r\n"
    "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce-{id}@mx.example.fr>\r\n"
    "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=R\r\n\r\n"
    "--R\r\nContent-Type: text/plain\r\n\r\nThis is the mail system. Your message could not be delivered.\r\n"
    "--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.fr\r\n\r\n"
    "Final-Recipient: rfc822; old@example.fr\r\nAction: failed\r\nStatus: 5.1.1\r\n"
    "--R\r\nContent-Type: message/rfc822\r\n\r\nFrom: vigie@vigie.example.org\r\nSubject: Vigie\r\n\r\n"
    "ARNAQUE probable https://ameli-remboursement-info.com\r\n--R--\r\n"
)


@pytest.mark.parametrize("top, attribution, said", [
    ("STOP", "", "fr"),
    ("Stop !", "Le lun. 1 déc. 2026 à 10:00, Vigie <vigie@vigie.example.org> a écrit :", "fr"),
    ("OUBLI", "Le lun. 1 déc. 2026 à 10:00, Vigie <vigie@vigie.example.org> a\r\nécrit :", "fr"),
    ("Désabonner", "", "fr"),
    ("unsubscribe", "On Mon, 1 Dec 2026 at 10:00, Vigie <vigie@vigie.example.org> wrote:", "en"),
])
def test_command_above_a_quoted_original_is_the_command_not_a_report(client, db, recorder, top, attribution, said):
    resp = post(client, reply_eml(top, attribution))
    assert resp.status_code == 200
    assert cases.count(db) == 0
    if top == "OUBLI":  # a From anyone can forge: a code is sent back first (tests/store/test_forget_confirm.py)
        assert recorder.sent[0][1].startswith(replies.t(said, "conversation", "forget_confirm", code="")[:30])
    else:
        assert recorder.sent[0][1].startswith(replies.t(said, "conversation", "stopped"))


def test_stop_above_a_quote_stops_follow_ups(client, db):
    post(client, reply_eml("STOP"))
    assert db.execute("SELECT stopped FROM reporters").fetchall() == [(1,)]


def test_a_question_above_a_quote_is_still_checked(client, db, recorder):
    post(client, reply_eml("Et celui-ci, c'est une arnaque ? https://ameli-remboursement-info.com/x"))
    assert cases.count(db) == 1 and len(recorder.sent) == 1


@pytest.mark.parametrize("raw", [
    BOUNCE.format(id=1).encode(),
    automatic_eml("", sender="MAILER-DAEMON@mx.example.fr"),
    automatic_eml("Return-Path: <>\r\n"),
    automatic_eml("Auto-Submitted: auto-replied\r\n"),
    automatic_eml("Auto-Submitted: auto-generated\r\n"),
    automatic_eml("X-Autoreply: yes\r\n"),
    automatic_eml("X-Autorespond: Je suis absente\r\n"),
    automatic_eml("Precedence: bulk\r\n"),
    automatic_eml("Precedence: list\r\n"),
    automatic_eml("Precedence: junk\r\n"),
    automatic_eml("List-Id: <patients.lists.example.fr>\r\n"),
    automatic_eml("List-Unsubscribe: <mailto:unsub@lists.example.fr>\r\n"),
    automatic_eml("", sender="Vigie <vigie@vigie.example.org>"),
    automatic_eml("", content_type="multipart/report; report-type=disposition-notification; boundary=Z"),
], ids=["bounce", "mailer-daemon", "null-return-path", "auto-replied", "auto-generated", "x-autoreply",
        "x-autorespond", "bulk", "list", "junk", "list-id", "list-unsubscribe", "own-address", "read-receipt"])
def test_automatic_mail_is_never_answered_nor_stored(client, db, recorder, caplog, raw):
    caplog.set_level(logging.INFO)
    resp = post(client, raw)
    assert resp.status_code == 200 and resp.json["status"] == "ignored"
    assert not recorder.sent and cases.count(db) == 0
    assert db.execute("SELECT count(*) FROM outbox").fetchone() == (0,)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "not answered" in logged and "@" not in logged and "remboursement" not in logged.lower()


def test_ignored_mail_token_is_remembered_against_replay(client):
    form = mailgun_form(automatic_eml("Precedence: bulk\r\n"))
    assert client.post("/webhooks/email/mime", data=form).status_code == 200
    assert client.post("/webhooks/email/mime", data=form).status_code == 406


def test_auto_submitted_no_is_answered(client, db, recorder):
    post(client, automatic_eml("Auto-Submitted: no\r\n"))
    assert cases.count(db) == 1 and len(recorder.sent) == 1


def test_list_unsubscribe_on_a_patients_forward_is_still_answered(client, db, recorder):
    raw = forwarded_eml().replace(b"MIME-Version: 1.0\r\n", b"List-Unsubscribe: <mailto:x@example.fr>\r\n"
                                  b"MIME-Version: 1.0\r\n", 1)
    assert post(client, raw).json["status"] == "ok"
    assert cases.count(db) == 1 and len(recorder.sent) == 1


def test_a_forwarded_original_is_never_vouched_for_by_its_own_headers_but_any_failure_counts(triage):
    """Any Authentication-Results in a forwarded copy may be the sender's own: written under the receiving server's
    verdict, above or below Received lines, or in a crafted original attached to a scam (two audits found each way
    round the rules tried). A pass proves nothing; a failure, which no scammer forges against himself, counts."""
    from webhooks.mime import parse_eml

    def forward(headers: str) -> bytes:
        return _attached(headers + "From: Assurance Maladie <assurance-maladie@info.ameli.fr>\r\nSubject: Paiement"
                         "\r\n\r\nVotre caisse a effectue un paiement vous concernant.\r\n")

    received = "Received: from relay.example.net by mx.example.org; Mon, 1 Dec 2026 10:00:00 +0000\r\n"
    passing = "Authentication-Results: mx.google.com; dkim=pass; dmarc=pass (p=REJECT) header.from=info.ameli.fr\r\n"
    for headers in (passing, received + passing, passing + received, received + passing + received):
        report = parse_eml(forward(headers)).report
        assert not report.auth_passed and not report.auth_failed
        assert "sender_official" not in {r.code for r in triage.check(report).reasons}
    failing = parse_eml(forward(received + "Authentication-Results: mx.example.org; spf=pass; "
                                           "dmarc=fail header.from=info.ameli.fr\r\n")).report
    assert failing.auth_failed and not failing.auth_passed


def test_a_bounce_address_is_not_where_replies_go_and_a_sub_domain_is_the_same_sender(triage):
    """Mailing services put their own domain in Return-Path (the bounce address) for nearly every genuine notice;
    only a Reply-To on another domain than the sender's sends the answers elsewhere."""
    from webhooks.mime import parse_eml

    def forward(headers: str) -> bytes:
        inner = (f"{headers}From: Cabinet <rendez-vous@example-clinique.fr>\r\nSubject: Rappel\r\n\r\n"
                 "Rappel : votre rendez-vous est le 12 mars a 10 h au cabinet.\r\n")
        return ("From: patient@example.org\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\n"
                "Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nregardez\r\n"
                "--B\r\nContent-Type: message/rfc822\r\n\r\n" + inner + "--B--\r\n").encode()

    def codes(headers: str) -> set[str]:
        return {r.code for r in triage.check(parse_eml(forward(headers)).report).reasons}

    assert "reply_to_mismatch" not in codes("Return-Path: <bounces+81723@em.mailer-service.example>\r\n")
    assert "reply_to_mismatch" not in codes("Reply-To: <secretariat@rdv.example-clinique.fr>\r\n")
    assert "reply_to_mismatch" in codes("Reply-To: <cabinet.rdv@gmail.com>\r\n")


def _attached(inner: str) -> bytes:
    return ("From: patient@example.org\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nregardez\r\n"
            "--B\r\nContent-Type: message/rfc822\r\n\r\n" + inner + "--B--\r\n").encode()


def test_microsofts_composite_authentication_failure_counts_as_a_failed_check():
    """compauth=fail is how Microsoft 365 marks a sender it judged spoofed, even when SPF, DKIM and DMARC say 'none'."""
    from webhooks.mime import parse_eml

    def report(auth: str):
        return parse_eml(_attached(f"Authentication-Results: spf=none; dkim=none; dmarc=none; {auth}\r\n"
                                   "From: Remboursement <info@example-boutique.fr>\r\nSubject: Prime\r\n\r\n"
                                   "Vous avez ete selectionne pour une prime.\r\n")).report

    assert report("compauth=fail reason=001").auth_failed
    assert not report("compauth=pass reason=100").auth_failed
    assert not report("compauth=softpass reason=201").auth_failed


def test_an_attachment_that_installs_a_program_or_a_device_profile_is_named_and_weighs(triage):
    from webhooks.mime import parse_eml

    def forward(filename: str) -> bytes:
        inner = ("From: Support <support@example-helpdesk.net>\r\nSubject: Activite inhabituelle\r\n"
                 "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=C\r\n\r\n"
                 "--C\r\nContent-Type: text/plain\r\n\r\nOuvrez le fichier joint pour securiser votre compte.\r\n"
                 f"--C\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; "
                 f"filename=\"{filename}\"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--C--\r\n")
        return _attached(inner)

    profile = parse_eml(forward("email-support.mobileconfig")).report
    assert profile.risky_attachments == (".mobileconfig",)
    assert parse_eml(forward("Convocation_IRM.PDF")).report.risky_attachments == ()
    assert parse_eml(forward("Facture.pdf.exe")).report.risky_attachments == (".exe",)
    assert parse_eml(forward("Facture.exe. ")).report.risky_attachments == (".exe",)  # Windows drops the dot
    verdict = triage.check(profile)
    assert verdict.verdict in ("scam", "suspicious")
    reason = next(r for r in verdict.reasons if r.code == "attachment_risky")
    assert ".mobileconfig" in reason.message


def test_a_sender_name_hiding_invisible_marks_between_its_letters_is_a_disguise(triage):
    from bot.report import Report

    hidden = "Mi\U000e0139cro\u200bsoft Se\U000e0139rvice <mail.apps@example-datamart.net>"
    verdict = triage.check(Report("Unusual sign-in activity on your account. Review it today.", "email",
                                  sender=hidden))
    assert "sender_disguised" in {r.code for r in verdict.reasons}
    assert verdict.verdict in ("scam", "suspicious")
    # An emoji's own colour mark in a display name, or a plain name, is not a disguise.
    for plain in ("\u2764\ufe0f Boutique Lina <news@example-boutique.fr>", "Cabinet Durand <rdv@example-cabinet.fr>"):
        codes = {r.code for r in triage.check(Report("Votre commande est en route.", "email", sender=plain)).reasons}
        assert "sender_disguised" not in codes


def test_an_inline_forwards_own_authentication_failure_says_nothing_of_the_message_pasted_in_it():
    """The headers of an inline forward are the patient's own e-mail's: a patient whose provider fails SPF at
    reception used to make every message they forwarded "failed its authenticity checks", a strong fact."""
    from webhooks.mime import parse_eml
    inline = ("Authentication-Results: mx.example.org; spf=softfail smtp.mailfrom=example.org\r\n"
              "From: patient@example.org\r\nSubject: TR: rendez-vous\r\n\r\nregardez\r\n\r\n"
              "---------- Forwarded message ---------\r\nDe : Cabinet <rdv@example-cabinet.fr>\r\n"
              "Objet : Rappel\r\n\r\nRappel : votre rendez-vous est le 12 mars a 10 h.\r\n").encode()
    assert not parse_eml(inline).report.auth_failed
    attached = _attached("Authentication-Results: mx.example.org; spf=softfail smtp.mailfrom=example-cabinet.fr\r\n"
                         "From: Cabinet <rdv@example-cabinet.fr>\r\nSubject: Rappel\r\n\r\nRappel : rendez-vous.\r\n")
    assert parse_eml(attached).report.auth_failed
