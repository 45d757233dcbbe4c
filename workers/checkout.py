"""Housekeeping of checkouts: stock held by abandoned carts goes back on sale.

The tasks keep the names they were registered under while checkouts lived in the orders app
(``orders.*``): messages already queued and the beat schedule name them so.
"""

from workers.app import app

# Services are imported inside tasks: this module is loaded with the Celery app, before
# Django's models are ready.


@app.task(name="orders.release_expired_reservations")
def release_expired_reservations() -> int:
    from market.checkout.services import reservations_release_expired

    return reservations_release_expired()


@app.task(name="orders.delete_expired_checkouts")
def delete_expired_checkouts() -> int:
    from market.checkout.services import checkouts_delete_expired

    return checkouts_delete_expired()
