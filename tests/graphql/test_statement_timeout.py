"""PostgreSQL stops any statement of an API request that runs past API_STATEMENT_TIMEOUT_MS: the
client gets ``query_timeout``, a mutation's transaction is rolled back, and the connection (kept
between requests) is left without the limit for whatever uses it next."""

from contextlib import contextmanager

import pytest
from django.db import connection

from market.accounts.models import User

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REGISTER = """mutation {
  accountRegister(input: {email: "slow@example.com", password: "a long enough passphrase"}) {
    user { email } errors { code }
  }
}"""


@contextmanager
def stall_after(table: str, seconds: float = 10):
    """After each statement touching ``table``, the database stalls (``pg_sleep``) on the same
    connection, as a costly statement of that request would."""

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if table in sql:
            execute("SELECT pg_sleep(%s)", [seconds], False, context)
        return result

    with connection.execute_wrapper(wrapper):
        yield


def statement_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


@pytest.fixture
def short_timeout(settings):
    settings.API_STATEMENT_TIMEOUT_MS = 200
    return settings


@pytest.mark.timeout(60)
def test_a_slow_query_is_stopped_and_answers_query_timeout(gql, short_timeout):
    with stall_after('"core_exchangerate"'):
        body = gql.post("{ currencies { code } }").json()

    assert [e["extensions"]["code"] for e in body["errors"]] == ["query_timeout"]
    assert body["errors"][0]["path"] == ["currencies"]


@pytest.mark.timeout(60)
def test_a_mutation_stopped_half_way_leaves_nothing_written(gql, short_timeout):
    with stall_after('INSERT INTO "accounts_user"'):
        body = gql.post(REGISTER).json()

    assert [e["extensions"]["code"] for e in body["errors"]] == ["query_timeout"]
    assert not User.objects.filter(email="slow@example.com").exists()


@pytest.mark.timeout(60)
def test_the_limit_is_lifted_after_the_request(gql, short_timeout):
    before = statement_timeout()
    with stall_after('"core_exchangerate"'):
        gql.post("{ currencies { code } }")

    assert statement_timeout() == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(0.3)")  # longer than the API's limit, outside a request


def test_a_query_within_the_limit_answers(gql, short_timeout):
    assert gql.execute("{ sellers { totalCount } }") == {"sellers": {"totalCount": 0}}
