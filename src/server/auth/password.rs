//! Passwords: the rules a new one must meet, and argon2id hashing off the async worker threads.
//!
//! Hashing uses the argon2 crate's defaults, which are OWASP's recommendation for argon2id
//! (m = 19 456 KiB, t = 2, p = 1). A hash costs tens of milliseconds of CPU, so it never runs on an
//! async worker thread: it runs on a small pool of blocking threads of its own (one fewer than the
//! machine has cores, at least one), at a lower scheduling priority, so a burst of sign-ins queues
//! there and page requests keep their CPU.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::LazyLock;

use anyhow::Context;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use secrecy::{ExposeSecret, SecretString};

use crate::domain::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
use crate::error::AppError;
use crate::server::context::internal;

/// The 5,000 most common passwords of 8 characters or more (from zxcvbn's frequency list, MIT).
static COMMON: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("common-passwords.txt").lines().collect());

/// A password that meets the rules for a new password. Its text never appears in `Debug` output.
#[derive(Debug, Clone)]
pub struct NewPassword(SecretString);

impl NewPassword {
    pub fn parse(input: SecretString) -> Result<Self, String> {
        let text = input.expose_secret();
        let chars = text.chars().count();
        if chars < PASSWORD_MIN_CHARS {
            return Err(format!("Use at least {PASSWORD_MIN_CHARS} characters."));
        }
        if chars > PASSWORD_MAX_CHARS {
            return Err(format!("Use at most {PASSWORD_MAX_CHARS} characters."));
        }
        if COMMON.contains(text.to_lowercase().as_str()) {
            return Err("This password is too common. Choose one that is harder to guess.".into());
        }
        Ok(Self(input))
    }

    pub fn secret(&self) -> &SecretString {
        &self.0
    }
}

/// Why a password could not be hashed or checked.
#[derive(Debug, thiserror::Error)]
pub enum HashingError {
    /// The queue of the hashing threads is full: nothing was done.
    #[error("the password hashing queue is full")]
    Busy,
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

impl From<HashingError> for AppError {
    fn from(error: HashingError) -> Self {
        match error {
            HashingError::Busy => {
                tracing::warn!("password hashing queue full: request refused");
                AppError::Unavailable(
                    "Too many sign-ins are being checked right now. Try again in a few seconds."
                        .into(),
                )
            }
            HashingError::Failed(error) => internal(error),
        }
    }
}

/// Hashes `password` with argon2id and a fresh salt, on the hashing threads.
pub async fn hash(password: NewPassword) -> Result<String, HashingError> {
    spawn_blocking_in_span(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.0.expose_secret().as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))
    })
    .await
}

/// Checks `password` against `stored` (a PHC string). Without a stored hash (unknown account) the
/// same work is done against a dummy hash, so the answer takes as long either way.
pub async fn verify(password: SecretString, stored: Option<String>) -> Result<bool, HashingError> {
    spawn_blocking_in_span(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| anyhow::anyhow!("stored password hash is malformed: {e}"))?;
        let matches = Argon2::default()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok();
        Ok(known && matches)
    })
    .await
}

/// An argon2id hash (default parameters) of a random password nobody knows.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$gZiV/M1gPc22ElAH/Jh1Hw$CWOrkoo7oJBQ/iyh7uJ0LO2aLEfrHwTWllSAxT0zRno";

/// The threads that hash: one fewer than the machine has cores (at least one), so a burst of
/// sign-ins queues here instead of taking every core from page requests; and niced, so that when
/// they do compete for a core, page requests win it.
static HASHING: LazyLock<Result<rayon::ThreadPool, String>> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    rayon::ThreadPoolBuilder::new()
        .num_threads(cores.saturating_sub(1).max(1))
        .thread_name(|i| format!("password-hash-{i}"))
        .start_handler(|_| lower_priority())
        // A panic fails that one sign-in (its result channel is dropped), not the process.
        .panic_handler(|_| tracing::error!("a password hashing task panicked"))
        .build()
        .map_err(|e| e.to_string())
});

/// Lowers the calling thread's scheduling priority (on Linux, `nice` is per thread).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: setpriority only reads its integer arguments; `0` names the calling thread.
        let result = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 10) };
        if result != 0 {
            tracing::warn!("cannot lower the priority of a password hashing thread");
        }
    }
}

/// Jobs waiting for or running on the hashing threads.
static QUEUED: Queue = Queue(AtomicUsize::new(0));

/// Password checks and hashes waiting for or running on the hashing threads.
pub fn queued() -> usize {
    QUEUED.0.load(Ordering::Acquire)
}

/// A count of jobs waiting for or running on some threads.
struct Queue(AtomicUsize);

