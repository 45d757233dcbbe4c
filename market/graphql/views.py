from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView
from graphql import specified_rules

from market.graphql.core.errors import format_error
from market.graphql.core.validation import query_limits_rule


@method_decorator(csrf_exempt, name="dispatch")
class MarketGraphQLView(GraphQLView):
    """``/graphql/``: graphene's view plus query limits and errors that carry a code."""

    def get_response(self, request, data, show_graphiql=False):
        try:
            _query, variables, _name, _id = self.get_graphql_params(request, data)
        except Exception:
            variables = None  # the parent reports the malformed request itself
        self.validation_rules = (*specified_rules, query_limits_rule(variables))
        return super().get_response(request, data, show_graphiql)

    @staticmethod
    def format_error(error):
        return format_error(error)
