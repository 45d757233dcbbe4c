from workers.app import app


# Not idempotent: an e-mail handed to the mail server cannot be taken back. So a worker killed
# mid-send does not get the message again (reject_on_worker_lost off, unlike the global
# setting): a lost e-mail is better than a duplicate of a payment or shipping notice.
@app.task(
    name="core.send_email",
    autoretry_for=(OSError,),
    max_retries=8,
    retry_backoff=True,
    retry_jitter=True,
    reject_on_worker_lost=False,
)
def send_email(*, to: list[str], subject: str, body: str) -> None:
    from market.core.emails import email_send

    email_send(to=to, subject=subject, body=body)
