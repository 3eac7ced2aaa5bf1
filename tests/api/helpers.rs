use std::path::PathBuf;

use clientele::server::config::{DatabaseSettings, HttpSettings, Settings};
use clientele::server::startup::Application;
use leptos::config::LeptosOptions;
use tempfile::TempDir;
use tokio::sync::oneshot;

/// A server running on a random port, with its own database in a temporary folder.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub data_dir: TempDir,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(HttpSettings::default()).await
}

pub async fn spawn_app_with(http: HttpSettings) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temporary folder");
    let site_root = data_dir.path().join("site");
    std::fs::create_dir_all(site_root.join("pkg")).expect("site folder");
    std::fs::write(site_root.join("robots.txt"), "User-agent: *\n").expect("static file");
    let leptos = LeptosOptions::builder()
        .output_name("clientele")
        .site_root(site_root.to_string_lossy().as_ref())
        .site_addr(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        .build();
    let settings = Settings {
        leptos,
        database: DatabaseSettings::new(None, data_dir.path()).expect("database settings"),
        http,
    };
    let app = Application::build(settings)
        .await
        .expect("application builds");
    let address = format!("http://{}", app.local_addr());
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("HTTP client");
    TestApp {
        address,
        client,
        data_dir,
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
