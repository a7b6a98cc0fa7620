"""The e-mail channel: plain text over SMTP (RAPPORT_SMTP_*), to the account's address."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from ..models import User
from . import Channel, ChannelContext, ChannelError, Message

TIMEOUT = 15.0


def email_ready(ctx: ChannelContext, user: User, settings: dict[str, Any]) -> bool:
    """SMTP is configured and the account has an address."""
    return bool(ctx.smtp["host"] and user.email)


def build_email(ctx: ChannelContext, user: User, message: Message) -> EmailMessage:
    """The plain-text e-mail for one notification."""
    mail = EmailMessage()
    sender = ctx.smtp["from"] or f"Rapport <rapport@{ctx.smtp['host']}>"
    mail["From"] = sender
    mail["To"] = user.email
    mail["Subject"] = message.title
    mail["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip("> ") or None)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(message.text())
    return mail


def send_email(ctx: ChannelContext, user: User, settings: dict[str, Any], message: Message) -> None:
    """Send one e-mail; a refusal or a network error becomes a ChannelError."""
    smtp = ctx.smtp
    try:
        if smtp["tls"] == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp["host"], smtp["port"], timeout=TIMEOUT, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(smtp["host"], smtp["port"], timeout=TIMEOUT)
        with client:
            if smtp["tls"] == "starttls":
                client.starttls(context=ssl.create_default_context())
            if smtp["user"]:
                client.login(smtp["user"], smtp["password"])
            client.send_message(build_email(ctx, user, message))
    except (smtplib.SMTPException, OSError) as exc:
        raise ChannelError(f"the mail server refused: {exc}"[:200]) from exc


EMAIL = Channel(name="email", label="E-mail", ready=email_ready, send=send_email)
