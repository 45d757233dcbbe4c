from workers.app import app

# Services are imported inside tasks: this module is loaded with the Celery app, before
# Django's models are ready.


@app.task(name="accounts.purge_refresh_tokens")
def purge_refresh_tokens() -> int:
    from market.accounts.services import refresh_tokens_purge

    return refresh_tokens_purge()


@app.task(name="accounts.password_reset_email_send")
def password_reset_email_send(*, email: str) -> None:
    from market.accounts.services import password_reset_email_send

    password_reset_email_send(email=email)


@app.task(name="accounts.verification_email_resend")
def verification_email_resend(*, email: str) -> None:
    from market.accounts.services import verification_email_resend

    verification_email_resend(email=email)
