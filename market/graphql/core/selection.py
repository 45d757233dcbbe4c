from collections.abc import Iterator

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode


def selected_fields(info, *path: str) -> set[str]:
    """Names of the fields a client selected below the current field, at ``path``.

    Lets a resolver prefetch only the relations a query asks for. Fragments are followed
    (validation has already refused fragment cycles).
    """
    nodes = list(info.field_nodes)
    for name in path:
        nodes = [f for node in nodes for f in _fields(info, node) if f.name.value == name]
    return {f.name.value for node in nodes for f in _fields(info, node)}


def selects_only(info, name: str, allowed: set[str]) -> bool:
    """Whether the client asks nothing of the payload field ``name`` beyond ``allowed`` (a
    mutation then answers with what its service returned instead of loading the object again
    with everything its type can show)."""
    return selected_fields(info, name) <= allowed | {"__typename"}


def _fields(info, node) -> Iterator[FieldNode]:
    if node.selection_set is None:
        return
    for selection in node.selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(info, selection)
        elif isinstance(selection, FragmentSpreadNode):
            yield from _fields(info, info.fragments[selection.name.value])
