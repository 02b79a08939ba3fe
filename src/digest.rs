//! Content digests (OCI image spec, "Digests"): parsing, hashing, and a verifying reader.

use std::fmt;
use std::pin::Pin;
use std::str::FromStr;
use std::task::{Context as TaskContext, Poll};

use sha2::{Digest as _, Sha256, Sha512};
use tokio::io::{AsyncRead, ReadBuf};

use crate::error::{Error, Result};

/// A digest algorithm registered by the OCI image spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    /// `sha256`, 64 lowercase hex characters.
    Sha256,
    /// `sha512`, 128 lowercase hex characters.
    Sha512,
}

impl Algorithm {
    /// The algorithm's name as written in a digest (`sha256`).
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }
    fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
        }
    }
}

/// A validated content digest `algorithm:hex`, e.g. `sha256:e3b0…`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    algorithm: Algorithm,
    hex: String,
}

impl Digest {
    /// The digest's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
    /// The lowercase hex encoding (the part after `:`).
    pub fn hex(&self) -> &str {
        &self.hex
    }
    /// The sha256 digest of `data`.
    pub fn sha256_of(data: &[u8]) -> Digest {
        Digest {
            algorithm: Algorithm::Sha256,
            hex: hex::encode(Sha256::digest(data)),
        }
    }
    /// The digest of `data` with this digest's algorithm.
    pub fn same_algorithm_of(&self, data: &[u8]) -> Digest {
        let mut h = Hasher::new(self.algorithm);
        h.update(data);
        h.finish()
    }
    /// Errors with [`crate::error::ErrorKind::Integrity`] unless `data` hashes to this digest.
    pub fn verify(&self, data: &[u8]) -> Result<()> {
        let got = self.same_algorithm_of(data);
        if &got != self {
            return Err(Error::integrity(format!(
                "digest mismatch: expected {self}, content hashes to {got}"
            )));
        }
        Ok(())
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.as_str(), self.hex)
    }
}

impl FromStr for Digest {
    type Err = Error;
    /// Parses `sha256:<64 hex>` or `sha512:<128 hex>` (lowercase hex only, as the spec requires).
    fn from_str(s: &str) -> Result<Self> {
        let (alg, hex) = s
            .split_once(':')
            .ok_or_else(|| Error::usage(format!("invalid digest {s:?}: expected ALGORITHM:HEX")))?;
        let algorithm = match alg {
            "sha256" => Algorithm::Sha256,
            "sha512" => Algorithm::Sha512,
            _ => {
                return Err(Error::usage(format!(
                    "invalid digest {s:?}: unsupported algorithm {alg:?}"
                )));
            }
        };
        if hex.len() != algorithm.hex_len()
            || !hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(Error::usage(format!(
                "invalid digest {s:?}: expected {} lowercase hex characters",
                algorithm.hex_len()
            )));
        }
        Ok(Digest {
            algorithm,
            hex: hex.to_string(),
        })
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// An incremental hasher for one [`Algorithm`].
#[derive(Clone)]
pub enum Hasher {
    /// sha256 state.
    Sha256(Sha256),
    /// sha512 state.
    Sha512(Sha512),
}

impl Hasher {
    /// A fresh hasher for `algorithm`.
    pub fn new(algorithm: Algorithm) -> Self {
        match algorithm {
            Algorithm::Sha256 => Hasher::Sha256(Sha256::new()),
            Algorithm::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }
    /// Feeds bytes.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }
    /// The digest of everything fed.
    pub fn finish(self) -> Digest {
        match self {
            Hasher::Sha256(h) => Digest {
                algorithm: Algorithm::Sha256,
                hex: hex::encode(h.finalize()),
            },
            Hasher::Sha512(h) => Digest {
                algorithm: Algorithm::Sha512,
                hex: hex::encode(h.finalize()),
            },
        }
    }
}

/// An [`AsyncRead`] that hashes what passes through and, at end of stream, fails with an
/// `InvalidData` I/O error (wrapping an Integrity [`Error`]) unless the bytes read match the
/// expected digest and size (bytes). Never yields EOF for content that does not verify.
pub struct VerifyingReader<R> {
    inner: R,
    hasher: Option<Hasher>,
    expected: Digest,
    expected_size: Option<u64>,
    read: u64,
}

impl<R> VerifyingReader<R> {
    /// Wraps `inner`, which must yield the content named by `expected` from byte 0; or, with
    /// [`VerifyingReader::resume`], from a prefix already hashed.
    pub fn new(inner: R, expected: Digest, expected_size: Option<u64>) -> Self {
        let hasher = Some(Hasher::new(expected.algorithm()));
        VerifyingReader {
            inner,
            hasher,
            expected,
            expected_size,
            read: 0,
        }
    }
    /// Like [`VerifyingReader::new`] but starting from `prefix_state` after `prefix_len` bytes.
    pub fn resume(
        inner: R,
        expected: Digest,
        expected_size: Option<u64>,
        prefix_state: Hasher,
        prefix_len: u64,
    ) -> Self {
        VerifyingReader {
            inner,
            hasher: Some(prefix_state),
            expected,
            expected_size,
            read: prefix_len,
        }
    }
}

fn integrity_io(msg: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, Error::integrity(msg))
}

impl<R: AsyncRead + Unpin> AsyncRead for VerifyingReader<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let new = &buf.filled()[before..];
                if new.is_empty() {
                    // End of stream: verify.
                    if let Some(h) = this.hasher.take() {
                        if let Some(size) = this.expected_size
                            && this.read != size
                        {
                            return Poll::Ready(Err(integrity_io(format!(
                                "size mismatch for {}: expected {size} bytes, got {}",
                                this.expected, this.read
                            ))));
                        }
                        let got = h.finish();
                        if got != this.expected {
                            return Poll::Ready(Err(integrity_io(format!(
                                "digest mismatch: expected {}, content hashes to {got}",
                                this.expected
                            ))));
                        }
                    }
                    return Poll::Ready(Ok(()));
                }
                this.read += new.len() as u64;
                if let Some(size) = this.expected_size
                    && this.read > size
                {
                    return Poll::Ready(Err(integrity_io(format!(
                        "size mismatch for {}: more than the expected {size} bytes",
                        this.expected
                    ))));
                }
                if let Some(h) = this.hasher.as_mut() {
                    h.update(new);
                }
                Poll::Ready(Ok(()))
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[test]
    fn parses_and_rejects() {
        let d: Digest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            .parse()
            .unwrap();
        assert_eq!(d, Digest::sha256_of(b""));
        assert!("sha256:E3B0".parse::<Digest>().is_err());
        assert!("md5:abcd".parse::<Digest>().is_err());
        assert!("nocolon".parse::<Digest>().is_err());
    }

    #[tokio::test]
    async fn verifying_reader_rejects_mismatch() {
        let good = Digest::sha256_of(b"hello");
        let mut out = Vec::new();
        VerifyingReader::new(&b"hello"[..], good.clone(), Some(5))
            .read_to_end(&mut out)
            .await
            .unwrap();
        assert_eq!(out, b"hello");
        let err = VerifyingReader::new(&b"hellx"[..], good.clone(), Some(5))
            .read_to_end(&mut Vec::new())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        let err = VerifyingReader::new(&b"hell"[..], good, Some(5))
            .read_to_end(&mut Vec::new())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("size mismatch"));
    }
}
