//! Signing in, and the limits on password checks: each check is one attempt reserved before the
//! password is verified, counted per account and address and per address, so a burst gets no more
//! evaluated than the limit; failures from elsewhere only slow an account down. The current-password
//! check in settings counts the same way. All SQL is in `server::db`.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use secrecy::{ExposeSecret, SecretString};
use tower_sessions::Session;

use super::password;
use super::session::{self, now, Client};
use crate::domain::Email;
use crate::error::{AppError, FieldErrors};
use crate::server::context::internal;
use crate::server::db::{CurrentUser, Db};

/// Failed password checks allowed within [`THROTTLE_WINDOW_SECS`] for one account from one
/// address, and for one address whatever the account. Failures from elsewhere never lock an
/// account's owner out: they only slow attempts on it down ([`SLOW_DOWN_AFTER`]).
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 10;
pub const MAX_FAILURES_PER_IP: i64 = 50;
pub const THROTTLE_WINDOW_SECS: i64 = 15 * 60;
/// Past this many failures for an account from anywhere in the window, each check of its
/// password waits [`SLOW_DOWN_STEP`] longer per further failure, up to [`SLOW_DOWN_MAX`].
pub const SLOW_DOWN_AFTER: i64 = 10;
const SLOW_DOWN_STEP: std::time::Duration = std::time::Duration::from_millis(200);
const SLOW_DOWN_MAX: std::time::Duration = std::time::Duration::from_secs(3);

/// Checks the e-mail and password and signs the browser in. Every attempt is logged (never the
/// password); failures look the same whether or not the account exists, and cost the same work.
/// Anything that is not an e-mail address is refused before it is stored or logged.
pub async fn sign_in(
    db: &Db,
    session: &Session,
    client: &Client,
    email: &str,
    password: SecretString,
) -> Result<i64, AppError> {
    let email = Email::parse(email).map_err(|message| AppError::invalid("email", message))?;
    let account = email.as_str();
    let user = db.find_user_by_email(account).await.map_err(internal)?;
    let stored = user
        .as_ref()
        .filter(|u| u.active)
        .map(|u| u.password_hash.clone());
    let valid = checked(db, account, client, password, stored).await?;
    let user = match user {
        Some(user) if valid => user,
        _ => {
            tracing::warn!(outcome = "failure", account, ip = %client.ip, "sign-in failed");
            return Err(AppError::InvalidCredentials);
        }
    };
    session::establish(db, session, user.id, client)
        .await
        .map_err(internal)?;
    tracing::info!(outcome = "success", account, ip = %client.ip, user = user.id, "signed in");
    Ok(user.id)
}

/// Password checks in progress per address (throttle key), at most [`IN_FLIGHT_PER_ADDRESS`].
static IN_FLIGHT: LazyLock<Mutex<HashMap<String, usize>>> = LazyLock::new(Mutex::default);
const IN_FLIGHT_PER_ADDRESS: usize = 4;

/// One address's turn at a password check, given back when dropped.
struct InFlight(String);

impl InFlight {
    fn enter(key: &str) -> Option<Self> {
        let mut map = IN_FLIGHT.lock().ok()?;
        let count = map.entry(key.to_owned()).or_default();
        if *count >= IN_FLIGHT_PER_ADDRESS {
            return None;
        }
        *count += 1;
        Some(Self(key.to_owned()))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(mut map) = IN_FLIGHT.lock() {
            if let Some(count) = map.get_mut(&self.0) {
                *count -= 1;
                if *count == 0 {
                    map.remove(&self.0);
                }
            }
        }
    }
}

