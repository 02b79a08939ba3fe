//! The gzip writer of packed layers (RFC 1952 over flate2's raw deflate on zlib-rs) whose
//! compression level can change between tar entries: files whose bytes do not compress
//! (published assemblies, images, archives, already-compressed data) are stored in deflate's
//! uncompressed blocks at memory speed, everything else is compressed at the default level.
//! The output is one ordinary gzip member that every gzip reader accepts; the choice depends
//! only on the bytes, so a layer stays reproducible.

use std::io::{self, Write};

use flate2::{Compress, Compression, FlushCompress, Status};

/// How many bytes of a file [`looks_incompressible`] tries.
pub const SAMPLE_BYTES: usize = 64 * 1024;

/// Whether `sample` (the start of a file) saves less than 3 % at gzip's fastest level: its
/// file is then stored rather than compressed (the saving would not pay for the time).
pub fn looks_incompressible(sample: &[u8]) -> bool {
    if sample.len() < 4096 {
        return false;
    }
    let mut c = Compress::new(Compression::fast(), false);
    let mut out = Vec::with_capacity(sample.len() + 1024);
    if c.compress_vec(sample, &mut out, FlushCompress::Finish)
        .is_err()
    {
        return false;
    }
    out.len() as f64 >= sample.len() as f64 * 0.97
}

/// A gzip stream into `inner` whose parts are compressed or stored ([`GzipWriter::set_stored`]).
///
/// Stored parts are written as deflate's uncompressed blocks (RFC 1951 §3.2.4) by this writer
/// itself, after a sync flush of the compressor has byte-aligned the stream; the compressor is
/// reset afterwards, so its later blocks never refer back past the stored bytes.
pub struct GzipWriter<W: Write> {
    inner: W,
    deflate: Compress,
    crc: crc32fast::Hasher,
    size: u64,
    buf: Vec<u8>,
    started: bool,
    /// Bytes of the stored block being filled, when storing.
    stored: Option<Vec<u8>>,
}

/// The fixed gzip header: magic, deflate, no flags, mtime 0 (reproducible), no extra flags,
/// OS "unknown" (as Go's compress/gzip writes it).
const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];

/// The largest stored block's payload.
const STORED_MAX: usize = 65_535;

impl<W: Write> GzipWriter<W> {
    /// A writer compressing at `level`; the header is written with the first bytes.
    pub fn new(inner: W, level: Compression) -> GzipWriter<W> {
        GzipWriter {
            inner,
            deflate: Compress::new(level, false),
            crc: crc32fast::Hasher::new(),
            size: 0,
            buf: Vec::with_capacity(128 * 1024),
            started: false,
            stored: None,
        }
    }

    fn header(&mut self) -> io::Result<()> {
        if !self.started {
            self.inner.write_all(&HEADER)?;
            self.started = true;
        }
        Ok(())
    }

    /// Runs the compressor over `input` with `flush`, writing what it produces; returns once
    /// all of `input` is consumed (and, for a flush, all output is drained).
    fn run(&mut self, mut input: &[u8], flush: FlushCompress) -> io::Result<()> {
        self.header()?;
        loop {
            self.buf.clear();
            let before_in = self.deflate.total_in();
            let status = self
                .deflate
                .compress_vec(input, &mut self.buf, flush)
                .map_err(io::Error::other)?;
            let used = (self.deflate.total_in() - before_in) as usize;
            input = &input[used..];
            self.inner.write_all(&self.buf)?;
            if status == Status::StreamEnd {
                return Ok(());
            }
            let full = self.buf.len() == self.buf.capacity();
            if input.is_empty() && !full && !matches!(flush, FlushCompress::Finish) {
                return Ok(());
            }
        }
    }

    /// Writes `data` as one non-final stored block (the stream is byte-aligned here).
    fn stored_block(&mut self, data: &[u8]) -> io::Result<()> {
        let len = data.len() as u16;
        let mut head = [0u8; 5];
        head[1..3].copy_from_slice(&len.to_le_bytes());
        head[3..5].copy_from_slice(&(!len).to_le_bytes());
        self.inner.write_all(&head)?;
        self.inner.write_all(data)
    }

