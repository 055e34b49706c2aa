//! Transcribing a hearing.
//!
//! Sealed microphone segments → 16 kHz audio per mic ([`audio`]) → voice activity and level
//! per 16 ms frame ([`vad`]) → utterances attributed to the mic that carries them, robust to
//! bleed, overlaps kept ([`segment`]) → Whisper through CTranslate2, language chosen per
//! utterance between Kazakh and Russian, with loop and hallucination guards ([`whisper`]) →
//! utterances of the transcript model (`verbatim-transcript`) with word times on the media
//! clock. [`engine`] runs this incrementally while a hearing records, and resumes after a
//! restart without redoing finished work.

pub mod audio;
pub mod engine;
pub mod features;
pub mod plain;
pub mod segment;
pub mod vad;
pub mod whisper;

pub use whisper::{
    AsrError, LangChoice, Recognised, Recognizer, Whisper, WhisperConfig, DEFAULT_ENCODER_PAD,
};
