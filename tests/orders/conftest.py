import pytest


@pytest.fixture
def eager_tasks():
    """Tasks queued after commit run inline (wrap the request in
    ``django_capture_on_commit_callbacks(execute=True)`` so the commit hooks fire)."""
    from workers.app import app

    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False
