"""Outgoing e-mail over SMTP (``RSC_SMTP_*``): one connection per batch of messages."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage

from rsc.settings import Settings


class MailRefused(Exception):
    """The SMTP server refused this message for good (5xx for the recipient or the content)."""

    def __init__(self, code: int) -> None:
        super().__init__(f"the SMTP server refused the message with code {code}")
        self.code = code


class MailUnavailable(ConnectionError):
    """The SMTP server could not be reached or answered with a temporary (4xx) error."""


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    #: Stable per notification, so a resent e-mail carries the same Message-ID.
    message_id: str


class Mailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @contextmanager
    def connection(self) -> Iterator[MailConnection]:
        s = self.settings
        try:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_s)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailUnavailable(f"SMTP server {s.smtp_host}:{s.smtp_port}: {type(exc).__name__}") from exc
        try:
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password)
            yield MailConnection(smtp, s.smtp_from)
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


class MailConnection:
    def __init__(self, smtp: smtplib.SMTP, sender: str) -> None:
        self._smtp = smtp
        self._sender = sender

    def send(self, mail: Mail) -> None:
        """Return once the server accepted the message; raise MailRefused or MailUnavailable."""
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Message-ID"] = mail.message_id
        message.set_content(mail.body)
        try:
            refused = self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise _by_code(codes[0] if codes else 550) from None
        except smtplib.SMTPResponseException as exc:
            raise _by_code(exc.smtp_code) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise MailUnavailable(f"SMTP: {type(exc).__name__}") from exc
        if refused:
            code, _ = next(iter(refused.values()))
            raise _by_code(code)


def _by_code(code: int) -> Exception:
    if 400 <= code < 500:
        return MailUnavailable(f"the SMTP server answered {code}; try again later")
    return MailRefused(code)
