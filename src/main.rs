//! The `clientele` binary: parses the command line and hands over to `clientele::server::cli`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    clientele::server::cli::run().await
}
