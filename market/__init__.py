# Load the Celery app with Django so that services can enqueue tasks by name in every process.
from workers.app import app as celery_app

__all__ = ["celery_app"]
