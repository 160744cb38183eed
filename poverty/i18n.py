"""Marker for translatable strings in the pure domain.

``poverty`` does not load catalogues; it only marks msgids so Babel extracts them. The channel that
shows the text translates it with the user's language.
"""


def N_(message: str) -> str:
    """The gettext convention for "mark, do not translate": returns ``message`` unchanged."""
    return message
