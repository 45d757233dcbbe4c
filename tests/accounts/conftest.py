import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.conftest import GraphQLClient

PASSWORD = "correct horse battery"  # what tests.factories.UserFactory sets

ERRORS = "errors { field code message }"
TOKENS = f"accessToken refreshToken user {{ id email }} {ERRORS}"

REGISTER = f"""mutation($input: AccountRegisterInput!) {{
  accountRegister(input: $input) {{
    user {{ id email firstName lastName isEmailVerified }} {ERRORS} }} }}"""
CONFIRM = f"""mutation($email: String!, $token: String!) {{
  accountConfirmEmail(email: $email, token: $token) {{ user {{ email isEmailVerified }} {ERRORS} }}
}}"""
RESEND = f"""mutation($email: String!) {{
  accountResendVerification(email: $email) {{ {ERRORS} }} }}"""
LOGIN = f"""mutation($email: String!, $password: String!) {{
  tokenCreate(email: $email, password: $password) {{ {TOKENS} }} }}"""
REFRESH = f"""mutation($token: String!) {{ tokenRefresh(refreshToken: $token) {{ {TOKENS} }} }}"""
REVOKE = f"""mutation($token: String!) {{ tokenRevoke(refreshToken: $token) {{ {ERRORS} }} }}"""
REVOKE_ALL = f"mutation {{ tokensRevokeAll {{ {ERRORS} }} }}"
PASSWORD_CHANGE = f"""mutation($old: String!, $new: String!) {{
  passwordChange(oldPassword: $old, newPassword: $new) {{ {TOKENS} }} }}"""
RESET_REQUEST = f"""mutation($email: String!) {{
  requestPasswordReset(email: $email) {{ {ERRORS} }} }}"""
SET_PASSWORD = f"""mutation($email: String!, $token: String!, $password: String!) {{
  setPassword(email: $email, token: $token, password: $password) {{ {ERRORS} }} }}"""
ME = "{ me { email } }"


@pytest.fixture
def run_on_commit(eager_tasks, django_capture_on_commit_callbacks):
    """``with run_on_commit(): ...``: the block's on-commit hooks run as it ends, so e-mails it
    queued are in ``mail.outbox``."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def bearer_client(access_token: str) -> GraphQLClient:
    client = GraphQLClient()
    client.headers["Authorization"] = f"Bearer {access_token}"
    return client


def link_params(body: str, path: str) -> dict[str, str]:
    """The query parameters of the storefront link to ``path`` in an e-mail body."""
    url = re.search(rf"(\S+/{path}/\?\S+)", body).group(1)
    return {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}


def login(gql, email: str, password: str = PASSWORD) -> dict:
    return gql.execute(LOGIN, {"email": email, "password": password})["tokenCreate"]


def client_at(address: str | None = None, forwarded_for: str | None = None) -> GraphQLClient:
    """A GraphQL client whose requests come from ``address`` (REMOTE_ADDR), through proxies
    that say ``forwarded_for``."""
    client = GraphQLClient()
    if address is not None:
        client.client.defaults["REMOTE_ADDR"] = address
    if forwarded_for is not None:
        client.headers["X-Forwarded-For"] = forwarded_for
    return client
