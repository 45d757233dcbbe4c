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


def pk_or_refused(global_id: str | None, expected_type: str, *, code, message: str,
                  field: str = "id") -> int:
    """The database id in a Relay global id of ``expected_type``; anything else refuses the
    mutation with ``code`` and ``message`` on ``field`` (answered in its payload)."""
    pk = pk_from_global_id(global_id, expected_type)
    if pk is None:
        raise DomainError(code, message, field=field)
    return pk


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