/// Most jobs queued at once, per hashing thread: one to two seconds of work. A burst beyond that
/// is refused at once ([`HashingError::Busy`]) instead of making every sign-in wait behind it.
const QUEUE_PER_THREAD: usize = 32;

/// A place in a queue, given back when dropped.
struct Place<'q>(&'q Queue);

impl Queue {
    /// A place, unless `limit` jobs already hold one.
    fn take(&self, limit: usize) -> Option<Place<'_>> {
        self.0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < limit).then_some(n + 1)
            })
            .ok()
            .map(|_| Place(self))
    }
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        self.0 .0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Runs CPU-heavy work on the hashing threads, keeping the caller's tracing span. Refused when the
/// queue is full; skipped when its caller has gone (the request was cancelled) before its turn.
async fn spawn_blocking_in_span<T: Send + 'static>(
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<T, HashingError> {
    let pool = HASHING
        .as_ref()
        .map_err(|e| anyhow::anyhow!("cannot start the password hashing threads: {e}"))?;
    let place = QUEUED
        .take(pool.current_num_threads() * QUEUE_PER_THREAD)
        .ok_or(HashingError::Busy)?;
    let span = tracing::Span::current();
    let (done, result) = tokio::sync::oneshot::channel();
    pool.spawn(move || {
        let _place = place;
        if done.is_closed() {
            return;
        }
        let _ = done.send(span.in_scope(work));
    });
    Ok(result.await.context("the password hashing task failed")??)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    #[test]
    fn length_rules_count_characters_not_bytes() {
        assert!(NewPassword::parse(secret("short")).is_err());
        assert!(
            NewPassword::parse(secret("ééééééé")).is_err(),
            "7 characters"
        );
        assert!(
            NewPassword::parse(secret("éééééééé")).is_ok(),
            "8 characters, 16 bytes"
        );
        assert!(
            NewPassword::parse(secret(&"x1".repeat(64))).is_ok(),
            "128 characters"
        );
        let error = NewPassword::parse(secret(&"x".repeat(129))).unwrap_err();
        assert_eq!(error, "Use at most 128 characters.");
    }

    #[test]
    fn the_queue_has_a_bound_and_places_come_back() {
        // A queue of its own: the hashing queue is shared with the tests that hash concurrently.
        let queue = Queue(AtomicUsize::new(0));
        let first = queue.take(2).expect("a place");
        let second = queue.take(2).expect("a place");
        assert!(queue.take(2).is_none(), "full");
        drop(first);
        let third = queue.take(2).expect("a place again");
        drop((second, third));
        assert_eq!(queue.0.load(Ordering::Acquire), 0, "every place came back");
    }

    #[test]
    fn no_composition_rules() {
        assert!(NewPassword::parse(secret("correct horse battery staple")).is_ok());
        assert!(NewPassword::parse(secret("qzmxnwbvlakd")).is_ok());
    }

    #[test]
    fn common_passwords_are_refused_in_any_case() {
        assert!(COMMON.len() >= 1000);
        for common in ["password", "12345678", "iloveyou", "PassWord", "QWERTYUIOP"] {
            let error = NewPassword::parse(secret(common)).unwrap_err();
            assert!(error.contains("too common"), "{common}: {error}");
        }
    }

    #[test]
    fn debug_output_hides_the_password() {
        let password = NewPassword::parse(secret("a very secret phrase")).unwrap();
        assert!(!format!("{password:?}").contains("secret phrase"));
    }

    #[tokio::test]
    async fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let password = NewPassword::parse(secret("tangerine-bicycle-42")).unwrap();
        let hash = hash(password).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify(secret("tangerine-bicycle-42"), Some(hash.clone()))
            .await
            .unwrap());
        assert!(!verify(secret("tangerine-bicycle-43"), Some(hash))
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn unknown_accounts_never_verify_but_cost_the_same_work() {
        assert!(!verify(secret("anything at all"), None).await.unwrap());
        // The dummy hash is a real argon2id hash with the same parameters as real ones.
        let parsed = PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        assert_eq!(parsed.params.get_str("m"), Some("19456"));
    }

    #[test]
    fn passwords_are_never_truncated() {
        // Two passwords that differ only after byte 72 (where bcrypt would stop) hash differently.
        let base = "z".repeat(100);
        let a = format!("{base}a");
        let b = format!("{base}b");
        let salt = SaltString::generate(&mut OsRng);
        let ha = Argon2::default()
            .hash_password(a.as_bytes(), &salt)
            .unwrap()
            .to_string();
        let hb = Argon2::default()
            .hash_password(b.as_bytes(), &salt)
            .unwrap()
            .to_string();
        assert_ne!(ha, hb);
    }
}
