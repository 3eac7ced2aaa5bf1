//! The `clientele` binary: parses the command line and hands over to `clientele::server::cli`.

/// mimalloc instead of the system allocator: page rendering allocates a lot (allocation was 42–48%
/// of a page's instructions with glibc's malloc; see bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Threads for blocking work: only file reads for static files use them (password hashing has its
/// own pool). Tokio's default of 512 let a burst of static requests start a hundred threads, each
/// keeping its own allocator heap: +46 MB of private memory (bench/README.md).
const MAX_BLOCKING_THREADS: usize = 16;

fn main() -> std::process::ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(MAX_BLOCKING_THREADS)
        .build();
    match runtime {
        Ok(runtime) => runtime.block_on(clientele::server::cli::run()),
        Err(error) => {
            eprintln!("clientele: cannot start the async runtime: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
