"""Which request bodies this API reads: a Content-Type parsed as RFC 9110 (section 8.3) says.

    media-type = type "/" subtype *( OWS ";" OWS [ name "=" ( token / quoted-string ) ] )

Type, subtype and parameter names are case-insensitive, so `Application/JSON; Charset="UTF-8"`
is `application/json; charset=utf-8`. A body is read as JSON when its media type is exactly
`application/json`, with any parameters, as long as every `charset` among them is UTF-8 (the only
encoding of JSON, RFC 8259 section 8.1): a client that declares another charset most likely sends
bytes in it, which would be read wrongly, so it gets 415 instead of a garbled or refused body.

Structured-syntax suffixes (`+json`, RFC 6839) are refused too, `application/vnd.api+json` as
much as `application/json-patch+json` or `application/merge-patch+json`. A suffix says the body
is JSON text, not that it means what this API reads: each such type has rules of its own, and the
patch types in particular describe a change (a list of operations; `null` meaning "remove"), not
the object this API expects. Reading them as plain JSON would quietly apply another meaning than
the client's; 415 tells it to send `application/json`. The same for `application/jsonx` and
anything else that merely starts like `application/json`.

A value that does not parse (a space inside the type, a parameter without a value, an unclosed
quote, two media types) is not JSON either.
"""

from __future__ import annotations

import re

JSON = "application/json"

# token = 1*tchar; quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (RFC 9110 section 5.6)
_TCHARS = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_QUOTED_STRING = r'"(?:[\t !#-\[\]-~\x80-\xff]|\\[\t -~\x80-\xff])*"'
# Each run of whitespace has exactly one place in these patterns (no backtracking blow-up).
_PARAMETER = rf"(?:;[ \t]*(?:({_TCHARS})=({_TCHARS}|{_QUOTED_STRING})[ \t]*)?)"
_PARAMETER_RE = re.compile(_PARAMETER)
_MEDIA_TYPE_RE = re.compile(rf"[ \t]*({_TCHARS})/({_TCHARS})[ \t]*((?:{_PARAMETER})*)")
_QUOTED_PAIR_RE = re.compile(r"\\(.)")


def _unquoted(value: str) -> str:
    if value.startswith('"'):
        return _QUOTED_PAIR_RE.sub(r"\1", value[1:-1])
    return value


def parse_media_type(value: str) -> tuple[str, dict[str, list[str]]] | None:
    """`type/subtype` (lower case) and its parameters (names lower case, values unquoted, every
    value of a name repeated), or None if the value is not a media type."""
    match = _MEDIA_TYPE_RE.fullmatch(value)
    if match is None:
        return None
    kind, subtype, parameters = match.group(1, 2, 3)
    found: dict[str, list[str]] = {}
    for parameter in _PARAMETER_RE.finditer(parameters):
        name, raw = parameter.groups()
        if name is not None:
            found.setdefault(name.lower(), []).append(_unquoted(raw))
    return f"{kind}/{subtype}".lower(), found


def is_json(value: str) -> bool:
    """Whether a Content-Type value declares a body this API reads as JSON (see the module)."""
    parsed = parse_media_type(value)
    if parsed is None:
        return False
    media_type, parameters = parsed
    return media_type == JSON and all(charset.lower() == "utf-8" for charset in parameters.get("charset", []))
