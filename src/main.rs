//! The `clientele` binary: parses the command line and hands over to `clientele::server::cli`.

/// mimalloc instead of the system allocator: page rendering allocates a lot (allocation was 42–48%
/// of a page's instructions with glibc's malloc; see bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    clientele::server::cli::run().await
}
