//! Signing and verifying the `diorama-signature` header.

use super::*;

#[test]
fn sign_verify_round_trip() {
    let body = br#"{"event_id":"1-1"}"#;
    let header = sign(b"k", 1_700_000_000, body);
    assert!(header.starts_with("t=1700000000,v1="), "{header}");
    assert_eq!(header.len(), "t=1700000000,v1=".len() + 64);
    assert_eq!(verify(b"k", &header, body, 1_700_000_010, 300), Ok(()));
    // Deterministic: the same input signs the same.
    assert_eq!(header, sign(b"k", 1_700_000_000, body));

    let tampered = verify(b"k", &header, br#"{"event_id":"1-2"}"#, 1_700_000_010, 300);
    assert!(tampered
        .unwrap_err()
        .to_string()
        .contains("no v1 signature matches the body"));
    let wrong_secret = verify(b"other", &header, body, 1_700_000_010, 300);
    assert!(wrong_secret
        .unwrap_err()
        .to_string()
        .contains("secret is wrong"));
    let old = verify(b"k", &header, body, 1_700_001_000, 300)
        .unwrap_err()
        .to_string();
    assert!(old.contains("is 1000 s old"), "{old}");
    let future = verify(b"k", &header, body, 1_699_999_000, 300)
        .unwrap_err()
        .to_string();
    assert!(future.contains("in the future"), "{future}");
    // A signature made for another timestamp does not verify with this one.
    let moved = header.replace("t=1700000000", "t=1700000001");
    assert!(verify(b"k", &moved, body, 1_700_000_010, 300).is_err());
    assert!(verify(b"k", "v1=00", body, 0, 300)
        .unwrap_err()
        .to_string()
        .contains("no timestamp"));
    assert!(verify(b"k", "t=5", body, 5, 300)
        .unwrap_err()
        .to_string()
        .contains("no v1 signature"));
    assert!(verify(b"k", "garbage", body, 5, 300)
        .unwrap_err()
        .to_string()
        .contains("not a name=value pair"));
}

#[test]
fn platform_schemes_sign_as_declared() {
    use diorama_sdk::{HmacAlgorithm, SignatureScheme, SignedContent};
    let body = b"The quick brown fox jumps over the lazy dog";
    let scheme = |header: &str, algorithm, content, value: &str| SignatureScheme {
        header: header.into(),
        algorithm,
        content,
        value: value.into(),
    };
    // The published HMAC test values for this key and message.
    let meta = scheme(
        "x-hub-signature-256",
        HmacAlgorithm::Sha256,
        SignedContent::Body,
        "sha256={hex}",
    );
    assert_eq!(
        crate::webhook::sign_as(&meta, b"key", 1_700_000_000, body),
        (
            "x-hub-signature-256".to_string(),
            "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8".to_string()
        )
    );
    let websub = scheme(
        "x-hub-signature",
        HmacAlgorithm::Sha1,
        SignedContent::Body,
        "sha1={hex}",
    );
    assert_eq!(
        crate::webhook::sign_as(&websub, b"key", 0, body).1,
        "sha1=de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9"
    );
    let tiktok = scheme(
        "tiktok-signature",
        HmacAlgorithm::Sha256,
        SignedContent::TimestampDotBody,
        "t={t},s={hex}",
    );
    assert_eq!(
        crate::webhook::sign_as(&tiktok, b"key", 1_700_000_000, body).1,
        "t=1700000000,s=2f658d6aef4f246e91cd741bbcded7479e9605f9d41c9e248122a117e0e1765b"
    );
}
