//! Graceful shutdown of the real binary on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::mpsc;

#[tokio::test]
async fn a_request_in_flight_when_sigterm_arrives_still_completes() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_clientele"))
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .current_dir(dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The server logs the address it bound.
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let address = loop {
        let line = lines.next().expect("server exited early").unwrap();
        if line.contains("\"listening\"") {
            let start = line.find("\"address\":\"").unwrap() + "\"address\":\"".len();
            let end = start + line[start..].find('"').unwrap();
            break line[start..end].to_string();
        }
    };
    let log = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());

    // A request whose body is still being sent: the server is busy with it.
    let (body_tx, body_rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(1);
    let body = reqwest::Body::wrap_stream(tokio_stream::wrappers::ReceiverStream::new(body_rx));
    let request = tokio::spawn(
        reqwest::Client::new()
            .post(format!("http://{address}/api/workspace/summary"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send(),
    );
    body_tx.send(Ok(Bytes::from_static(b""))).await.unwrap();
    // Give the server a moment to read the request head before the signal.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Still running: it waits for our request.
    assert!(
        child.try_wait().unwrap().is_none(),
        "the server quit with a request in flight"
    );

    drop(body_tx); // finish the body
    let response = request
        .await
        .unwrap()
        .expect("the in-flight request completes");
    // Answered (anonymous callers learn nothing about the workspace).
    assert_eq!(response.status(), 401);

    let status = child.wait().unwrap();
    assert!(status.success(), "clean exit after SIGTERM: {status:?}");
    let log = log.join().unwrap().join("\n");
    assert!(log.contains("finishing in-flight requests"), "{log}");

    // New connections are refused once it has stopped.
    assert!(reqwest::get(format!("http://{address}/healthz"))
        .await
        .is_err());
}

#[tokio::test]
async fn stopping_the_application_closes_the_database_cleanly() {
    let app = crate::helpers::spawn_app().await;
    assert_eq!(app.get("/").await.status(), 200);
    let database = app.database_path();
    let address = app.address.clone();
    let (result, _data_dir) = app.stop().await;
    result.expect("clean stop");
    if crate::helpers::on_postgres() {
        assert!(reqwest::get(format!("{address}/healthz")).await.is_err());
        return;
    }
    // The last connection checkpointed the write-ahead log into the database file.
    assert!(database.exists());
    let wal = database.with_extension("db-wal");
    assert!(!wal.exists(), "WAL left behind: {}", wal.display());
    assert!(reqwest::get(format!("{address}/healthz")).await.is_err());
}
