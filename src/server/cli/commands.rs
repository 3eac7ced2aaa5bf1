//! The commands of the command line and their arguments.

use std::path::PathBuf;

use clap::Subcommand;

use crate::domain::{OnExisting, Role};

#[derive(Debug, Subcommand)]
pub(super) enum Command {
    /// Apply pending migrations, then serve the web application (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage accounts from the server's command line.
    #[command(subcommand)]
    User(UserCommand),
    /// Fill the database with realistic synthetic companies and contacts (for trying Clientele out
    /// and for benchmarks). Stop the server first: indexes are rebuilt at the end of the load.
    Seed {
        /// How many companies to add.
        #[arg(long, default_value_t = 1_000)]
        companies: u64,
        /// How many contacts to add (most work at one of the new companies).
        #[arg(long, default_value_t = 10_000)]
        contacts: u64,
        /// Seed of the random generator: the same seed gives the same records.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Write contacts or companies to a CSV file, like the lists' "Export CSV": every field, the
    /// rows a search and filters select (all of them by default), in the list's sort order.
    Export {
        what: Exportable,
        /// The file to write, or `-` for standard output.
        #[arg(long)]
        out: PathBuf,
        /// Text to search for, as typed in the list's Search box.
        #[arg(long)]
        q: Option<String>,
        /// Contacts with this status (lead, prospect, customer, inactive).
        #[arg(long)]
        status: Option<String>,
        /// Contacts with this tag.
        #[arg(long)]
        tag: Option<String>,
        /// Companies in this industry.
        #[arg(long)]
        industry: Option<String>,
        /// Sort order, as in the list's URL (name, email, city, updated, newest; domain for
        /// companies).
        #[arg(long)]
        sort: Option<String>,
        /// `desc` to reverse the sort order.
        #[arg(long)]
        dir: Option<String>,
    },
    /// Import contacts or companies from a CSV file (UTF-8; comma, semicolon or tab separated),
    /// its columns mapped from its header row: every row is checked first, then imported. The
    /// import is listed at /import, where it can be undone.
    Import {
        what: Exportable,
        file: PathBuf,
        /// Check every row and report what would happen, without writing anything.
        #[arg(long)]
        dry_run: bool,
        /// What to do with a record that exists already (a contact with the same e-mail, a
        /// company with the same domain or name): skip it, fill its empty fields, or overwrite.
        #[arg(long, default_value = "skip", value_parser = parse_on_existing)]
        on_existing: OnExisting,
        /// The e-mail of the member or admin the import acts as (the first admin by default).
        #[arg(long = "as")]
        user: Option<String>,
    },
    /// Write a consistent copy of the database to FILE (which must not exist yet), with a
    /// progress bar. The server may go on running: the copy is the database as it was when the
    /// backup began (SQLite's `VACUUM INTO`).
    Backup { file: PathBuf },
    /// Check the backup FILE (intact, its references whole, made by this version or an older
    /// one) and restore it into the data folder, which must hold no database yet.
    Restore {
        file: PathBuf,
        /// Only check the backup.
        #[arg(long)]
        check: bool,
    },
    /// Copy the whole workspace from a SQLite database into a PostgreSQL one (migrated first):
    /// accounts, records, trash, history, imports, with a progress bar; the counts are checked
    /// and the copy is one transaction. Running it again brings the copy up to date. Stop the
    /// server first (or copy a backup) so that nothing changes after the copy.
    MigrateToPostgres {
        /// The SQLite database, `sqlite://PATH`.
        #[arg(long)]
        from: String,
        /// The PostgreSQL database, `postgres://USER:PASSWORD@HOST:PORT/NAME` (better given in
        /// the environment, out of the shell's history).
        #[arg(long, env = "CLIENTELE_MIGRATE_TO", hide_env_values = true)]
        to: String,
        /// Copy the sign-in sessions too, so nobody has to sign in again.
        #[arg(long)]
        keep_sessions: bool,
    },
    /// Undo import ID (as listed at /import): the records it created go to the trash and the
    /// fields it changed get their old values back, unless edited since. An undo that stopped
    /// part-way can be run again to undo the rest.
    UndoImport {
        id: i64,
        /// The e-mail of the member or admin the undo acts as (the first admin by default).
        #[arg(long = "as")]
        user: Option<String>,
    },
}

pub(super) fn parse_on_existing(text: &str) -> Result<OnExisting, String> {
    text.parse()
}

/// What `clientele export` writes and `clientele import` reads.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(super) enum Exportable {
    Contacts,
    Companies,
}

impl Exportable {
    pub(super) fn kind(self) -> crate::domain::RecordKind {
        match self {
            Exportable::Contacts => crate::domain::RecordKind::Contact,
            Exportable::Companies => crate::domain::RecordKind::Company,
        }
    }
}

#[derive(Debug, Subcommand)]
pub(super) enum UserCommand {
    /// Create an account. The password is read from CLIENTELE_PASSWORD or asked for on the terminal.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, default_value = "member")]
        role: Role,
    },
    /// Set a new password for an account and end all of its sessions.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
    /// Make a personal access token for the JSON API, acting as this account (as at
    /// /settings/tokens); prints it once.
    Token {
        #[arg(long)]
        email: String,
        /// What the token is for.
        #[arg(long, default_value = "Command line")]
        name: String,
        /// Let it write too (the account's role permitting); it only reads otherwise.
        #[arg(long)]
        write: bool,
        /// Days until it expires: 7, 30, 90 or 365; 0 for never.
        #[arg(long, default_value_t = 90)]
        expires_days: u32,
    },
}
