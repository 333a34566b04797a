//! Isolation between trusts. A matrix of every tenant route x every role x another trust's ids
//! (in the path, the query and the form body): nothing of the other trust is read or changed.
//! Row-level security on PostgreSQL: a query that forgot its tenant filter sees nothing of
//! another tenant. And sessions and rate limits shared through Redis by two server processes.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use platform_db::conn::{Scope, scoped, subject_to_rls};
use platform_db::models::Role;
use platform_db::repo::{Page, accounts, commissioning as cm, tenants, users};
use platform_db::schema::{contracts, providers};

use crate::accounts::Deployment;
use crate::support::{Browser, Server, TestDb, both_backends, link_for, now, sign_in, today};

/// What the other trust (Kent) has, that Durham's members must never reach.
struct Foreign {
    ids: Vec<(&'static str, String)>,
    membership: String,
    token: String,
    secrets: Vec<String>,
}

fn foreign(db: &TestDb) -> Foreign {
    let mut conn = db.conn();
    let kent = tenants::by_slug(&mut conn, "kent").unwrap().unwrap();
    let one = Page::new(1, 0);
    let provider = cm::list_providers(&mut conn, &kent.id, one).unwrap().items.remove(0);
    let service = cm::list_services(&mut conn, &kent.id, one).unwrap().items.remove(0);
    let contract = cm::list_contracts(&mut conn, &kent.id, one).unwrap().items.remove(0);
    let review = cm::list_reviews(&mut conn, &kent.id, one).unwrap().items.remove(0);
    let need = cm::list_needs(&mut conn, &kent.id, one).unwrap().items.remove(0);
    let priority = cm::list_priorities(&mut conn, &kent.id, one).unwrap().items.remove(0);
    let admin = users::by_email(&mut conn, "admin@kent.example").unwrap().unwrap();
    let membership = users::membership(&mut conn, &kent.id, &admin.id).unwrap().unwrap();
    let token = platform_db::models::ApiToken {
        id: platform_db::ApiTokenId::new(),
        tenant_id: kent.id.clone(),
        user_id: admin.id.clone(),
        name: "Kent integration".into(),
        token_hash: "a".repeat(64),
        created_at: now(),
        last_used_at: None,
        revoked_at: None,
    };
    accounts::create_api_token(&mut conn, &token).unwrap();
    Foreign {
        ids: vec![
            ("providers", provider.id.to_string()),
            ("services", service.id.to_string()),
            ("contracts", contract.id.to_string()),
            ("reviews", review.id.to_string()),
            ("needs", need.id.to_string()),
            ("priorities", priority.id.to_string()),
        ],
        membership: membership.id.to_string(),
        token: token.id.to_string(),
        secrets: vec![
            provider.id.to_string(),
            provider.name.clone(),
            contract.id.to_string(),
            contract.reference.clone(),
            contract.title.clone(),
            service.id.to_string(),
            membership.id.to_string(),
            "admin@kent.example".into(),
            kent.id.to_string(),
        ],
    }
}

const KINDS: [&str; 7] = ["providers", "services", "contracts", "reviews", "indicators", "needs", "priorities"];

both_backends! {
    fn no_role_of_one_trust_reads_or_changes_anything_of_another(db) {
        let d = Deployment::start(&db, true, &[]);
        let k = foreign(&db);
        let mut checked = 0;
        for (local, role) in platform_db::seed::DEMO_ROLES {
            let b = sign_in(&d.server.base, &d.mail, "durham", &format!("{local}@durham.example"));
            let csrf = b.csrf("/t/durham/tokens");
            let expect = |page: crate::support::Page, allowed: &[u16], what: &str| {
                assert!(allowed.contains(&page.status), "{role:?} {what}: {} {}", page.status, page.body);
                for secret in &k.secrets {
                    assert!(!page.body.contains(secret.as_str()), "{role:?} {what} shows Kent's {secret}");
                }
            };
            // Another trust's pages and API, by path.
            for path in ["/t/kent/", "/t/kent/framework", "/t/kent/admin/users", "/t/kent/admin/oidc", "/t/kent/admin/audit", "/t/kent/tokens", "/api/v1/tenants/kent/framework"] {
                expect(b.get(path), &[404], path);
            }
            for kind in KINDS {
                expect(b.get(&format!("/api/v1/tenants/kent/{kind}")), &[404], kind);
            }
            for (kind, id) in &k.ids {
                expect(b.get(&format!("/api/v1/tenants/kent/{kind}/{id}")), &[404], kind);
                // Kent's ids under Durham's path.
                expect(b.get(&format!("/api/v1/tenants/durham/{kind}/{id}")), &[404], &format!("durham {kind} with a Kent id"));
            }
            // Kent's ids in the query.
            let provider = &k.ids[0].1;
            for kind in ["contracts", "services", "reviews", "providers"] {
                expect(b.get(&format!("/api/v1/tenants/durham/{kind}?provider_id={provider}")), &[404], &format!("{kind}?provider_id"));
            }
            // Changes aimed at Kent, by path, with a good Durham form token.
            let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
                ("/t/kent/admin/users".into(), vec![("email", "spy@durham.gov.uk"), ("role", "tenant_admin"), ("csrf", &csrf)]),
                (format!("/t/kent/admin/users/{}/role", k.membership), vec![("role", "viewer"), ("csrf", &csrf)]),
                ("/t/kent/admin/oidc".into(), vec![("issuer", "https://evil.example"), ("client_id", "x"), ("client_secret", "y"), ("csrf", &csrf)]),
                ("/t/kent/tokens".into(), vec![("name", "spy"), ("csrf", &csrf)]),
                (format!("/t/kent/tokens/{}/revoke", k.token), vec![("csrf", &csrf)]),
            ];
            for (path, form) in &posts {
                expect(b.post(path, form), &[404], path);
            }
            // Kent's ids in Durham's paths and bodies.
            let admin = role == Role::TenantAdmin;
            expect(
                b.post(&format!("/t/durham/admin/users/{}/role", k.membership), &[("role", "viewer"), ("csrf", &csrf)]),
                if admin { &[404] } else { &[403] },
                "durham role change of a Kent member",
            );
            expect(b.post(&format!("/t/durham/tokens/{}/revoke", k.token), &[("csrf", &csrf)]), &[404], "revoke Kent's token");
            let invite = b.post(
                "/t/durham/admin/users",
                &[("email", "spy@durham.gov.uk"), ("role", "provider"), ("provider_id", provider), ("csrf", &csrf)],
            );
            if admin {
                assert!(invite.body.contains("no such provider in this trust"), "{}", invite.body);
                expect(invite, &[400], "invite bound to Kent's provider");
            } else {
                expect(invite, &[403], "invite by a non-admin");
            }
            // A bearer token of Durham does not open Kent.
            let created = b.post("/t/durham/tokens", &[("name", "matrix"), ("csrf", &csrf)]);
            let start = created.body.find("cpt_").unwrap();
            let token: String = created.body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
            for kind in KINDS {
                expect(b.get_bearer(&format!("/api/v1/tenants/kent/{kind}"), &token), &[404], kind);
            }
            let home = b.get_bearer("/api/v1/tenants/durham/needs", &token);
            assert_eq!(home.status, 200, "the token works at home: {} {token}", home.body);
            checked += 1;
        }
        assert_eq!(checked, 5);

        // Nothing of Kent changed.
        let mut conn = db.conn();
        let kent = tenants::by_slug(&mut conn, "kent").unwrap().unwrap();
        let members = users::members(&mut conn, &kent.id).unwrap();
        assert_eq!(members.len(), 5, "no one joined Kent");
        let admin = users::by_email(&mut conn, "admin@kent.example").unwrap().unwrap();
        assert_eq!(users::membership(&mut conn, &kent.id, &admin.id).unwrap().unwrap().role, Role::TenantAdmin);
        assert!(accounts::oidc_settings(&mut conn, &kent.id).unwrap().is_none());
        let tokens = accounts::api_tokens_of(&mut conn, &kent.id, &admin.id).unwrap();
        assert_eq!(tokens.len(), 1);
        assert!(tokens[0].revoked_at.is_none(), "Kent's token was not revoked");
        let durham = tenants::by_slug(&mut conn, "durham").unwrap().unwrap();
        let durham_people: Vec<_> = users::members(&mut conn, &durham.id).unwrap().into_iter().map(|(m, _)| m.user_id).collect();
        let kent_log = platform_db::repo::audit::for_tenant(&mut conn, &kent.id, 1000).unwrap();
        assert!(kent_log.iter().all(|e| e.actor_user_id.as_ref().is_none_or(|a| !durham_people.contains(a))), "{kent_log:?}");
    }

