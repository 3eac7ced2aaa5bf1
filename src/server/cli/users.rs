//! `clientele user create`, `clientele user reset-password` and `clientele user token`: account
//! administration for the operator, without a browser.

use anyhow::{bail, Context};
use secrecy::SecretString;

use super::UserCommand;
use crate::domain::{Email, PersonName};
use crate::server::auth::password::{self, NewPassword};
use crate::server::auth::session::now;
use crate::server::auth::tokens;
use crate::server::db::{CurrentUser, Db, WriteUserError};

pub(super) async fn run(db: &Db, command: &UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Create { email, name, role } => {
            let email = Email::parse(email).map_err(anyhow::Error::msg)?;
            let default_name = email
                .as_str()
                .split('@')
                .next()
                .unwrap_or_default()
                .to_owned();
            let name = PersonName::parse(name.as_deref().unwrap_or(&default_name))
                .map_err(anyhow::Error::msg)?;
            let password = read_new_password()?;
            let hash = password::hash(password).await?;
            match db
                .create_user(&email, name.as_str(), &hash, *role, None, now())
                .await
            {
                Ok(Some(id)) => {
                    println!("Created {role} account {email} (id {id}).");
                    Ok(())
                }
                Ok(None) => bail!("the account was not created"),
                Err(WriteUserError::EmailTaken) => {
                    bail!("an account with the email address {email} already exists")
                }
                Err(WriteUserError::Db(e)) => Err(e).context("cannot create the account"),
            }
        }
        UserCommand::Token {
            email,
            name,
            write,
            expires_days,
        } => {
            let email = Email::parse(email).map_err(anyhow::Error::msg)?;
            let Some(user) = db.find_user_by_email(email.as_str()).await? else {
                bail!("no account has the email address {email}");
            };
            if !user.active {
                bail!("the account {email} is deactivated");
            }
            let user = CurrentUser {
                id: user.id,
                email: user.email,
                name: user.name,
                role: user.role,
                session_id: String::new(),
            };
            let form = tokens::NewToken {
                name: name.clone(),
                access: if *write { "write" } else { "read" }.into(),
                expires: expires_days.to_string(),
            };
            let (token, _) = tokens::create(db, &user, &form)
                .await
                .map_err(|e| match e {
                    crate::error::AppError::Validation(errors) => anyhow::anyhow!(
                        "{}",
                        errors
                            .errors
                            .iter()
                            .map(|(field, message)| format!("{field}: {message}"))
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                    other => anyhow::anyhow!("{other}"),
                })?;
            println!("{token}");
            Ok(())
        }
        UserCommand::ResetPassword { email } => {
            let email = Email::parse(email).map_err(anyhow::Error::msg)?;
            let Some(user) = db.find_user_by_email(email.as_str()).await? else {
                bail!("no account has the email address {email}");
            };
            let password = read_new_password()?;
            let hash = password::hash(password).await?;
            db.set_password_hash(user.id, &hash, now()).await?;
            let ended = db.delete_other_sessions(user.id, None).await?;
            println!("Password changed for {email}; {ended} session(s) ended.");
            Ok(())
        }
    }
}

/// The new password from CLIENTELE_PASSWORD, or typed twice on the terminal without echo.
fn read_new_password() -> anyhow::Result<NewPassword> {
    let text = match std::env::var("CLIENTELE_PASSWORD") {
        Ok(text) => text,
        Err(_) => {
            let first = rpassword::prompt_password("New password: ").context(
                "cannot read the password (set CLIENTELE_PASSWORD when not on a terminal)",
            )?;
            let second =
                rpassword::prompt_password("Repeat it: ").context("cannot read the password")?;
            if first != second {
                bail!("the two passwords differ");
            }
            first
        }
    };
    NewPassword::parse(SecretString::from(text)).map_err(anyhow::Error::msg)
}
