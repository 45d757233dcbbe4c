from graphql_relay import from_global_id

from market.graphql.core.errors import argument_error


def pk_from_global_id(global_id: str | None, expected_type: str) -> int | None:
    """The database id in a Relay global id of ``expected_type``; None for anything else."""
    try:
        type_name, raw = from_global_id(global_id or "")
        pk = int(raw)
    except Exception:
        return None
    return pk if type_name == expected_type and pk > 0 else None


def decode_global_ids(argument: str, ids: list[str] | None, expected_type: str) -> list[int] | None:
    """Database ids from Relay global ids of one type; anything else is a top-level error
    naming ``argument`` (for query arguments; mutations answer in their payload instead)."""
    if ids is None:
        return None
    decoded = []
    for global_id in ids:
        pk = pk_from_global_id(global_id, expected_type)
        if pk is None:
            raise argument_error(argument,
                                 f"'{global_id}' in '{argument}' is not a {expected_type} id.")
        decoded.append(pk)
    return decoded
