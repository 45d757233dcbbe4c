"""Refuse abusive queries before they run, in a time that grows with the document's length only.

These rules run before graphql-core's own validation, so a hostile document is refused before
anything else walks it. Per operation they cap:

- aliases (``GRAPHQL_MAX_ALIASES``) and root fields (``GRAPHQL_MAX_ROOT_FIELDS``), counted as the
  operation runs them: a fragment spread twice counts twice;
- depth (``GRAPHQL_MAX_DEPTH``): fields inside fields; introspection's ``ofType`` chains are not
  counted (their cost is);
- cost (``GRAPHQL_MAX_COST``): one per field, ``__typename`` and introspection's included, and a
  list field's subtree is multiplied by how many items it may return:

  - a connection (a type with ``edges`` and ``pageInfo``): its ``first``/``last`` (a literal, a
    variable of this request or the variable's default), else the default page size (20);
    its ``edges`` are that page, not a second list;
  - a plain list (``variants``, ``children``, ``currencies``…): ``PLAIN_LIST_SIZE`` items;
  - an introspection list (``types``, ``fields``, ``args``…): its average length in this schema,
    so ``__schema { types { fields { name } } }`` costs about what it returns.

Each fragment is measured once per operation, however often it is spread (its figures are
remembered), so 24 fragments that each spread the next one twice cost 24 measurements, not 2^24.

Also here: introspection (``__schema``, ``__type``) is refused unless ``GRAPHQL_INTROSPECTION``
allows it (``__typename`` always answers), and a string holding a NUL character or a lone
surrogate is refused (PostgreSQL cannot store either).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValidationRule,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)
from graphql.utilities.type_info import get_field_def
from graphql.validation import ValidationContext

from market.core.json_limits import text_storable
from market.graphql.core.errors import ApiErrorCode
from market.graphql.core.pagination import DEFAULT_PAGE_SIZE

# How many items a list that is not a connection is assumed to hold: a product's variants and
# images, a category's children, the currencies. None of ours is paginated because none is long.
PLAIN_LIST_SIZE = 10

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})

# What graphql-core's ``is_composite_type`` accepts, as a tuple ``isinstance`` narrows with.
_COMPOSITE_TYPES = (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType)


def query_limits_rules(variables: dict | None) -> list[type[ValidationRule]]:
    """The cheap rules for one request (page sizes may come from its variables): run them
    before graphql-core's own rules, so those never see a hostile document."""

    class QueryLimitsForRequest(QueryLimitsRule):
        request_variables = variables or {}

    return [QueryLimitsForRequest, IntrospectionRule, NoNulCharacterRule]


@dataclass(frozen=True)
class Measure:
    depth: int = 0
    cost: float = 0  # fractional where an introspection list's average length is used
    aliases: int = 0
    fields: int = 0  # fields at this level, fragments expanded (the root fields, at the top)

    def __add__(self, other: Measure) -> Measure:
        return Measure(
            max(self.depth, other.depth),
            self.cost + other.cost,
            self.aliases + other.aliases,
            self.fields + other.fields,
        )


class QueryLimitsRule(ValidationRule):
    request_variables: dict = {}

    def __init__(self, context: ValidationContext):
        super().__init__(context)
        self.schema = context.schema
        self.fragments = {
            d.name.value: d
            for d in context.document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        self.list_sizes = introspection_list_sizes(self.schema)

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args):
        self.variables = dict(self.request_variables)
        for definition in node.variable_definitions or ():
            name = definition.variable.name.value
            if self.variables.get(name) is None and isinstance(
                definition.default_value, IntValueNode
            ):
                self.variables[name] = int(definition.default_value.value)
        self.fragment_measures: dict[str, Measure] = {}
        self.measuring: set[str] = set()
        root = self.schema.get_root_type(node.operation)
        # Fragments nesting each other past the interpreter's stack never get here: graphql-core
        # aborts the validation first (the view codes that query_too_deep).
        measure = self._measure(node.selection_set, root)
        name = node.name.value if node.name else "anonymous"
        limits = (
            (
                measure.aliases,
                settings.GRAPHQL_MAX_ALIASES,
                ApiErrorCode.TOO_MANY_ALIASES,
                "uses {} aliases; the limit is {}.",
            ),
            (
                measure.fields,
                settings.GRAPHQL_MAX_ROOT_FIELDS,
                ApiErrorCode.TOO_MANY_ROOT_FIELDS,
                "asks for {} root fields; the limit is {}. Send several requests.",
            ),
            (
                measure.depth,
                settings.GRAPHQL_MAX_DEPTH,
                ApiErrorCode.QUERY_TOO_DEEP,
                "is {} levels deep; the limit is {}.",
            ),
            (
                math.ceil(measure.cost),
                settings.GRAPHQL_MAX_COST,
                ApiErrorCode.QUERY_TOO_COSTLY,
                "would cost {}; the limit is {}. Ask for smaller pages or fewer nested lists.",
            ),
        )
        for value, limit, code, message in limits:
            if value > limit:
                self.report_error(
                    GraphQLError(
                        f"Operation '{name}' " + message.format(value, limit),
                        node,
                        extensions={"code": code.value},
                    )
                )

    def _measure(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None
    ) -> Measure:
        total = Measure()
        if selection_set is None:
            return total
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._measure_field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                fragment_type = self.schema.get_type(condition.name.value) if condition else parent
                total += self._measure(selection.selection_set, fragment_type)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._measure_fragment(selection.name.value)
        return total

    def _measure_fragment(self, name: str) -> Measure:
        if name in self.fragment_measures:
            return self.fragment_measures[name]
        fragment = self.fragments.get(name)
        if fragment is None or name in self.measuring:
            return Measure()  # unknown fragments and cycles are graphql-core's errors
        self.measuring.add(name)
        measure = self._measure(
            fragment.selection_set, self.schema.get_type(fragment.type_condition.name.value)
        )
        self.measuring.discard(name)
        self.fragment_measures[name] = measure
        return measure

    def _measure_field(self, field: FieldNode, parent: GraphQLNamedType | None) -> Measure:
        definition = (
            get_field_def(self.schema, parent, field)
            if isinstance(parent, _COMPOSITE_TYPES)
            else None
        )
        field_type = get_named_type(definition.type) if definition else None
        sub = self._measure(field.selection_set, field_type)
        introspection = field.name.value.startswith("__")
        depth = sub.depth if introspection or parent_is_introspection(parent) else sub.depth + 1
        size = self._list_size(field, parent, definition) if definition else 1
        return Measure(
            depth=depth,
            cost=1 + size * sub.cost,
            aliases=sub.aliases + (1 if field.alias else 0),
            fields=1,
        )

    def _list_size(self, field: FieldNode, parent, definition) -> float:
        named = get_named_type(definition.type)
        if is_connection(named):
            return self._page_size(field)
        if not is_list_type(get_nullable_type(definition.type)):
            return 1
        if is_connection(parent) and field.name.value == "edges":
            return 1  # the connection's page size already counts them
        if parent_is_introspection(parent):
            return self.list_sizes.get((parent.name, field.name.value), PLAIN_LIST_SIZE)
        return PLAIN_LIST_SIZE

    def _page_size(self, field: FieldNode) -> int:
        sizes = []
        for argument in field.arguments or ():
            if argument.name.value not in ("first", "last"):
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                sizes.append(int(value.value))
            elif isinstance(value, VariableNode):
                requested = self.variables.get(value.name.value)
                if isinstance(requested, int) and not isinstance(requested, bool):
                    sizes.append(requested)
        return max(max(sizes, default=DEFAULT_PAGE_SIZE), 1)