    fn roles_within_a_trust_are_enforced_and_providers_see_only_their_own(db) {
        let d = Deployment::start(&db, true, &[]);
        let mut conn = db.conn();
        let durham = tenants::by_slug(&mut conn, "durham").unwrap().unwrap();
        let user = users::by_email(&mut conn, "provider@durham.example").unwrap().unwrap();
        let own = users::membership(&mut conn, &durham.id, &user.id).unwrap().unwrap().provider_id.unwrap();
        let all = cm::list_contracts(&mut conn, &durham.id, Page::new(200, 0)).unwrap();
        let theirs = all.items.iter().find(|c| c.provider_id != own).unwrap().id.to_string();
        let mine = cm::list_contracts_of(&mut conn, &durham.id, &own, Page::new(200, 0)).unwrap();
        assert!(mine.total > 0 && mine.total < all.total);

        let p = sign_in(&d.server.base, &d.mail, "durham", "provider@durham.example");
        let list = p.get("/api/v1/tenants/durham/contracts?limit=200").json();
        assert_eq!(list["total"], mine.total);
        assert!(list["items"].as_array().unwrap().iter().all(|c| c["provider_id"] == own.as_str()));
        assert_eq!(p.get(&format!("/api/v1/tenants/durham/contracts/{theirs}")).status, 404);
        assert_eq!(p.get(&format!("/api/v1/tenants/durham/contracts/{}", mine.items[0].id)).status, 200);
        let providers = p.get("/api/v1/tenants/durham/providers").json();
        assert_eq!(providers["total"], 1);

        let v = sign_in(&d.server.base, &d.mail, "durham", "viewer@durham.example");
        assert_eq!(v.get("/api/v1/tenants/durham/contracts?limit=200").json()["total"], all.total);
        for path in ["/t/durham/admin/users", "/t/durham/admin/oidc", "/t/durham/admin/audit"] {
            assert_eq!(v.get(path).status, 403, "{path}");
        }
        // Paging is checked, and a bad value is named.
        assert_eq!(v.get("/api/v1/tenants/durham/contracts?limit=0").json()["field"], "limit");
        assert_eq!(v.get("/api/v1/tenants/durham/contracts?offset=-1").json()["field"], "offset");
        assert_eq!(v.get("/api/v1/tenants/durham/contracts?limit=2&offset=2").json()["items"].as_array().unwrap().len(), 2);
        // No credentials: the API says so; pages send the visitor to sign in.
        let anon = Browser::new(&d.server.base);
        assert_eq!(anon.get("/api/v1/tenants/durham/contracts").status, 401);
        assert_eq!(anon.get("/t/durham/").location.as_deref(), Some("/t/durham/login?next=%2Ft%2Fdurham%2F"));
    }
}

