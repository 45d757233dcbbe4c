from typing import overload

from graphene import relay
from graphene.relay.node import NodeField as NodeFieldBase
from graphql_relay import from_global_id

from market.core.errors import DomainError
from market.graphql.core.errors import argument_error


def pk_from_global_id(global_id: str | None, expected_type: str) -> int | None:
    """The database id in a Relay global id of ``expected_type``; None for anything else."""
    try:
        type_name, raw = from_global_id(global_id or "")
        pk = int(raw)
    except Exception:
        return None
    return pk if type_name == expected_type and pk > 0 else None


def pk_or_refused(
    global_id: str | None, expected_type: str, *, code, message: str, field: str = "id"
) -> int:
    """The database id in a Relay global id of ``expected_type``; anything else refuses the
    mutation with ``code`` and ``message`` on ``field`` (answered in its payload)."""
    pk = pk_from_global_id(global_id, expected_type)
    if pk is None:
        raise DomainError(code, message, field=field)
    return pk


@overload
def decode_global_ids(argument: str, ids: list[str], expected_type: str) -> list[int]: ...
@overload
def decode_global_ids(argument: str, ids: None, expected_type: str) -> None: ...
@overload
def decode_global_ids(
    argument: str, ids: list[str] | None, expected_type: str
) -> list[int] | None: ...
def decode_global_ids(argument: str, ids: list[str] | None, expected_type: str) -> list[int] | None:
    """Database ids from Relay global ids of one type; anything else is a top-level error
    naming ``argument`` (for query arguments; mutations answer in their payload instead)."""
    if ids is None:
        return None
    decoded = []
    for global_id in ids:
        pk = pk_from_global_id(global_id, expected_type)
        if pk is None:
            raise argument_error(
                argument, f"'{global_id}' in '{argument}' is not a {expected_type} id."
            )
        decoded.append(pk)
    return decoded


class NodeField(NodeFieldBase):
    """``node(id:)``: the object a Relay global id names, or null when it names none the asker
    may see (not a global id, an unknown type, a type that is not a node, not a positive
    integer), as Relay has it; graphene raises for those, which answered an internal error."""

    def __init__(self, **kwargs):
        super().__init__(relay.Node, **kwargs)

    def wrap_resolve(self, parent_resolver):
        return _node_resolve


def _node_resolve(root, info, id):
    type_name, _ = from_global_id(id or "")
    pk = pk_from_global_id(id, type_name)
    named = info.schema.get_type(type_name) if pk is not None else None
    graphene_type = getattr(named, "graphene_type", None)
    interfaces = getattr(getattr(graphene_type, "_meta", None), "interfaces", ())
    if graphene_type is None or relay.Node not in interfaces:
        return None
    return graphene_type.get_node(info, pk)
