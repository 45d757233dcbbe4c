from workers.app import app


@app.task(name="core.send_email", autoretry_for=(OSError,), max_retries=8, retry_backoff=True,
          retry_jitter=True)
def send_email(*, to: list[str], subject: str, body: str) -> None:
    from market.core.emails import email_send

    email_send(to=to, subject=subject, body=body)