#[test]
fn row_level_security_hides_other_tenants_from_a_query_that_forgot_its_filter() {
    let db = TestDb::new(platform_db::Backend::Postgres);
    let mut conn = db.migrated();
    platform_db::seed::seed(&mut conn, true, today(), now()).unwrap();
    let durham = tenants::by_slug(&mut conn, "durham").unwrap().unwrap();
    let kent = tenants::by_slug(&mut conn, "kent").unwrap().unwrap();
    let total: i64 = contracts::table.count().get_result(&mut conn).unwrap();
    let durham_count: i64 =
        contracts::table.filter(contracts::tenant_id.eq(&durham.id)).count().get_result(&mut conn).unwrap();
    assert!(durham_count > 0 && durham_count < total);

    // The web server's role: not a superuser, not the owner.
    conn.batch_execute("SET ROLE platform_app").unwrap();
    assert!(subject_to_rls(&mut conn).unwrap());
    // No tenant set: nothing at all.
    let seen: i64 = contracts::table.count().get_result(&mut conn).unwrap();
    assert_eq!(seen, 0);
    // Within Durham, the unfiltered query sees Durham's rows only.
    let seen: i64 =
        scoped(&mut conn, Scope::Tenant(&durham.id), |c| Ok(contracts::table.count().get_result(c)?)).unwrap();
    assert_eq!(seen, durham_count);
    let kent_ids: Vec<String> = scoped(&mut conn, Scope::Tenant(&durham.id), |c| {
        Ok(providers::table.filter(providers::tenant_id.eq(&kent.id)).select(providers::id).load(c)?)
    })
    .unwrap();
    assert!(kent_ids.is_empty());
    // Writing a row for Kent while scoped to Durham is refused by the policy.
    let write = scoped(&mut conn, Scope::Tenant(&durham.id), |c| {
        Ok(diesel::sql_query(format!(
            "INSERT INTO providers (id, tenant_id, name, sector, created_at) VALUES ('{}', '{}', 'Planted', 'statutory', now())",
            uuid::Uuid::now_v7(),
            kent.id
        ))
        .execute(c)?)
    });
    assert!(write.is_err(), "{write:?}");
    // Nor can an update reach Kent's rows.
    let changed = scoped(&mut conn, Scope::Tenant(&durham.id), |c| {
        Ok(diesel::update(providers::table.filter(providers::tenant_id.eq(&kent.id)))
            .set(providers::name.eq("Taken"))
            .execute(c)?)
    })
    .unwrap();
    assert_eq!(changed, 0);
}

