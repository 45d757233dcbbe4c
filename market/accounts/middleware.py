from django.contrib.auth.models import AnonymousUser
from django.utils.functional import SimpleLazyObject

from market.accounts.tokens import user_from_access_token
from market.core.errors import DomainError


class BearerTokenMiddleware:
    """API clients authenticate with ``Authorization: Bearer <access token>``.

    ``request.bearer_user`` is the token's user, or anonymous when no usable bearer token was
    sent: the GraphQL endpoint takes its user from there only, never from the session cookie.
    A bad token, or an ``Authorization`` header of another scheme (``Basic``, ``Token``, an
    empty ``Bearer``), leaves the request anonymous and records why in ``request.auth_error``,
    so public queries still answer and private ones say exactly what is wrong.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        request.auth_error = None
        request.bearer_user = AnonymousUser()
        if scheme.lower() == "bearer" and token.strip():

            def load():
                try:
                    return user_from_access_token(token.strip())
                except DomainError as error:
                    request.auth_error = error.message
                    return AnonymousUser()

            request.bearer_user = request.user = SimpleLazyObject(load)
        elif header:
            request.auth_error = (
                "Send 'Authorization: Bearer <access token>'; no other scheme is accepted."
            )
        return self.get_response(request)
