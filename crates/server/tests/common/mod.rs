//! What the API tests share: a client that signs in and calls routes without a socket.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

pub const PW: &str = "a long test password";

pub struct Client {
    pub app: axum::Router,
    pub cookie: String,
    pub csrf: String,
}

pub async fn call(
    app: &axum::Router,
    method: &str,
    path: &str,
    cookie: &str,
    csrf: &str,
    body: Option<&str>,
) -> (StatusCode, Value, Option<String>) {
    let mut req = Request::builder().method(method).uri(path);
    if !cookie.is_empty() {
        req = req.header("cookie", cookie);
    }
    if !csrf.is_empty() {
        req = req.header("x-csrf-token", csrf);
    }
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let set_cookie = resp
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    (status, value, set_cookie)
}

impl Client {
    pub async fn login(app: &axum::Router, user: &str, password: &str) -> Client {
        let body = json!({ "username": user, "password": password }).to_string();
        let (status, v, cookie) = call(app, "POST", "/api/login", "", "", Some(&body)).await;
        assert_eq!(status, StatusCode::OK, "{user}: {v}");
        let cookie = cookie.unwrap();
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Strict")
                && cookie.contains("Secure")
        );
        Client {
            app: app.clone(),
            cookie: cookie.split(';').next().unwrap().to_string(),
            csrf: v["csrf_token"].as_str().unwrap().to_string(),
        }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let (s, v, _) = call(&self.app, "GET", path, &self.cookie, "", None).await;
        (s, v)
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let (s, v, _) = call(
            &self.app,
            "POST",
            path,
            &self.cookie,
            &self.csrf,
            Some(&body.to_string()),
        )
        .await;
        (s, v)
    }
}
