from tests.stripe_server.fixtures import _stripe_server_process, stripe_server  # noqa: F401
