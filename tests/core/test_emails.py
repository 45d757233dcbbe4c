import pytest
from django.core import mail
from django.db import transaction

from market.core.emails import email_enqueue

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_email_leaves_only_when_the_change_commits(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from workers.app import app

    app.conf.task_always_eager = True
    try:
        with transaction.atomic():
            email_enqueue(to="maker@example.com", subject="Approved", body="Welcome")
            assert mail.outbox == []
        with pytest.raises(RuntimeError), transaction.atomic():
            email_enqueue(to="other@example.com", subject="Never", body="Rolled back")
            raise RuntimeError
    finally:
        app.conf.task_always_eager = False

    assert [(m.to, m.subject) for m in mail.outbox] == [(["maker@example.com"], "Approved")]
