"""Authentication on every route except health and metrics; roles and scopes; CSRF; headers; login rate limit;
hardened session cookie; tokens hashed at rest."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.entrypoints.web import auth_store
from tests.web.conftest import PASSWORD, USERS

PUBLIC = {"/livez", "/readyz", "/metrics", "/login"}


def _get_routes(app) -> list[str]:  # noqa: ANN001
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<{arg}>", "x").replace(f"<string:{arg}>", "x").replace(f"<path:{arg}>", "x")
        out.append(path)
    return sorted(set(out))


def test_every_route_but_health_metrics_and_login_needs_a_user(web) -> None:
    client = web.app.test_client()
    routes = _get_routes(web.app)
    assert len(routes) > 20
    for path in routes:
        resp = client.get(path)
        if path in PUBLIC or path.startswith("/lang/"):
            assert resp.status_code in (200, 302), path
        elif path.startswith("/api/") or path == "/openapi.json":
            assert resp.status_code == 401, path
            assert resp.get_json()["code"] == 401
        else:
            assert resp.status_code == 302 and "/login" in resp.headers["Location"], path


def test_a_bad_token_is_401(web) -> None:
    resp = web.app.test_client().get("/api/v1/disasters", headers={"Authorization": "Bearer jjj_nope"})
    assert resp.status_code == 401


ROLE_MATRIX = [
    ("coord", "/api/v1/disasters", 200), ("coord", "/api/v1/eldercare/statements", 200),
    ("coord", "/api/v1/dead-letters", 403), ("op-bj", "/api/v1/dead-letters", 200),
    ("op-bj", "/api/v1/eldercare/claims", 403), ("xicheng", "/api/v1/disasters", 403),
    ("xicheng", "/api/v1/regions", 403), ("xicheng", "/api/v1/eldercare/statements", 200),
    ("admin", "/api/v1/dead-letters", 200), ("admin", "/api/v1/eldercare/claims", 200),
]


@pytest.mark.parametrize(("user", "path", "status"), ROLE_MATRIX)
def test_roles_decide_what_is_readable(web, user: str, path: str, status: int) -> None:
    assert web.api(user, path).status_code == status


def test_a_region_operator_sees_only_their_regions_rejections_and_dead_letters(web) -> None:
    assert [d["region"] for d in web.api("op-bj", "/api/v1/dead-letters").get_json()["items"]] == ["bj"]
    assert [d["region"] for d in web.api("op-bj", "/api/v1/dead-letters?region=he").get_json()["items"]] == []
    assert [r["region"] for r in web.api("op-bj", "/api/v1/rejections").get_json()["items"]] == ["bj"]
    assert [r["region"] for r in web.api("op-bj", "/api/v1/regions").get_json()["items"]] == ["bj"]


def test_a_district_officer_cannot_read_or_act_on_another_districts_statement(web) -> None:
    assert web.api("xicheng", "/api/v1/eldercare/statements/S-CY-1").status_code == 403
    assert web.api("xicheng", "/api/v1/eldercare/statements/S-CY-1.xlsx").status_code == 403
    assert web.api("xicheng", "/api/v1/eldercare/statements/S-CY-1/confirm", "POST").status_code == 403
    assert web.api("coord", "/api/v1/eldercare/statements/S-XC-1/confirm", "POST").status_code == 403
    st = web.api("chaoyang", "/api/v1/eldercare/statements/S-CY-1").get_json()
    assert st["status"] == "issued"


def test_a_district_officer_confirms_once_then_it_is_409(fresh_web) -> None:
    resp = fresh_web.api("xicheng", "/api/v1/eldercare/statements/S-XC-1/confirm", "POST")
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["status"] == "confirmed"
    assert fresh_web.api("xicheng", "/api/v1/eldercare/statements/S-XC-1").get_json()["status"] == "confirmed"
    assert fresh_web.api("xicheng", "/api/v1/eldercare/statements/S-XC-1/confirm", "POST").status_code == 409


def test_a_dispute_needs_lines_of_the_statement(fresh_web) -> None:
    bad = fresh_web.api("chaoyang", "/api/v1/eldercare/statements/S-CY-1/dispute", "POST",
                  json={"line_ids": ["C-XC-1-L1"], "reason": "not ours"})
    assert bad.status_code == 422
    ok = fresh_web.api("chaoyang", "/api/v1/eldercare/statements/S-CY-1/dispute", "POST",
                 json={"line_ids": ["C-CY-1-L2"], "reason": "days in care wrong"})
    assert ok.status_code == 200 and ok.get_json()["status"] == "disputed"
    st = fresh_web.api("chaoyang", "/api/v1/eldercare/statements/S-CY-1").get_json()
    assert st["status"] == "disputed" and [e["kind"] for e in st["events"]] == ["dispute"]


def test_session_posts_without_the_csrf_token_are_refused(fresh_web) -> None:
    client = fresh_web.login("xicheng")
    assert client.post("/settlement/S-XC-1/confirm").status_code == 400
    assert client.post("/api/v1/eldercare/statements/S-XC-1/confirm").status_code == 400
    with client.session_transaction() as s:
        token = s["csrf"]
    assert client.post("/api/v1/eldercare/statements/S-XC-1/confirm", headers={"X-CSRF-Token": token}).status_code == 200


def test_login_post_needs_csrf_too(web) -> None:
    client = web.app.test_client()
    assert client.post("/login", data={"username": "coord", "password": PASSWORD}).status_code == 400


def test_session_cookie_is_httponly_and_samesite_lax(web) -> None:
    client = web.app.test_client()
    client.get("/login")
    with client.session_transaction() as s:
        csrf = s["csrf"]
    resp = client.post("/login", data={"username": "coord", "password": PASSWORD, "csrf_token": csrf})
    cookie = next(c for c in resp.headers.getlist("Set-Cookie") if c.startswith("jjj_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_production_sets_secure_cookies_and_needs_a_secret(web, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from hub.entrypoints.web import create_app
    from jjj.config import Settings
    from jjj.errors import ConfigError

    monkeypatch.setenv("JJJ_ENV", "production")
    settings = Settings(state_dir=tmp_path, database_url="sqlite://")
    with pytest.raises(ConfigError):
        create_app(settings, engine=web.engine)
    monkeypatch.setenv("JJJ_WEB_SECRET", "s" * 64)
    app = create_app(settings, engine=web.engine)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert "Strict-Transport-Security" in app.test_client().get("/livez").headers


def test_security_headers(web) -> None:
    h = web.app.test_client().get("/login").headers
    assert h["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
    assert "script-src 'self';" in h["Content-Security-Policy"]
    assert h["Referrer-Policy"] == "same-origin" and h["X-Frame-Options"] == "DENY"


def test_login_is_rate_limited(fresh_web) -> None:
    client = fresh_web.app.test_client()
    client.get("/login")
    with client.session_transaction() as s:
        csrf = s["csrf"]
    codes = [client.post("/login", data={"username": "coord", "password": "wrong-password", "csrf_token": csrf}).status_code
             for _ in range(6)]
    assert codes == [401] * 5 + [429]
    right = client.post("/login", data={"username": "coord", "password": PASSWORD, "csrf_token": csrf})
    assert right.status_code == 429  # blocked for the window even with the right password


def test_login_redirect_never_leaves_the_site(web) -> None:
    client = web.app.test_client()
    client.get("/login")
    with client.session_transaction() as s:
        csrf = s["csrf"]
    resp = client.post("/login", data={"username": "coord", "password": PASSWORD, "csrf_token": csrf,
                                       "next": "//evil.example/x"})
    assert resp.headers["Location"] == "/overview"


def test_tokens_and_passwords_are_hashed_at_rest(web) -> None:
    with web.engine.connect() as conn:
        digests = [r[0] for r in conn.execute(select(auth_store.web_tokens.c.digest))]
        hashes = [r[0] for r in conn.execute(select(auth_store.web_users.c.password_hash))]
    assert all(tok not in digests for tok in web.tokens.values()) and len(digests) == len(USERS)
    assert all(PASSWORD not in h and h.startswith("pbkdf2:") for h in hashes)


@pytest.mark.parametrize(("role", "region", "district"), [
    ("emperor", None, None), ("region_operator", None, None), ("region_operator", "sh", None),
    ("district_officer", None, None), ("district_officer", None, "310101"), ("district_officer", None, "999999")])
def test_bad_roles_and_scopes_are_refused(web, role: str, region, district) -> None:  # noqa: ANN001
    with pytest.raises(auth_store.UserError):
        auth_store.add_user(web.engine, f"u-{role}", PASSWORD, role, region=region, district=district)
