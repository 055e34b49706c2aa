//! The in-browser verification page and the verifier compiled to WebAssembly
//! (`scripts/build-verify-wasm` builds `crates/bundle-wasm` into `assets/verify.wasm`).

use base64::Engine as _;

/// The page, as the court's server serves it (it loads `verify.wasm` beside it).
pub const VERIFY_HTML: &str = include_str!("../assets/verify.html");
/// The verifier, WebAssembly.
pub const VERIFY_WASM: &[u8] = include_bytes!("../assets/verify.wasm");

const WASM_SLOT: &str = "const WASM_BASE64 = \"\";";

/// The page with the verifier inside it, for a bundle: it works opened from the file
/// system, with nothing installed and no network.
pub fn standalone_page() -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(VERIFY_WASM);
    VERIFY_HTML.replacen(WASM_SLOT, &format!("const WASM_BASE64 = \"{b64}\";"), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_carries_the_verifier() {
        assert!(VERIFY_HTML.contains(WASM_SLOT));
        assert_eq!(&VERIFY_WASM[..4], b"\0asm");
        let page = standalone_page();
        assert!(!page.contains(WASM_SLOT));
        assert!(page.len() > VERIFY_WASM.len());
    }
}
