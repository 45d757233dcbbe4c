from graphql_relay import from_global_id

from market.graphql.core.errors import argument_error


def decode_global_ids(argument: str, ids: list[str] | None, expected_type: str) -> list[int] | None:
    """Database ids from Relay global ids of one type; anything else names ``argument``."""
    if ids is None:
        return None
    decoded = []
    for global_id in ids:
        try:
            type_name, raw = from_global_id(global_id)
            pk = int(raw)
        except Exception:
            type_name, pk = None, None
        if type_name != expected_type or pk is None:
            raise argument_error(argument,
                                 f"'{global_id}' in '{argument}' is not a {expected_type} id.")
        decoded.append(pk)
    return decoded
