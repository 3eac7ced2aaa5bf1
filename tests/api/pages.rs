use crate::helpers::spawn_app;

#[tokio::test]
async fn home_page_is_rendered_on_the_server() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = response.text().await.unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("<title>Home · Clientele</title>"), "{html}");
    assert!(html.contains("Welcome to Clientele"));
    // Anonymous visitors are asked to sign in and told nothing about the workspace.
    assert!(html.contains(r#"<a href="/login">Sign in</a>"#), "{html}");
    assert!(!html.contains("schema version"), "{html}");
    // The hydration script is there for browsers with JavaScript.
    assert!(html.contains("/pkg/clientele.js"));
    assert!(html.contains(r#"<nav aria-label="Main">"#));
}

#[tokio::test]
async fn unknown_paths_get_the_not_found_page_with_status_404() {
    let app = spawn_app().await;
    for path in [
        "/no/such/page",
        "/contacts-that-do-not-exist",
        "/pkg/missing.wasm",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        let html = response.text().await.unwrap();
        assert!(html.contains("Page not found"), "{path}: {html}");
        assert!(html.contains("Back to the home page"));
    }
}

#[tokio::test]
async fn static_files_are_served_from_the_site_root() {
    let app = spawn_app().await;
    let response = app.get("/robots.txt").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "User-agent: *\n");
}

#[tokio::test]
async fn static_files_answer_conditional_requests_and_offer_precompressed_variants() {
    let app = spawn_app().await;
    let url = format!("{}/pkg/clientele.css", app.address);
    let plain = reqwest::Client::new();
    let response = plain.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    let modified = response.headers()["last-modified"].clone();
    assert_eq!(response.text().await.unwrap(), "body { margin: 0 }\n");

    let again = plain
        .get(&url)
        .header("if-modified-since", modified)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304, "a revalidation is not a 404");

    let br = plain
        .get(&url)
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(br.status(), 200);
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.bytes().await.unwrap().as_ref(), b"brotli bytes");
}

#[tokio::test]
async fn static_files_carry_an_etag_and_a_caching_policy_by_name() {
    let app = spawn_app().await;
    let plain = reqwest::Client::new();
    // A bundle file named by its content hash, as the release build makes them.
    let hashed = "pkg/clientele.hGpkod1gtddY2COvx4jWgQ.js";
    std::fs::write(
        app.data_dir.path().join("site").join(hashed),
        "export {};\n",
    )
    .unwrap();
    let response = plain
        .get(app.url(&format!("/{hashed}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );

    let url = app.url("/pkg/clientele.css");
    let response = plain.get(&url).send().await.unwrap();
    assert_eq!(response.headers()["cache-control"], "public, no-cache");
    let etag = response.headers()["etag"].clone();
    assert!(etag.to_str().unwrap().starts_with('"'), "{etag:?}");
    let again = plain
        .get(&url)
        .header("if-none-match", etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], etag);
    assert!(again.bytes().await.unwrap().is_empty());

    // The brotli copy has its own tag, and revalidates as the same file.
    let br = plain
        .get(&url)
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    let br_tag = br.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(br_tag, etag.to_str().unwrap());
    assert_eq!(br.headers()["vary"], "accept-encoding");
    let again = plain
        .get(&url)
        .header("accept-encoding", "br")
        .header("if-none-match", br_tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    // A changed file gets a new tag: the old one no longer matches.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(
        app.data_dir.path().join("site/pkg/clientele.css"),
        "body { margin: 1px }\n",
    )
    .unwrap();
    let changed = plain
        .get(&url)
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert_eq!(changed.text().await.unwrap(), "body { margin: 1px }\n");
}

#[tokio::test]
async fn server_function_returns_the_workspace_summary_to_signed_in_users_only() {
    let app = spawn_app().await;
    let anonymous = app
        .client
        .post(app.url("/api/workspace/summary"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let home = app.get("/").await.text().await.unwrap();
    assert!(!home.contains("schema version"), "{home}");
    let (app, viewer) = {
        let (app, _, viewer, _) = crate::admin::admin_and("viewer").await;
        (app, viewer)
    };
    let response = viewer
        .post(app.url("/api/workspace/summary"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let summary: clientele::domain::WorkspaceSummary = response.json().await.unwrap();
    assert_eq!(summary.name, "Clientele");
    assert_eq!(summary.schema_version, crate::helpers::latest_migration());
    assert_eq!(summary.created_at.len(), "2026-11-30T09:00:00Z".len());
}

#[tokio::test]
async fn html_is_compressed_when_the_client_accepts_it() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    for (accept, expected) in [("gzip", "gzip"), ("br", "br")] {
        let response = client
            .get(app.url("/"))
            .header("accept-encoding", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-encoding"], expected);
    }
}

#[tokio::test]
async fn oversized_request_bodies_are_refused_with_413() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/workspace/summary"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![b'a'; 3 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
}
