from functools import lru_cache

from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import HttpError
from graphene_file_upload.django import FileUploadGraphQLView
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)

from market.graphql.core.errors import format_error
from market.graphql.core.validation import query_limits_rule
from market.graphql.schema import schema

# Clients send the same few documents over and over: parse and validate each once per process.
# Long documents are not kept, so a client cannot fill memory with unique queries.
CACHEABLE_QUERY_LENGTH = 20_000


@lru_cache(maxsize=256)
def _parse_and_validate_cached(query: str) -> tuple[DocumentNode | None, tuple[GraphQLError, ...]]:
    return _parse_and_validate(query)


def _parse_and_validate(query: str) -> tuple[DocumentNode | None, tuple[GraphQLError, ...]]:
    try:
        document = parse(query)
    except GraphQLError as error:
        return None, (error,)
    return document, tuple(validate(schema.graphql_schema, document, specified_rules))


def parse_and_validate(query: str) -> tuple[DocumentNode | None, tuple[GraphQLError, ...]]:
    if len(query) > CACHEABLE_QUERY_LENGTH:
        return _parse_and_validate(query)
    return _parse_and_validate_cached(query)


@method_decorator(csrf_exempt, name="dispatch")
class MarketGraphQLView(FileUploadGraphQLView):
    """``/graphql/``: graphene's view (with multipart uploads), cached parsing, query limits and
    coded errors. It is exempt from CSRF checks, so it trusts only bearer tokens, never the
    admin's session cookie."""

    def execute_graphql_request(self, request, data, query, variables, operation_name,
                                show_graphiql=False):
        if "Authorization" not in request.headers:
            request.user = AnonymousUser()
        if not query:
            if show_graphiql:
                return None
            raise HttpError(HttpResponseBadRequest("Must provide query string."))
        document, errors = parse_and_validate(query)
        if errors:
            return ExecutionResult(data=None, errors=list(errors))
        operation = get_operation_ast(document, operation_name)
        if (request.method.lower() == "get" and operation is not None
                and operation.operation != OperationType.QUERY):
            if show_graphiql:
                return None
            raise HttpError(HttpResponseNotAllowed(["POST"], "Mutations need a POST request."))
        # Page sizes may come from this request's variables, so the limits are checked each time.
        limit_errors = validate(schema.graphql_schema, document, [query_limits_rule(variables)])
        if limit_errors:
            return ExecutionResult(data=None, errors=limit_errors)
        try:
            return execute(schema.graphql_schema, document,
                           root_value=self.get_root_value(request),
                           context_value=self.get_context(request),
                           variable_values=variables, operation_name=operation_name,
                           middleware=self.get_middleware(request))
        except Exception as error:  # graphql-core reports resolver errors itself; this is a bug
            return ExecutionResult(errors=[error])

    @staticmethod
    def format_error(error):
        return format_error(error)