/// Checks `password` against `stored` (None: no such account) for `account`, as one throttled
/// attempt from `client`: the attempt is reserved before the check, so a burst is refused past
/// the limit however many arrive at once; an account under attack from elsewhere is only slowed.
async fn checked(
    db: &Db,
    account: &str,
    client: &Client,
    password: SecretString,
    stored: Option<String>,
) -> Result<bool, AppError> {
    let ip = session::throttle_key(client.ip);
    // However they end, one address gets only a few checks at a time: the shared hashing queue
    // is not one client's to fill, even with the right password.
    let Some(_turn) = InFlight::enter(&ip) else {
        tracing::warn!(account, %ip, "too many password checks at once from one address");
        crate::server::metrics::sign_in_throttled("concurrency");
        return Err(AppError::Unavailable(
            "Too many sign-ins from your network at this moment. Try again in a few seconds."
                .into(),
        ));
    };
    let at = now();
    let since = at - THROTTLE_WINDOW_SECS;
    let reserved = db
        .reserve_sign_in(
            account,
            &ip,
            at,
            since,
            MAX_FAILURES_PER_ACCOUNT,
            MAX_FAILURES_PER_IP,
        )
        .await
        .map_err(internal)?;
    let failures = db
        .recent_failures(account, &ip, since)
        .await
        .map_err(internal)?;
    let Some(attempt) = reserved else {
        let limited = if failures.pair.count >= MAX_FAILURES_PER_ACCOUNT {
            failures.pair
        } else {
            failures.address
        };
        let until = limited.oldest.unwrap_or(at) + THROTTLE_WINDOW_SECS;
        let minutes = u32::try_from(((until - at).max(1) + 59) / 60).unwrap_or(15);
        tracing::warn!(outcome = "throttled", account, %ip, "password check refused");
        crate::server::metrics::sign_in_throttled("limit");
        return Err(AppError::TooManyAttempts { minutes });
    };
    // This attempt is among the account's failures until it succeeds.
    let beyond = failures.account.count - SLOW_DOWN_AFTER;
    if beyond > 0 {
        let delay = SLOW_DOWN_STEP
            .saturating_mul(u32::try_from(beyond).unwrap_or(u32::MAX))
            .min(SLOW_DOWN_MAX);
        tokio::time::sleep(delay).await;
    }
    let valid = match password::verify(password, stored).await {
        Ok(valid) => valid,
        Err(error) => {
            // Not evaluated: it does not count against anyone.
            if let Err(e) = db.settle_sign_in(attempt, None).await {
                tracing::warn!(error = %e, "cannot release a sign-in attempt");
            }
            return Err(error.into());
        }
    };
    db.settle_sign_in(attempt, Some(valid))
        .await
        .map_err(internal)?;
    if !valid {
        crate::server::metrics::sign_in_failed();
    }
    Ok(valid)
}

/// Checks the signed-in user's current password, throttled like a sign-in (someone holding a
/// stolen session cookie cannot guess it faster than they could sign in).
pub(super) async fn check_current_password(
    db: &Db,
    user: &CurrentUser,
    client: &Client,
    current_password: SecretString,
    errors: &mut FieldErrors,
) -> Result<(), AppError> {
    if current_password.expose_secret().is_empty() {
        errors.add("current_password", "Enter your current password.");
        return Ok(());
    }
    let stored = db
        .find_user(user.id)
        .await
        .map_err(internal)?
        .map(|u| u.password_hash);
    if !checked(db, &user.email, client, current_password, stored).await? {
        tracing::warn!(user = user.id, ip = %client.ip, "current password check failed");
        errors.add("current_password", "The current password is not correct.");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_gets_a_few_checks_at_a_time() {
        let turns: Vec<_> = (0..IN_FLIGHT_PER_ADDRESS)
            .map(|_| InFlight::enter("198.51.100.1").expect("a turn"))
            .collect();
        assert!(InFlight::enter("198.51.100.1").is_none());
        // Another address is not affected.
        assert!(InFlight::enter("198.51.100.2").is_some());
        drop(turns);
        assert!(InFlight::enter("198.51.100.1").is_some());
        assert!(IN_FLIGHT.lock().unwrap().get("198.51.100.1").is_none());
    }
}
