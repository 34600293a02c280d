"""Request bodies in: kube-apiserver's words for every way a body can be malformed."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
import yaml

from petset.api.errors import StatusError
from petset.api.resources import lookup
from petset.apiserver.negotiation import _yaml_error, _YamlLoader, decode_object, go_json_error

CONFIGMAPS = lookup("", "v1", "configmaps")
PODS = lookup("", "v1", "pods")


@pytest.mark.parametrize(("body", "message"), [
    (b"", "unexpected end of JSON input"),
    (b"   \n", "unexpected end of JSON input"),
    (b'{"a"', "unexpected end of JSON input"),
    (b'{"a":"b', "unexpected end of JSON input"),
    (b'{"a":[1,2', "unexpected end of JSON input"),
    (b"tru", "unexpected end of JSON input"),
    (b'{"a" 1}', "invalid character '1' after object key"),
    (b'{"a":1 "b":2}', "invalid character '\"' after object key:value pair"),
    (b"[1 2]", "invalid character '2' after array element"),
    (b"{a:1}", "invalid character 'a' looking for beginning of object key string"),
    (b'{"a":1,}', "invalid character '}' looking for beginning of object key string"),
    (b"[1,]", "invalid character ']' looking for beginning of value"),
    (b"{'a':1}", "invalid character '\\'' looking for beginning of object key string"),
    (b'{"a":1}}', "invalid character '}' after top-level value"),
    (b"01", "invalid character '1' after top-level value"),
    (b"-x", "invalid character 'x' in numeric literal"),
    (b"1.e5", "invalid character 'e' after decimal point in numeric literal"),
    (b"1e+x", "invalid character 'x' in exponent of numeric literal"),
    (b"trux", "invalid character 'x' in literal true (expecting 'e')"),
    (b"nul1", "invalid character '1' in literal null (expecting 'l')"),
    (b"fals", "unexpected end of JSON input"),
    (b'"\\q"', "invalid character 'q' in string escape code"),
    (b'"\\u12x4"', "invalid character 'x' in \\u hexadecimal character escape"),
    (b'"a\nb"', "invalid character '\\n' in string literal"),
    (b'"a\tb"', "invalid character '\\t' in string literal"),
    (b"\x01", "invalid character '\\x01' looking for beginning of value"),
    (b'{"a":{"b":[true,{"c":nul}]}}', "invalid character '}' in literal null (expecting 'l')"),
])
def test_malformed_json_is_worded_as_go_does(body: bytes, message: str) -> None:
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(body)
    assert go_json_error(body) == message


def _yaml_problem(text: str) -> str:
    with pytest.raises(yaml.YAMLError) as exc:
        yaml.load(text, Loader=_YamlLoader)
    return _yaml_error(exc.value)


def test_yaml_errors_are_worded_and_numbered_as_go_yaml_does() -> None:
    # A scanner error on the first line has no line number at all in go-yaml's message.
    assert _yaml_problem("a: b: c") == ("error converting YAML to JSON: yaml: mapping values are not allowed in "
                                        "this context")
    assert _yaml_problem("kind: ConfigMap\nmetadata:\n  name: a\n   bad: [\n") == (
        "error converting YAML to JSON: yaml: line 4: mapping values are not allowed in this context")
    # Parser errors count from 0, as go-yaml's do.
    assert _yaml_problem("a:\n  b: 1\n c: 2\n") == "error converting YAML to JSON: yaml: line 2: did not find expected key"


def test_yaml_timestamps_stay_strings_as_go_yaml_hands_them_to_json() -> None:
    doc = yaml.load("when: 2024-01-02T03:04:05Z\nday: 2024-01-02\nn: 1\nb: true\n", Loader=_YamlLoader)
    assert doc == {"when": "2024-01-02T03:04:05Z", "day": "2024-01-02", "n": 1, "b": True}


def _decode(body: dict[str, Any], raw: bytes | None = None, validation: str = "Strict") -> tuple[Any, list[str]]:
    warnings: list[str] = []
    assert CONFIGMAPS is not None
    raw = raw if raw is not None else orjson.dumps(body)
    return decode_object(CONFIGMAPS, orjson.loads(raw), raw, field_validation=validation,
                         warnings=warnings), warnings


def test_duplicate_fields_are_reported_by_path() -> None:
    raw = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","name":"b"},"data":{"k":"1","k":"2"}}'
    with pytest.raises(StatusError) as exc:
        _decode({}, raw)
    assert exc.value.message == ('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding '
                                 'error: duplicate field "metadata.name", duplicate field "data.k"')
    obj, warnings = _decode({}, raw, "Warn")
    assert warnings == ['duplicate field "metadata.name"', 'duplicate field "data.k"']
    assert obj["metadata"]["name"] == "b" and obj["data"] == {"k": "2"}
    obj, warnings = _decode({}, raw, "Ignore")
    assert warnings == [] and obj["data"] == {"k": "2"}


def test_duplicates_inside_lists_and_bodies_without_kind() -> None:
    assert PODS is not None
    raw = (b'{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x"},'
           b'{"name":"b","image":"y","image":"z"}]}}')
    warnings: list[str] = []
    # No kind or apiVersion in the body: the defaults added after decoding must not hide the repeat.
    decode_object(PODS, orjson.loads(raw), raw, field_validation="Warn", warnings=warnings)
    assert warnings == ['duplicate field "spec.containers[1].image"']


def test_a_quote_and_colon_inside_a_value_is_not_a_repeat() -> None:
    obj, warnings = _decode({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"},
                             "data": {"k": 'say "x": y', "j": '"'}}, validation="Warn")
    assert warnings == [] and obj["data"]["k"] == 'say "x": y'


def test_unknown_and_duplicate_fields_together() -> None:
    raw = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"foo":1,"data":{"k":"1","k":"2"}}'
    with pytest.raises(StatusError) as exc:
        _decode({}, raw)
    assert exc.value.message.endswith('strict decoding error: unknown field "foo", duplicate field "data.k"')
