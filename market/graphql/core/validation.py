"""Refuse abusive queries before they run: too deep, or too costly.

Cost counts one per field, and a list field's subtree is multiplied by the page size it asks for
(``first``/``last``, else the default page), so ``products(first: 100) { variants … }`` weighs
a hundred times its variants. Fragments are followed, each fragment once per path (cycles are
left to graphql-core's own NoFragmentCycles rule).
"""

from __future__ import annotations

from django.conf import settings
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    ValidationRule,
    VariableNode,
)
from graphql.validation import ValidationContext

from market.graphql.core.errors import ApiErrorCode


def query_limits_rule(variables: dict | None) -> type[ValidationRule]:
    """The rule for one request: page sizes may come from that request's variables."""

    class QueryLimitsForRequest(QueryLimitsRule):
        request_variables = variables or {}

    return QueryLimitsForRequest


class QueryLimitsRule(ValidationRule):
    request_variables: dict = {}

    def __init__(self, context: ValidationContext):
        super().__init__(context)
        self.fragments = {
            d.name.value: d for d in context.document.definitions
            if d.kind == "fragment_definition"
        }
        self.variables = self.request_variables

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args):
        max_depth = settings.GRAPHQL_MAX_DEPTH
        max_cost = settings.GRAPHQL_MAX_COST
        depth, cost = self._measure(node.selection_set, depth=0, seen=frozenset())
        name = node.name.value if node.name else "anonymous"
        if depth > max_depth:
            self.report_error(GraphQLError(
                f"Operation '{name}' is {depth} levels deep; the limit is {max_depth}.",
                node, extensions={"code": ApiErrorCode.QUERY_TOO_DEEP.value}))
        elif cost > max_cost:
            self.report_error(GraphQLError(
                f"Operation '{name}' would cost {cost}; the limit is {max_cost}. "
                "Ask for smaller pages or fewer nested lists.",
                node, extensions={"code": ApiErrorCode.QUERY_TOO_COSTLY.value}))

    def _page_size(self, field: FieldNode) -> int:
        for arg in field.arguments or ():
            if arg.name.value in ("first", "last"):
                if isinstance(arg.value, IntValueNode):
                    return max(int(arg.value.value), 1)
                if isinstance(arg.value, VariableNode):
                    value = self.variables.get(arg.value.name.value)
                    if isinstance(value, int):
                        return max(value, 1)
                    return settings.GRAPHQL_MAX_PAGE_SIZE
        return 1

    def _measure(self, selection_set, *, depth: int, seen: frozenset) -> tuple[int, int]:
        if selection_set is None:
            return depth, 0
        max_depth, cost = depth, 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.name.value.startswith("__"):
                    continue
                sub_depth, sub_cost = self._measure(
                    selection.selection_set, depth=depth + 1, seen=seen)
                cost += 1 + self._page_size(selection) * sub_cost
                max_depth = max(max_depth, sub_depth)
            elif isinstance(selection, InlineFragmentNode):
                sub_depth, sub_cost = self._measure(selection.selection_set, depth=depth,
                                                    seen=seen)
                cost += sub_cost
                max_depth = max(max_depth, sub_depth)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue
                sub_depth, sub_cost = self._measure(fragment.selection_set, depth=depth,
                                                    seen=seen | {name})
                cost += sub_cost
                max_depth = max(max_depth, sub_depth)
        return max_depth, cost
