"""E-mail with a picture: an attached screenshot or an inline image is read when the text around it
says little; a long forwarded text keeps its images as logos. Signed Mailgun posts, a recording sender."""
from __future__ import annotations

from email.message import EmailMessage

from store import cases
from tests.webhooks.conftest import mailgun_form
from tests.webhooks.picture_files import need_reader, text_png


def patient_email(note: str, picture: bytes, *, inline: bool = False, subtype: str = "png",
                  subject: str = "Capture") -> bytes:
    """A patient's own e-mail to Vigie: a short note and a screenshot, attached or inline in HTML."""
    msg = EmailMessage()
    msg["From"], msg["To"] = "Marie <marie.patient@example.fr>", "verifier@vigie.example.org"
    msg["Subject"], msg["Message-ID"] = subject, "<capture-1@example.fr>"
    msg.set_content(note)
    if inline:
        msg.add_alternative(f'<p>{note}</p><img src="cid:capture1">', subtype="html")
        msg.get_payload()[1].add_related(picture, "image", subtype, cid="<capture1>")
    else:
        msg.add_attachment(picture, maintype="image", subtype=subtype, filename="capture.png")
    return msg.as_bytes()


def stored(db) -> cases.Case:
    return cases.get(db, db.execute("SELECT max(id) FROM cases").fetchone()[0])


def test_screenshot_attached_to_an_email_is_answered_scam(client, db, recorder):
    need_reader()
    resp = client.post("/webhooks/email/mime", data=mailgun_form(patient_email("Est-ce une arnaque ?", text_png())))
    assert resp.status_code == 200 and resp.json["status"] == "ok"
    (address, body, meta), = recorder.sent
    assert address == "marie.patient@example.fr" and body.startswith("ARNAQUE")
    case = stored(db)
    assert case.verdict == "scam" and "carte vitale" in case.text.lower()


def test_inline_screenshot_in_an_html_email_is_read(client, db, recorder):
    need_reader()
    raw = patient_email("Vu sur mon téléphone", text_png(fmt="JPEG"), inline=True, subtype="jpeg")
    assert client.post("/webhooks/email/mime", data=mailgun_form(raw)).status_code == 200
    assert recorder.sent[0][1].startswith("ARNAQUE") and stored(db).verdict == "scam"


def test_unreadable_attachment_alone_gets_a_clear_answer_and_a_case_for_staff(client, db, recorder):
    raw = patient_email("", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, subject="")
    assert client.post("/webhooks/email/mime", data=mailgun_form(raw)).status_code == 200
    assert recorder.sent[0][1].startswith("Je n'arrive pas à ouvrir cette image")
    case = stored(db)
    assert case.status == "error" and "picture_corrupt" in case.text


def test_unreadable_attachment_with_a_note_says_so_and_checks_the_note(client, db, recorder):
    raw = patient_email("Regardez ce SMS de la CPAM", b"GIF89a" + b"\x00" * 64, subtype="gif")
    assert client.post("/webhooks/email/mime", data=mailgun_form(raw)).status_code == 200
    body = recorder.sent[0][1]
    assert body.startswith("Je ne lis que les images PNG, JPEG, WebP ou HEIC")
    assert "Regardez" in stored(db).text and "picture_unsupported" in stored(db).text


def test_a_long_forwarded_email_keeps_its_images_as_logos(client, db, recorder):
    note = "Madame, Monsieur, " + "votre dossier de remboursement est en cours de traitement. " * 8
    raw = patient_email(note, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    assert client.post("/webhooks/email/mime", data=mailgun_form(raw)).status_code == 200
    assert "image" not in recorder.sent[0][1] and stored(db).status != "error"
