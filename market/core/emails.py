"""E-mail to people: queued by services after commit, sent by a worker."""

from django.conf import settings
from django.core.mail import send_mail

from market.core.tasks import enqueue_on_commit


def email_enqueue(*, to: list[str] | str, subject: str, body: str) -> None:
    """Send an e-mail once the current transaction commits (never for a rolled-back change)."""
    recipients = [to] if isinstance(to, str) else list(to)
    enqueue_on_commit("core.send_email", to=recipients, subject=subject, body=body)


def email_send(*, to: list[str], subject: str, body: str) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)
