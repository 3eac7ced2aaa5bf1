//! HTTPS without a proxy: the server speaks TLS (HTTP/2 when the client offers it), its responses
//! carry HSTS, its cookies are `Secure` with the `__Host-` prefix, and the plain-HTTP listener
//! only redirects to HTTPS.

use clientele::server::config::HttpSettings;
use clientele::server::tls::TlsSettings;

use crate::admin::PASSWORD;
use crate::helpers::spawn_app_with;

#[tokio::test]
async fn https_with_hsts_secure_cookies_and_a_redirect_from_http() {
    let dir = tempfile::tempdir().unwrap();
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.key_pair.serialize_pem()).unwrap();
    let app = spawn_app_with(
        HttpSettings {
            tls: Some(TlsSettings {
                cert,
                key,
                redirect_from: Some("127.0.0.1:0".parse().unwrap()),
            }),
            ..HttpSettings::default()
        },
        false,
    )
    .await;
    assert!(app.address.starts_with("https://127.0.0.1:"));
    let client = reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(certified.cert.pem().as_bytes()).unwrap(),
        )
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let page = client.get(app.url("/login")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.version(), reqwest::Version::HTTP_2);
    assert_eq!(
        page.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );

    // The first account, made from this machine: its session cookie is for HTTPS only.
    let registered = app
        .register_as(&client, "Ada", "ada@example.com", PASSWORD, &[], &[])
        .await;
    assert!(registered.status().is_success(), "{registered:?}");
    let cookie = registered
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("__Host-clientele="))
        .expect("the session cookie");
    assert!(
        cookie.contains("Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );
    let contacts = client.get(app.url("/contacts")).send().await.unwrap();
    assert_eq!(contacts.status(), 200, "signed in over HTTPS");

    // Plain HTTP is only a way to HTTPS: same path and query.
    let port = app.address.rsplit(':').next().unwrap().to_owned();
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let redirect = app.redirect.expect("the redirect listener");
    let answer = plain
        .get(format!("http://{redirect}/contacts?q=ada%20lovelace"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 308);
    assert_eq!(
        answer.headers()["location"],
        format!("https://127.0.0.1:{port}/contacts?q=ada%20lovelace").as_str()
    );
    assert!(answer.headers().get("set-cookie").is_none());
}

#[tokio::test]
async fn a_missing_or_mismatched_key_stops_the_start_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let one = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let other = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("other-key.pem");
    std::fs::write(&cert, one.cert.pem()).unwrap();
    std::fs::write(&key, other.key_pair.serialize_pem()).unwrap();
    let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
    crate::cli::assert_start_refused(
        dir.path(),
        &["--tls-cert", cert, "--tls-key", "/nonexistent/key.pem"],
        "cannot read /nonexistent/key.pem",
    );
    crate::cli::assert_start_refused(
        dir.path(),
        &["--tls-cert", cert, "--tls-key", key],
        "the certificate and the key do not go together",
    );
}

#[tokio::test]
async fn tls_with_a_plain_http_public_url_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let (cert, key) = (dir.path().join("c.pem"), dir.path().join("k.pem"));
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.key_pair.serialize_pem()).unwrap();
    crate::cli::assert_start_refused(
        dir.path(),
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
            "--public-url",
            "http://crm.example.com",
        ],
        "with --tls-cert, --public-url must start with https://",
    );
}
