//! `clientele export contacts|companies --out FILE`: the lists' "Export CSV" from the command line,
//! with the same search, filters and sort. The server may keep running meanwhile.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use super::Exportable;
use crate::domain::ListQuery;
use crate::server::db::Db;
use crate::server::export::Export;

/// Writes the export to `out` (`-` for standard output); a file appears only once complete.
pub(super) async fn run(
    db: &Db,
    what: Exportable,
    query: ListQuery,
    out: &Path,
) -> anyhow::Result<()> {
    let kind = what.kind();
    let mut export = Export::new(kind, query).map_err(|e| anyhow::anyhow!("{e}"))?;
    let started = std::time::Instant::now();
    if out == Path::new("-") {
        let mut stdout = std::io::stdout().lock();
        while let Some(chunk) = next(&mut export, db).await? {
            stdout.write_all(&chunk)?;
        }
        stdout.flush()?;
    } else {
        // Written beside the target, then renamed: an interrupted export leaves no partial file
        // under the name asked for.
        let partial = out.with_extension("csv.partial");
        let file = std::fs::File::create(&partial)
            .with_context(|| format!("cannot create {}", partial.display()))?;
        let mut file = std::io::BufWriter::new(file);
        let written = async {
            while let Some(chunk) = next(&mut export, db).await? {
                file.write_all(&chunk)?;
            }
            file.flush()?;
            anyhow::Ok(())
        }
        .await;
        if let Err(error) = written {
            let _ = std::fs::remove_file(&partial);
            return Err(error).with_context(|| format!("cannot write {}", out.display()));
        }
        std::fs::rename(&partial, out)
            .with_context(|| format!("cannot write {}", out.display()))?;
    }
    eprintln!(
        "Exported {} {} in {:.1} s.",
        export.rows(),
        kind.plural(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn next(export: &mut Export, db: &Db) -> anyhow::Result<Option<Vec<u8>>> {
    export
        .next_chunk(db)
        .await
        .map_err(|e| anyhow::anyhow!("reading the records failed: {e}"))
}
