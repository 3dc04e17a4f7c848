"""Published artifacts: JSON Schemas, examples (checked by an independent validator), AsyncAPI, no drift."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

import schemas
from schemas import KINDS, ContractError, validate_message
from schemas.fast import validate_fast
from schemas.tools.generate import artifacts, drift

ROOT = Path(schemas.__file__).parent
EXPECT = json.loads((ROOT / "examples/expectations.json").read_text(encoding="utf-8"))
EXAMPLES = sorted(str(p.relative_to(ROOT / "examples")) for p in (ROOT / "examples").glob("*/*.json"))


def _schema(kind: str) -> dict:
    return json.loads((ROOT / "jsonschema" / f"{kind}.json").read_text(encoding="utf-8"))


def _ours(msg: dict):
    out = []
    for fn in (validate_message, validate_fast):
        try:
            fn(msg)
            out.append(None)
        except ContractError as exc:
            out.append({"code": int(exc.code), "paths": exc.paths, "rule": exc.rule})
    return out


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_has_a_valid_json_schema_and_examples(kind):
    jsonschema.Draft7Validator.check_schema(_schema(kind))
    names = [e for e in EXAMPLES if e.startswith(kind + "/")]
    assert any("/valid-" in n for n in names) and any("/invalid-" in n for n in names)


@pytest.mark.parametrize("rel", EXAMPLES)
def test_examples_in_the_independent_validator_and_both_of_ours(rel):
    kind = rel.split("/")[0]
    msg = json.loads((ROOT / "examples" / rel).read_text(encoding="utf-8"))
    independent = jsonschema.Draft7Validator(_schema(kind), format_checker=jsonschema.FormatChecker())
    problems = list(independent.iter_errors(msg))
    expected = EXPECT.get(rel)
    ours = _ours(msg)
    if "/valid-" in rel:
        assert problems == [] and ours == [None, None]
    elif "/invalid-" in rel:
        assert problems, "JSON Schema must refuse it too"
        assert ours == [expected, expected]
        # the same reason: the independent validator complains at (or right above) one of our paths
        where = {".".join(str(p) for p in e.absolute_path) for e in problems}
        ours_flat = {p.replace("[", ".").replace("]", "") for p in expected["paths"]}
        assert any(o == w or o.rsplit(".", 1)[0] == w or (not w and o.count(".") == 0) for o in ours_flat for w in where)
    else:  # rule-*: field-valid, only a cross-field rule catches it
        assert problems == [] and ours == [expected, expected] and expected["code"] == 420


def test_asyncapi_document_is_valid_against_the_official_schema():
    official = json.loads((ROOT / "vendor/asyncapi-3.0.0.json").read_text(encoding="utf-8"))
    doc = yaml.safe_load((ROOT / "asyncapi.yaml").read_text(encoding="utf-8"))
    assert list(jsonschema.Draft7Validator(official).iter_errors(doc)) == []


def test_asyncapi_has_every_topic_with_kafka_bindings_and_keys():
    doc = yaml.safe_load((ROOT / "asyncapi.yaml").read_text(encoding="utf-8"))
    addresses = {c["address"] for c in doc["channels"].values()}
    want = {f"jjj.{r}.{f}" for r in ("bj", "tj", "he")
            for f in ("disaster", "relief", "verification", "referral", "eldercare", "heartbeat")}
    want |= {f"jjj.to.{r}" for r in ("bj", "tj", "he")} | {"jjj.hub.status", "jjj.dlq"}
    assert addresses == want
    for name, m in doc["components"]["messages"].items():
        assert m["bindings"]["kafka"]["key"]["description"].startswith("partition key = payload.")
        assert (ROOT / m["payload"]["schema"]["$ref"]).exists(), name


def test_committed_artifacts_do_not_drift():
    assert drift() == [], "run `jjj schemas generate` (or python -m schemas.tools.generate) and commit"


def test_generation_is_deterministic():
    assert artifacts() == artifacts()


def test_drift_is_detected(tmp_path):
    from schemas.tools.generate import write

    write(tmp_path)
    assert drift(tmp_path) == []
    (tmp_path / "jsonschema/eldercare.claim.json").write_text("{}", encoding="utf-8")
    (tmp_path / "examples/stale.json").write_text("{}", encoding="utf-8")
    assert drift(tmp_path) == ["examples/stale.json", "jsonschema/eldercare.claim.json"]


def test_public_surface():
    assert {"build_message", "validate_message", "ContractError", "ReceiptCode", "KINDS", "new_message_id",
            "encode", "decode"} <= set(schemas.__all__)
    from schemas.errors import EnvelopeError, MessageTooLarge, RuleViolation, SchemaInvalid, UnknownMajorVersion

    assert issubclass(UnknownMajorVersion, EnvelopeError)
    for cls, code in ((EnvelopeError, 200), (UnknownMajorVersion, 200), (MessageTooLarge, 330), (SchemaInvalid, 400),
                      (RuleViolation, 420)):
        assert issubclass(cls, schemas.ContractError) and cls().code == code
