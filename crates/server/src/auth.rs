//! Signing in and out: argon2id passwords (in the catalog), a session token in a Secure,
//! HttpOnly, SameSite=Strict cookie, a CSRF token that every state-changing request must
//! echo in `X-CSRF-Token`, and a limit of 5 failed sign-ins per user per minute.

use crate::{ApiError, AppState};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::Method;
use std::sync::Arc;
use std::time::{Duration, Instant};
use verbatim_catalog::{Role, User};

pub const SESSION_COOKIE: &str = "verbatim_session";
pub const SESSION_TTL_MS: i64 = 12 * 3600 * 1000;
const MAX_FAILURES: usize = 5;
const FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// The signed-in user of a request. Extracting it checks the session cookie and, for any
/// method but GET/HEAD, the CSRF header.
pub struct SignedIn {
    pub user: User,
    pub csrf: String,
    pub token: String,
}

fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

impl FromRequestParts<Arc<AppState>> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let token = cookie(parts, SESSION_COOKIE).ok_or(ApiError::Unauthorized)?;
        if token.len() > 128 {
            return Err(ApiError::Unauthorized);
        }
        let session = state
            .catalog
            .session(&token)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        if parts.method != Method::GET && parts.method != Method::HEAD {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !constant_time_eq(sent.as_bytes(), session.csrf_token.as_bytes()) {
                return Err(ApiError::Forbidden(
                    "missing or wrong X-CSRF-Token header".into(),
                ));
            }
        }
        Ok(SignedIn {
            user: session.user,
            csrf: session.csrf_token,
            token,
        })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl SignedIn {
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.user.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "this needs the role {}",
                roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(" or ")
            )))
        }
    }
}

/// Counts a failed sign-in; errors if this user already failed too often lately.
pub fn check_rate(state: &AppState, username: &str) -> Result<(), ApiError> {
    let mut f = state.failures.lock().expect("not poisoned");
    let list = f.entry(username.to_string()).or_default();
    list.retain(|t| t.elapsed() < FAILURE_WINDOW);
    if list.len() >= MAX_FAILURES {
        return Err(ApiError::TooManyRequests);
    }
    Ok(())
}

pub fn record_failure(state: &AppState, username: &str) {
    let mut f = state.failures.lock().expect("not poisoned");
    f.entry(username.to_string())
        .or_default()
        .push(Instant::now());
}

/// The Set-Cookie value for a new session (or, with an empty token, for signing out).
pub fn session_cookie(token: &str, secure: bool) -> String {
    let max_age = if token.is_empty() {
        0
    } else {
        SESSION_TTL_MS / 1000
    };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}
