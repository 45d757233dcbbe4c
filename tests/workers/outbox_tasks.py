"""Tasks that only the outbox's worker tests run (the worker loads them with ``--include``).

Each appends a line to the file ``marker`` per run, so the test counts the runs."""

from pathlib import Path

from celery import Task

from workers.app import app


def _runs(marker: str, retries: int) -> int:
    path = Path(marker)
    with path.open("a") as file:
        file.write(f"{retries}\n")
    return len(path.read_text().splitlines())


@app.task(name="tests.outbox.fails_then_succeeds", bind=True, max_retries=3)
def fails_then_succeeds(self: "Task[..., None]", *, marker: str, failures: int) -> None:
    if _runs(marker, self.request.retries) <= failures:
        raise self.retry(countdown=1)


@app.task(
    name="tests.outbox.always_fails",
    autoretry_for=(OSError,),
    max_retries=2,
    retry_backoff=1,
    retry_backoff_max=2,
    retry_jitter=True,
)
def always_fails(*, marker: str) -> None:
    from celery import current_task

    _runs(marker, current_task.request.retries)
    raise OSError("the outside service does not answer")
