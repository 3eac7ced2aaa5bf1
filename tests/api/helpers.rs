use std::path::PathBuf;

use clientele::server::config::{AuthSettings, DatabaseSettings, HttpSettings, Settings};
use clientele::server::startup::Application;
use leptos::config::LeptosOptions;
use tempfile::TempDir;
use tokio::sync::oneshot;

/// A server running on a random port, with its own database in a temporary folder.
pub struct TestApp {
    pub address: String,
    /// With TLS and a redirect listener: its address.
    pub redirect: Option<std::net::SocketAddr>,
    pub client: reqwest::Client,
    pub data_dir: TempDir,
    /// Its database (a SQLite file in `data_dir`, or a PostgreSQL database of its own).
    pub database: DatabaseSettings,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

/// The PostgreSQL server the tests run against (`make test-postgres` sets it), if any: every
/// test server then gets a database of its own there instead of a SQLite file.
pub fn postgres_server() -> Option<String> {
    std::env::var("CLIENTELE_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.is_empty())
}

/// Whether the tests run against PostgreSQL.
pub fn on_postgres() -> bool {
    postgres_server().is_some()
}

/// The database of a test server whose data folder is `data_dir`: its SQLite file, or on
/// PostgreSQL a new database, named in a file in `data_dir` so that a server started again on
/// that folder finds the same one.
pub async fn database_in(data_dir: &std::path::Path) -> DatabaseSettings {
    use sqlx::Connection;
    use std::sync::atomic::{AtomicU64, Ordering};
    let Some(server) = postgres_server() else {
        return DatabaseSettings::new(None, data_dir).expect("database settings");
    };
    let named = data_dir.join("postgres-database");
    let name = match std::fs::read_to_string(&named) {
        Ok(name) => name,
        Err(_) => {
            static NEXT: AtomicU64 = AtomicU64::new(0);
            let name = format!(
                "test_{}_{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            );
            let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
                .await
                .expect("the test PostgreSQL server");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .expect("a test database");
            admin.close().await.ok();
            std::fs::write(&named, &name).expect("database name");
            name
        }
    };
    DatabaseSettings::new(Some(&format!("{server}/{name}")), data_dir).expect("database settings")
}

/// The database URL a `clientele` command run on `data_dir` needs (on PostgreSQL: the database
/// [`database_in`] made for that folder), if any.
pub fn database_url_for(data_dir: &std::path::Path) -> Option<String> {
    let server = postgres_server()?;
    let name = std::fs::read_to_string(data_dir.join("postgres-database")).ok()?;
    Some(format!("{server}/{name}"))
}

/// A handle on the database of the data folder `data_dir`.
pub async fn db_in(data_dir: &std::path::Path) -> clientele::server::db::Db {
    clientele::server::db::Db::connect(&database_in(data_dir).await)
        .await
        .expect("database")
}

/// Version of the newest embedded migration.
pub fn latest_migration() -> i64 {
    clientele::server::db::MIGRATOR
        .iter()
        .map(|m| m.version)
        .max()
        .expect("migrations")
}

/// The error a failed server-function call answered with.
pub async fn error_of(response: reqwest::Response) -> clientele::error::AppError {
    let text = response.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not an AppError ({e}): {text}"))
}

/// A client that keeps cookies like a browser and shows redirects instead of following them.
pub fn cookie_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("HTTP client")
}

/// The setup token of test servers (a real server makes a random one at start-up).
pub const SETUP_TOKEN: &str = "test-setup-token";

pub async fn spawn_app() -> TestApp {
    spawn_app_with(HttpSettings::default(), false).await
}

/// A server that lets anyone register.
pub async fn spawn_app_with_policy(open_registration: bool) -> TestApp {
    spawn_app_with(HttpSettings::default(), open_registration).await
}

pub async fn spawn_app_with(http: HttpSettings, open_registration: bool) -> TestApp {
    spawn_app_configured(http, open_registration, |_| {}).await
}

/// A server whose account settings `configure` adjusts (session timeouts, say).
pub async fn spawn_app_configured(
    http: HttpSettings,
    open_registration: bool,
    configure: impl FnOnce(&mut AuthSettings),
) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temporary folder");
    spawn_app_in(data_dir, http, open_registration, configure).await
}

/// A server on the database already in `data_dir`.
pub async fn spawn_app_in(
    data_dir: TempDir,
    http: HttpSettings,
    open_registration: bool,
    configure: impl FnOnce(&mut AuthSettings),
) -> TestApp {
    let site_root = data_dir.path().join("site");
    std::fs::create_dir_all(site_root.join("pkg")).expect("site folder");
    std::fs::write(site_root.join("robots.txt"), "User-agent: *\n").expect("static file");
    // A bundle file with a pre-compressed variant, as the release build leaves them.
    std::fs::write(site_root.join("pkg/clientele.css"), "body { margin: 0 }\n").expect("css");
    std::fs::write(site_root.join("pkg/clientele.css.br"), b"brotli bytes").expect("css.br");
    let leptos = LeptosOptions::builder()
        .output_name("clientele")
        .site_root(site_root.to_string_lossy().as_ref())
        .site_addr(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        .build();
    let settings_tls = http.tls.is_some();
    let database = database_in(data_dir.path()).await;
    let settings = Settings {
        leptos,
        database: database.clone(),
        http,
        auth: {
            let mut auth = AuthSettings::new(None, open_registration).expect("auth settings");
            auth.registration.setup_token = SETUP_TOKEN.into();
            configure(&mut auth);
            auth
        },
    };
    let app = Application::build(settings)
        .await
        .expect("application builds");
    let scheme = if settings_tls { "https" } else { "http" };
    let address = format!("{scheme}://{}", app.local_addr());
    let redirect = app.redirect_addr();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    let client = cookie_client();
    TestApp {
        address,
        redirect,
        client,
        data_dir,
        database,
        stop: Some(stop),
        server: Some(server),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    /// A page as `client` (and its cookies) sees it.
    pub async fn get_as(&self, client: &reqwest::Client, path: &str) -> reqwest::Response {
        client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    /// Posts a form to a server function the way `fetch` from the hydrated page does.
    pub async fn post_form(
        &self,
        client: &reqwest::Client,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut request = client.post(self.url(path)).form(fields);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("request sent")
    }

    /// Registers with this app's own client (which then holds the session).
    pub async fn register(
        &self,
        name: &str,
        email: &str,
        password: &str,
        extra: &[(&str, &str)],
    ) -> reqwest::Response {
        self.register_as(&self.client, name, email, password, extra, &[])
            .await
    }

    pub async fn register_with_headers(
        &self,
        name: &str,
        email: &str,
        password: &str,
        extra: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        self.register_as(&self.client, name, email, password, extra, headers)
            .await
    }

    pub async fn register_as(
        &self,
        client: &reqwest::Client,
        name: &str,
        email: &str,
        password: &str,
        extra: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut fields = vec![("name", name), ("email", email), ("password", password)];
        fields.extend_from_slice(extra);
        self.post_form(client, "/api/auth/register", &fields, headers)
            .await
    }

    pub async fn login_as(
        &self,
        client: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        self.post_form(
            client,
            "/api/auth/login",
            &[("email", email), ("password", password)],
            &[],
        )
        .await
    }

    pub async fn count_users(&self) -> i64 {
        self.scalar("SELECT count(*) FROM users").await
    }

    /// A second handle on the server's database, for looking (or reaching) behind its back.
    pub async fn db(&self) -> clientele::server::db::Db {
        clientele::server::db::Db::connect(&self.database)
            .await
            .expect("database")
    }

    /// The integer `sql` (SQLite's dialect, as the server's statements) selects.
    pub async fn scalar(&self, sql: &str) -> i64 {
        self.value(sql).await
    }

    /// The value `sql` selects.
    pub async fn value<T: clientele::server::db::sql::Owned>(&self, sql: &str) -> T {
        let db = self.db().await;
        let value = clientele::server::db::sql::query_scalar(sql)
            .fetch_one(&mut db.conn().await.expect("connection"))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        db.close().await;
        value
    }

    /// The rows `sql` selects.
    pub async fn rows<T: clientele::server::db::sql::FromRow>(&self, sql: &str) -> Vec<T> {
        let db = self.db().await;
        let rows = clientele::server::db::sql::query_as(sql)
            .fetch_all(&mut db.conn().await.expect("connection"))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        db.close().await;
        rows
    }

    /// Runs `sql` on the server's database; returns the rows it changed.
    pub async fn execute(&self, sql: &str) -> u64 {
        let db = self.db().await;
        let done = clientele::server::db::sql::query(sql)
            .execute(&mut db.conn().await.expect("connection"))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        db.close().await;
        done.rows_affected()
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.path().join("clientele.db")
    }

    /// Stops the server the way a signal would and waits for it to finish; hands back the data
    /// folder so its files can be inspected.
    pub async fn stop(mut self) -> (anyhow::Result<()>, TempDir) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let result = match self.server.take() {
            Some(server) => server.await.expect("server task"),
            None => Ok(()),
        };
        let data_dir = std::mem::replace(
            &mut self.data_dir,
            tempfile::tempdir().expect("temporary folder"),
        );
        (result, data_dir)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The fields of the record forms, in order.
pub const CONTACT_FIELDS: [&str; 13] = [
    "id",
    "version",
    "first_name",
    "last_name",
    "email",
    "phone",
    "job_title",
    "company",
    "city",
    "status",
    "tags",
    "notes",
    "owner",
];
pub const COMPANY_FIELDS: [&str; 14] = [
    "id",
    "version",
    "name",
    "domain",
    "industry",
    "size",
    "phone",
    "website",
    "street",
    "city",
    "postal_code",
    "country",
    "notes",
    "owner",
];
/// The fields of the "Log activity" form.
pub const ACTIVITY_FIELDS: [&str; 8] = [
    "id",
    "version",
    "kind",
    "subject",
    "body",
    "happened_at",
    "contact",
    "company",
];

/// Every field of a form, empty unless given.
pub fn form<'a>(names: &[&'a str], given: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    names
        .iter()
        .map(|name| {
            let value = given
                .iter()
                .find(|(k, _)| k == name)
                .map_or("", |(_, v)| *v);
            (*name, value)
        })
        .collect()
}
