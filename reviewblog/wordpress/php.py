"""PHP's serialize() format, read safely: WordPress stores arrays in meta this way (the Akismet plugin's
`akismet_history` and `akismet_as_submitted`). Only data types; an object (O:) is refused, never built."""


class PHPValueError(ValueError):
    pass


def unserialize(text: str):
    data = text.encode()
    value, end = _value(data, 0, 0)
    if end != len(data.rstrip()):
        raise PHPValueError("trailing data")
    return value


def _until(data: bytes, pos: int, stop: bytes) -> tuple[bytes, int]:
    end = data.find(stop, pos)
    if end < 0:
        raise PHPValueError("cut short")
    return data[pos:end], end + 1


def _value(data: bytes, pos: int, depth: int):
    if depth > 32:
        raise PHPValueError("nested too deep")
    kind = data[pos : pos + 2]
    pos += 2
    try:
        if kind == b"N;":
            return None, pos
        if kind == b"b:":
            raw, pos = _until(data, pos, b";")
            return raw == b"1", pos
        if kind == b"i:":
            raw, pos = _until(data, pos, b";")
            return int(raw), pos
        if kind == b"d:":
            raw, pos = _until(data, pos, b";")
            return float(raw), pos
        if kind == b"s:":
            raw, pos = _until(data, pos, b":")
            length = int(raw)
            if data[pos : pos + 1] != b'"' or data[pos + 1 + length : pos + 3 + length] != b'";':
                raise PHPValueError("bad string")
            return data[pos + 1 : pos + 1 + length].decode(errors="replace"), pos + 3 + length
        if kind == b"a:":
            raw, pos = _until(data, pos, b":")
            count = int(raw)
            if data[pos : pos + 1] != b"{":
                raise PHPValueError("bad array")
            pos += 1
            result = {}
            for _ in range(count):
                key, pos = _value(data, pos, depth + 1)
                result[key], pos = _value(data, pos, depth + 1)
            if data[pos : pos + 1] != b"}":
                raise PHPValueError("bad array end")
            return result, pos + 1
    except (ValueError, IndexError) as error:
        raise PHPValueError(str(error)) from None
    raise PHPValueError(f"unsupported type {kind!r}")


def serialize(value) -> str:
    """The reverse, for the export: str, int, float, bool, None and dicts/lists of them (lengths in bytes)."""
    if value is None:
        return "N;"
    if isinstance(value, bool):
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, float):
        return f"d:{value!r};"
    if isinstance(value, str):
        return f's:{len(value.encode())}:"{value}";'
    if isinstance(value, list):
        value = dict(enumerate(value))
    if isinstance(value, dict):
        inner = "".join(serialize(key) + serialize(item) for key, item in value.items())
        return f"a:{len(value)}:{{{inner}}}"
    raise TypeError(f"cannot serialize {type(value).__name__}")