def is_connection(named: GraphQLNamedType | None) -> bool:
    return (
        isinstance(named, GraphQLObjectType)
        and "edges" in named.fields
        and "pageInfo" in named.fields
    )


def parent_is_introspection(parent: GraphQLNamedType | None) -> bool:
    return parent is not None and parent.name.startswith("__")


@lru_cache(maxsize=4)
def introspection_list_sizes(schema: GraphQLSchema) -> dict[tuple[str, str], float]:
    """The average length of each introspection list in ``schema``: over every type for a
    type's lists, over every field for ``args``."""
    types = list(schema.type_map.values())
    fields = [
        f
        for t in types
        if isinstance(t, GraphQLObjectType | GraphQLInterfaceType)
        for f in t.fields.values()
    ]

    def per_type(count: int) -> float:
        return count / len(types)

    return {
        ("__Schema", "types"): len(types),
        ("__Schema", "directives"): len(schema.directives),
        ("__Type", "fields"): per_type(len(fields)),
        ("__Type", "inputFields"): per_type(
            sum(len(t.fields) for t in types if isinstance(t, GraphQLInputObjectType))
        ),
        ("__Type", "enumValues"): per_type(
            sum(len(t.values) for t in types if isinstance(t, GraphQLEnumType))
        ),
        ("__Type", "interfaces"): per_type(
            sum(len(t.interfaces) for t in types if isinstance(t, GraphQLObjectType))
        ),
        ("__Type", "possibleTypes"): per_type(
            sum(
                len(schema.get_possible_types(t))
                for t in types
                if isinstance(t, GraphQLInterfaceType)
            )
        ),
        ("__Field", "args"): sum(len(f.args) for f in fields) / max(len(fields), 1),
        ("__Directive", "args"): (
            sum(len(d.args) for d in schema.directives) / max(len(schema.directives), 1)
        ),
    }


class IntrospectionRule(ValidationRule):
    """``__schema`` and ``__type`` only where ``GRAPHQL_INTROSPECTION`` allows them."""

    def __init__(self, context: ValidationContext):
        super().__init__(context)
        self.reported = False

    def enter_field(self, node: FieldNode, *_args):
        if (
            node.name.value in INTROSPECTION_FIELDS
            and not settings.GRAPHQL_INTROSPECTION
            and not self.reported
        ):
            self.reported = True
            self.report_error(
                GraphQLError(
                    "Introspection is disabled on this server; the schema is published in "
                    "graphql/schema.graphql.",
                    node,
                    extensions={"code": ApiErrorCode.INTROSPECTION_DISABLED.value},
                )
            )


class NoNulCharacterRule(ValidationRule):
    """A string literal holding NUL (``\\u0000``) or a lone surrogate is refused: PostgreSQL
    cannot store either."""

    def __init__(self, context: ValidationContext):
        super().__init__(context)
        self.reported = False

    def enter_string_value(self, node: StringValueNode, *_args):
        if not text_storable(node.value) and not self.reported:
            self.reported = True
            self.report_error(
                GraphQLError(
                    "Strings may not contain the NUL character (\\u0000) or an unpaired surrogate.",
                    node,
                    extensions={"code": ApiErrorCode.BAD_REQUEST.value},
                )
            )
