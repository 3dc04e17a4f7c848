"""Golden canonical outputs of the samples: ``python -m tests.adapters.golden`` rewrites them (review the diff!)."""

from __future__ import annotations

import json
from pathlib import Path

from adapters.core.persons import Persons
from adapters.core.pipeline import Ready, read_file, run
from adapters.core.runtime import AdapterRuntime
from adapters.core.spec import MapContext, regions
from jjj.config import Settings
from schemas.person import PersonRefHasher

HERE = Path(__file__).resolve().parent / "golden"


def outputs(spec, path: Path, hasher: PersonRefHasher) -> list[dict]:  # noqa: ANN001
    """Kind, location and payload (the envelope's ids and times vary) of every record of a sample."""
    rt = AdapterRuntime(spec.code, Settings(state_dir=Path("/nonexistent")), system_id=spec.system_id)
    fmt = spec.format_for(path)
    ctx = MapContext(spec.code, Persons(hasher), spec.config)
    out = []
    for r in run(fmt, read_file(fmt, path), ctx, rt.envelope):
        if isinstance(r, Ready):
            msg = json.loads(r.message.value)
            out.append({"at": [x.location for x in r.records], "kind": msg["kind"], "status": msg["status"],
                        "key": r.message.key, "topic_family": r.message.topic.split(".")[-1],
                        "payload": msg["payload"]})
        else:
            out.append({"at": [x.location for x in r.records], "rejected": str(r.error)})
    return out


def main() -> None:
    from tests.adapters.conftest import KEY_ID, TEST_KEY

    hasher = PersonRefHasher({KEY_ID: TEST_KEY}, KEY_ID)
    for spec in regions().values():
        for sample in sorted((Path(__file__).resolve().parents[2] / "adapters" / spec.package / "samples").iterdir()):
            target = HERE / spec.package / f"{sample.name}.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(outputs(spec, sample, hasher), ensure_ascii=False, indent=1) + "\n",
                              encoding="utf-8")
            print(target)


if __name__ == "__main__":
    main()
