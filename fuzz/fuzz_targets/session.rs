//! (d) The session loader on arbitrary bytes and on mutated valid sessions (the seed corpus holds
//! saved sessions): never a panic; a session it accepts writes back to JSON that it reads to the
//! same settings.
#![no_main]
use lambdascope::settings::Settings;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(s) = Settings::parse(text) else { return };
    let again = Settings::parse(&s.to_json()).unwrap_or_else(|e| panic!("a session it accepted does not read back: {e}"));
    assert_eq!(s, again, "a session does not round-trip");
    // what the window builds from it must be valid input or a clear error, never a panic
    let _ = s.spec().validate();
});