    /// Stores (`true`) or compresses (`false`) what is written next. No-op when unchanged.
    pub fn set_stored(&mut self, store: bool) -> io::Result<()> {
        match (&self.stored, store) {
            (None, true) => {
                // Byte-align: the sync flush ends with an empty stored block.
                self.run(&[], FlushCompress::Sync)?;
                self.stored = Some(Vec::with_capacity(STORED_MAX));
            }
            (Some(_), false) => {
                let pending = self.stored.take().expect("storing");
                if !pending.is_empty() {
                    self.stored_block(&pending)?;
                }
                self.deflate.reset();
            }
            _ => {}
        }
        Ok(())
    }

    /// Ends the stream (a final block, then CRC-32 and size) and returns `inner`.
    pub fn finish(mut self) -> io::Result<W> {
        self.set_stored(false)?;
        self.run(&[], FlushCompress::Finish)?;
        let crc = self.crc.clone().finalize();
        self.inner.write_all(&crc.to_le_bytes())?;
        self.inner.write_all(&(self.size as u32).to_le_bytes())?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for GzipWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match self.stored.take() {
            None => self.run(data, FlushCompress::None)?,
            Some(mut pending) => {
                let mut rest = data;
                while !rest.is_empty() {
                    let n = (STORED_MAX - pending.len()).min(rest.len());
                    pending.extend_from_slice(&rest[..n]);
                    rest = &rest[n..];
                    if pending.len() == STORED_MAX {
                        let r = self.stored_block(&pending);
                        pending.clear();
                        if let Err(e) = r {
                            self.stored = Some(pending);
                            return Err(e);
                        }
                    }
                }
                self.stored = Some(pending);
            }
        }
        self.crc.update(data);
        self.size += data.len() as u64;
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(b: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(b)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    fn noise(n: usize) -> Vec<u8> {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn level_changes_between_parts_give_one_valid_member_with_the_same_bytes() {
        let text = b"hello layer, hello layer, hello layer\n".repeat(5000);
        let rand = noise(300_000);
        let mut w = GzipWriter::new(Vec::new(), Compression::default());
        w.write_all(&text).unwrap();
        w.set_stored(true).unwrap();
        w.write_all(&rand).unwrap();
        w.set_stored(false).unwrap();
        w.write_all(&text).unwrap();
        let out = w.finish().unwrap();
        let mut want = text.clone();
        want.extend_from_slice(&rand);
        want.extend_from_slice(&text);
        assert_eq!(gunzip(&out), want);
        // Stored noise costs a few bytes per 64 KiB block; the text still compresses.
        assert!(out.len() < rand.len() + 20_000, "{}", out.len());
        // The same input gives the same bytes (reproducible layers).
        let mut w2 = GzipWriter::new(Vec::new(), Compression::default());
        w2.write_all(&text).unwrap();
        w2.set_stored(true).unwrap();
        w2.write_all(&rand).unwrap();
        w2.set_stored(false).unwrap();
        w2.write_all(&text).unwrap();
        assert_eq!(w2.finish().unwrap(), out);
        // Ending while storing, and storing first, are valid too.
        let mut w3 = GzipWriter::new(Vec::new(), Compression::default());
        w3.set_stored(true).unwrap();
        w3.write_all(&rand[..70_000]).unwrap();
        assert_eq!(gunzip(&w3.finish().unwrap()), &rand[..70_000]);
    }

    #[test]
    fn empty_stream_and_the_incompressibility_guess() {
        let out = GzipWriter::new(Vec::new(), Compression::default())
            .finish()
            .unwrap();
        assert_eq!(gunzip(&out), b"");
        assert!(looks_incompressible(&noise(SAMPLE_BYTES)));
        assert!(!looks_incompressible(&b"abc".repeat(30_000)));
        assert!(
            !looks_incompressible(&noise(100)),
            "small samples are compressed"
        );
    }
}