#[test]
fn two_server_processes_share_sessions_and_rate_limits_through_redis() {
    let redis_url = format!("{}9", crate::support::redis_url());
    {
        let client = redis::Client::open(redis_url.as_str()).unwrap();
        let mut c = client.get_connection().unwrap();
        let _: () = redis::cmd("FLUSHDB").query(&mut c).unwrap();
    }
    let db = TestDb::new(platform_db::Backend::Postgres);
    let dir = db.dir.path();
    let env = [("DATABASE_URL", db.url.as_str()), ("REDIS_URL", redis_url.as_str()), ("PLATFORM_SEED_DEMO", "true")];
    let a = Server::start(dir, &env);
    let b = Server::start(dir, &env);
    let outbox = dir.join("data/outbox");

    // Signed in through A, the session works on B.
    let browser = sign_in(&a.base, &outbox, "durham", "admin@durham.example");
    let id = browser.session_id().unwrap();
    let raw = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let get = |server: &Server, path: &str| {
        raw.get(server.url(path)).header("cookie", format!("platform_session={id}")).send().unwrap()
    };
    let page = get(&b, "/t/durham/");
    assert_eq!(page.status().as_u16(), 200);
    let body = page.text().unwrap();
    let csrf = crate::support::Page { status: 200, location: None, body }.field("csrf");
    // Signed out on B: A no longer accepts the session either.
    let out = raw
        .post(b.url("/logout"))
        .header("cookie", format!("platform_session={id}"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .unwrap();
    assert_eq!(out.status().as_u16(), 303);
    assert_eq!(get(&a, "/t/durham/").status().as_u16(), 303);

    // The per-address limit on email links counts requests to both servers.
    let me = "viewer@durham.example";
    for (server, expected) in [(&a, 200), (&b, 200), (&a, 200), (&b, 429)] {
        let visitor = Browser::new(&server.base);
        let csrf = visitor.csrf("/t/durham/login");
        let r = visitor.post("/t/durham/login/email", &[("email", me), ("csrf", &csrf)]);
        assert_eq!(r.status, expected, "{}", r.body);
    }
    link_for(&outbox, me, "/t/durham/login/link/");
}
