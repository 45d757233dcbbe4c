from django.contrib.auth.models import AnonymousUser
from django.utils.functional import SimpleLazyObject

from market.accounts.tokens import user_from_access_token
from market.core.errors import DomainError


class BearerTokenMiddleware:
    """API clients authenticate with ``Authorization: Bearer <access token>``.

    A bad token leaves the request anonymous and records why in ``request.auth_error``, so
    public queries still answer and private ones say exactly what is wrong with the token.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            request.auth_error = None

            def load():
                try:
                    return user_from_access_token(token.strip())
                except DomainError as error:
                    request.auth_error = error.message
                    return AnonymousUser()

            request.user = SimpleLazyObject(load)
        return self.get_response(request)
