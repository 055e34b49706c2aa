//! `verbatim.toml`: one configuration file per court data directory, every key optional.

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub court: CourtConfig,
    pub log: LogConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct CourtConfig {
    /// Short identifier used in log entries and paths.
    pub id: String,
    /// The court's name, for people.
    pub name: String,
    /// The log's origin line, and the name of the court's signing key.
    pub origin: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// How often a recorder publishes a signed checkpoint while entries arrive.
    pub checkpoint_interval_ms: u64,
}

impl Default for CourtConfig {
    fn default() -> Self {
        Self {
            id: "demo-court".into(),
            name: "Demo District Court".into(),
            origin: "verbatim.local/demo-court".into(),
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            checkpoint_interval_ms: 2000,
        }
    }
}

impl Config {
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the configuration {}", path.display()))?;
        let cfg: Config =
            toml::from_str(&text).with_context(|| format!("in {}", path.display()))?;
        cfg.validate()
            .with_context(|| format!("in {}", path.display()))?;
        Ok(cfg)
    }

    pub fn validate(&self) -> Result<()> {
        if !verbatim_log::entry::is_valid_id(&self.court.id) {
            bail!(
                "court.id {:?} is not an identifier (1-128 of A-Z a-z 0-9 . _ -)",
                self.court.id
            );
        }
        let o = &self.court.origin;
        if o.is_empty()
            || o.chars()
                .any(|c| c.is_whitespace() || c == '+' || c.is_control())
        {
            bail!("court.origin {o:?} must be non-empty, without spaces or '+'");
        }
        if self.log.checkpoint_interval_ms == 0 {
            bail!("log.checkpoint_interval_ms must be at least 1");
        }
        Ok(())
    }

    /// The file `verbatim init` writes: every setting, with its meaning.
    pub fn to_documented_toml(&self) -> String {
        let q = |s: &str| toml::Value::String(s.to_string()).to_string();
        format!(
            r#"# verbatim configuration for one court's data directory.
# Every key is optional; the values shown are the defaults unless `verbatim init` was told otherwise.

[court]
# Short identifier written into every log entry (A-Z a-z 0-9 . _ -).
id = {id}
# The court's name, for people.
name = {name}
# The log's origin line: the first line of every signed checkpoint, and the name of the
# court's signing key. Verifiers expect exactly this string. No spaces or '+'.
origin = {origin}

[log]
# How often a running recorder publishes a signed checkpoint while entries arrive.
checkpoint_interval_ms = {interval}
"#,
            id = q(&self.court.id),
            name = q(&self.court.name),
            origin = q(&self.court.origin),
            interval = self.log.checkpoint_interval_ms
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_file_parses_back_to_the_same_config() {
        let mut c = Config::default();
        c.court.name = "Бостандыкский районный суд \"Алматы\"".into();
        let back: Config = toml::from_str(&c.to_documented_toml()).unwrap();
        assert_eq!(back, c);
        let empty: Config = toml::from_str("").unwrap();
        assert_eq!(empty, Config::default());
    }

    #[test]
    fn bad_settings_are_named() {
        assert!(toml::from_str::<Config>("[court]\nidd = \"x\"\n").is_err());
        let mut c = Config::default();
        c.court.origin = "has space".into();
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .contains("court.origin"));
        let mut c = Config::default();
        c.court.id = "../x".into();
        assert!(c.validate().unwrap_err().to_string().contains("court.id"));
    }
}
