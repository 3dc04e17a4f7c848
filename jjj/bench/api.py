"""p99 of the dashboard's API queries on the hub database after the big hub pass, topped up to the volume of
issue 6 (100,000 disaster revisions, 1,000,000 claim lines; see `jjj.bench.apivolume`): every GET route under
/api/v1 without path parameters, called through the Flask app (a coordinator's bearer token), 20 times each."""

from __future__ import annotations

import time


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def client_with_token(settings):  # noqa: ANN001, ANN201
    """The app's test client and a coordinator's Authorization header."""
    import uuid

    from hub.entrypoints.web import auth_store, create_app

    app = create_app(settings)
    engine = app.extensions["jjj.engine"]
    auth_store.create_all(engine)
    name = f"bench-{uuid.uuid4().hex[:6]}"
    auth_store.add_user(engine, name, uuid.uuid4().hex, "coordinator")
    return app.test_client(), {"Authorization": f"Bearer {auth_store.issue_token(engine, name)}"}


def measure(env, db: str, vol, report, echo, *, repeats: int = 20) -> None:  # noqa: ANN001
    url = report.hub_urls.get(db)
    if not url:
        raise RuntimeError("the hub pass did not leave a database to query")
    import os

    os.environ.setdefault("JJJ_WEB_KAFKA_PROBE", "0")
    from hub.bootstrap import HubServices
    from jjj.bench.apivolume import top_up

    services = HubServices(env.settings(url, group=f"{env.prefix}-api-{db}"))
    try:
        volume = top_up(services, env.signers, revisions=vol.api_revisions, claim_lines=vol.api_claim_lines,
                        echo=lambda s: echo(f"[{db}] {s}"))
    finally:
        services.engine.dispose()
    report.detail.setdefault(db, {})["api_volume"] = volume
    client, headers = client_with_token(env.settings(url))
    routes = sorted(r.rule for r in client.application.url_map.iter_rules()
                    if r.rule.startswith("/api/v1/") and "GET" in r.methods and not r.arguments)
    samples, per_route = [], {}
    for route in routes:
        client.get(route, headers=headers)  # untimed: a worker's first request of a route loads what it caches
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            resp = client.get(route, headers=headers)
            times.append(time.perf_counter() - started)
            if resp.status_code >= 500:
                report.note(db, f"api: {route} answered {resp.status_code}")
                break
        samples += times
        per_route[route] = round(percentile(times, 0.99), 4)
    report.put("api_p99_s", db, round(percentile(samples, 0.99), 4))
    report.detail.setdefault(db, {})["api_p99_by_route"] = per_route
    echo(f"[{db}] API: {len(routes)} dashboard queries, p99 {percentile(samples, 0.99) * 1000:.1f} ms")
