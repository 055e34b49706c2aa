//! The command-line contract: `verbatim init --data DIR`, `verbatim verify PATH [--key] [--json]`.

mod common;

use common::{ok, verbatim};
use std::fs;
use std::os::unix::fs::PermissionsExt;

#[test]
fn init_creates_the_directory_and_prints_the_verifier_key() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("court");
    let out = ok(&[
        "init",
        "--data",
        dir.to_str().unwrap(),
        "--court",
        "bostandyk",
    ]);
    let vkey = out.trim();
    // C2SP signed-note verifier key: name+keyid(8 hex)+base64(0x01 || 32-byte Ed25519 key)
    let parts: Vec<&str> = vkey.splitn(3, '+').collect();
    assert_eq!(parts[0], "verbatim.local/bostandyk");
    assert_eq!(parts[1].len(), 8);
    assert!(parts[1].bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(parts[2].len(), 44);
    assert_eq!(out.lines().count(), 1, "only the key on stdout");
    let mode = fs::metadata(dir.join("keys/court.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(
        fs::read_to_string(dir.join("keys/court.vkey"))
            .unwrap()
            .trim(),
        vkey
    );
    for f in ["verbatim.toml", "log/checkpoint", "log/journal", "hearings"] {
        assert!(dir.join(f).exists(), "{f}");
    }
    // a fresh court verifies: a signed empty log
    let v = verbatim(&["verify", dir.to_str().unwrap(), "--key", vkey]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
}

#[test]
fn init_refuses_bad_input_without_writing_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("court");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("something"), "x").unwrap();
    let out = verbatim(&["init", "--data", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not empty"));
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);

    let dir2 = tmp.path().join("court2");
    for bad in [
        ["--court", "../up"],
        ["--origin", "has space"],
        ["--origin", "a+b"],
    ] {
        let out = verbatim(&["init", "--data", dir2.to_str().unwrap(), bad[0], bad[1]]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: "));
        assert!(!dir2.exists(), "{bad:?} left a partial directory");
    }
}

#[test]
fn verify_reports_for_people_and_programs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("court");
    let vkey = common::sealed_court(&dir, 10);
    let d = dir.to_str().unwrap();

    let text = ok(&["verify", d, "--key", &vkey]);
    assert!(text.contains("OK"), "{text}");
    assert!(text.contains("signature valid"));
    let json: serde_json::Value = serde_json::from_str(&ok(&["verify", d, "--json"])).unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["segments"], 49); // 5 steps x 10 streams, less cam4's simulated gap
    assert_eq!(json["key_from_directory"], true);
    // --key may name a file
    ok(&[
        "verify",
        d,
        "--key",
        dir.join("keys/court.vkey").to_str().unwrap(),
    ]);

    // alter one segment: exit 1, the file named, in both forms
    let seg = dir.join("hearings/h1/mic2/000001.flac");
    let mut b = fs::read(&seg).unwrap();
    b[10] ^= 0xff;
    fs::write(&seg, b).unwrap();
    let out = verbatim(&["verify", d, "--key", &vkey]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("ALTERED       hearings/h1/mic2/000001.flac"),
        "{text}"
    );
    let out = verbatim(&["verify", d, "--key", &vkey, "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["ok"], false);
    assert_eq!(json["problems"][0]["kind"], "altered");
    assert_eq!(json["problems"][0]["path"], "hearings/h1/mic2/000001.flac");
}

#[test]
fn verify_checks_the_key_and_the_origin() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("court");
    common::sealed_court(&dir, 4);
    let other = tmp.path().join("other");
    let other_key = common::init(&other);
    let d = dir.to_str().unwrap();

    // another court's key with the same name: the signature fails
    let out = verbatim(&["verify", d, "--key", &other_key]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("BAD SIGNATURE"), "{text}");
    assert!(text.contains("ALTERED       keys/court.vkey"), "{text}");

    // the right key but the wrong expected origin
    let vkey = fs::read_to_string(dir.join("keys/court.vkey")).unwrap();
    let out = verbatim(&[
        "verify",
        d,
        "--key",
        vkey.trim(),
        "--origin",
        "some.other/court",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("expected \"some.other/court\""));

    // not a key at all, and no directory at all
    let out = verbatim(&["verify", d, "--key", "not-a-key"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--key"));
    let out = verbatim(&["verify", tmp.path().join("nothing").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn commands_on_a_directory_that_is_not_a_court_fail_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let out = verbatim(&["simulate", "--data", tmp.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a court data directory"));
    let dir = tmp.path().join("c");
    common::init(&dir);
    fs::write(dir.join("verbatim.toml"), "[court]\nid = 5\n").unwrap();
    let out = verbatim(&["entries", "--data", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("verbatim.toml"));
}

#[test]
fn entries_prints_the_canonical_log() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("court");
    common::sealed_court(&dir, 4);
    let out = ok(&["entries", "--data", dir.to_str().unwrap()]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].contains("\"kind\":\"hearing_opened\""));
    assert!(lines
        .last()
        .unwrap()
        .contains("\"kind\":\"hearing_closed\""));
    for l in lines {
        verbatim_log::Entry::decode(l.as_bytes()).unwrap();
    }
}

/// `verbatim serve` answers on 127.0.0.1, audits a sign-in, and stops cleanly on SIGTERM.
#[test]
fn serve_answers_and_shuts_down_gracefully() {
    use std::io::{Read, Write};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("court");
    let out = verbatim(&[
        "init",
        "--data",
        dir.to_str().unwrap(),
        "--admin-password",
        "demo admin password",
    ]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("user admin password demo admin password")
    );
    let port = common::free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut server = common::spawn(&[
        "serve",
        "--data",
        dir.to_str().unwrap(),
        "--listen",
        &listen,
    ]);
    let http = |req: String| -> String {
        let mut s = std::net::TcpStream::connect(&listen).unwrap();
        s.write_all(req.as_bytes()).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    assert!(common::wait_for(20, || std::net::TcpStream::connect(
        &listen
    )
    .is_ok()));
    let doc = http(format!(
        "GET /api/openapi.json HTTP/1.1\r\nHost: {listen}\r\nConnection: close\r\n\r\n"
    ));
    assert!(
        doc.starts_with("HTTP/1.1 200") && doc.contains("\"openapi\""),
        "{doc}"
    );
    let body = r#"{"username":"admin","password":"demo admin password"}"#;
    let login = http(format!(
        "POST /api/login HTTP/1.1\r\nHost: {listen}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    assert!(login.starts_with("HTTP/1.1 200"), "{login}");
    assert!(login
        .to_lowercase()
        .contains("set-cookie: verbatim_session="));
    let page = http(format!(
        "GET / HTTP/1.1\r\nHost: {listen}\r\nConnection: close\r\n\r\n"
    ));
    assert!(page.contains("<title>verbatim</title>"));
    // SIGTERM: a clean exit.
    unsafe { kill(server.0.id() as i32, 15) };
    let status = server.0.wait().unwrap();
    assert!(status.success());
    let es: Vec<String> = ok(&["entries", "--data", dir.to_str().unwrap()])
        .lines()
        .map(String::from)
        .collect();
    assert!(es.iter().any(|e| e.contains("\"action\":\"login\"")));
    assert!(verbatim(&["verify", dir.to_str().unwrap()])
        .status
        .success());
}

extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
}
