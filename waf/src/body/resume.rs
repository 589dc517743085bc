//! Where the second pass over a body cut short starts, and how a streaming caller finds that start without
//! keeping the bytes before it. A multipart body cut inside a file's content resumes at the next delimiter
//! line, wherever it is: a caller that copied everything from the cut on (up to the inspection limit) held a
//! MiB per upload and parsed it all again, for content that is never inspected.

use memchr::memmem;

/// Where a second pass over the rest of a body cut short must start (see [`crate::extract_body`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyResume {
    pub offset: usize,
    /// Set when the bytes from `offset` on are a file part's content, which is not inspected: the second pass
    /// needs nothing before the first line that starts with this delimiter (`\n--boundary`), and starts at its
    /// `\n` ([`DelimiterSkip`] finds it in a stream).
    pub skip_to: Option<LineDelimiter>,
}

/// A multipart body's delimiter line, `\n--boundary`, with its searcher. The parser builds it once per body and
/// hands it on in the resume point, so a streaming caller does not build it again: building a searcher for a
/// boundary-length needle costs ~2.8k instructions, as much as inspecting a small upload's fields.
#[derive(Debug, Clone)]
pub struct LineDelimiter(memmem::Finder<'static>);

impl LineDelimiter {
    pub fn new(bytes: &[u8]) -> LineDelimiter {
        LineDelimiter(memmem::Finder::new(bytes).into_owned())
    }

    pub fn bytes(&self) -> &[u8] {
        self.0.needle()
    }

    /// Where the delimiter line first starts in `haystack` (at its `\n`).
    pub fn find(&self, haystack: &[u8]) -> Option<usize> {
        self.0.find(haystack)
    }
}

impl PartialEq for LineDelimiter {
    fn eq(&self, other: &LineDelimiter) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Eq for LineDelimiter {}

impl BodyResume {
    pub fn at(offset: usize) -> BodyResume {
        BodyResume { offset, skip_to: None }
    }

    /// True when `late`, what a streaming caller kept from this resume point on, holds nothing a second pass
    /// would inspect, so the caller can skip that pass: the pass resumed in a file's content, and the delimiter
    /// found after it closes the body (`--boundary--`). What follows a closing delimiter is the epilogue, which
    /// is never read as parts.
    pub fn ends_at_close(&self, late: &[u8]) -> bool {
        self.skip_to
            .as_ref()
            .and_then(|delim| late.strip_prefix(delim.bytes()))
            .is_some_and(|rest| rest.starts_with(b"--"))
    }
}

/// Finds a delimiter in a body that arrives in chunks, keeping only the few bytes a delimiter cut by a chunk
/// end can have in the chunks before.
#[derive(Debug)]
pub struct DelimiterSkip {
    delimiter: LineDelimiter,
    /// The last bytes fed (fewer than the delimiter): the start of a delimiter the next chunk may complete.
    carry: Vec<u8>,
}

impl DelimiterSkip {
    pub fn new(delimiter: &LineDelimiter) -> DelimiterSkip {
        DelimiterSkip {
            delimiter: delimiter.clone(),
            carry: Vec::with_capacity(delimiter.bytes().len()),
        }
    }

    /// Feeds the next chunk. `None`: no delimiter yet, the chunk can be dropped. `Some((head, at))`: the
    /// delimiter starts `head.len()` bytes before `chunk[at]`; the bytes from its start on are `head` (held
    /// back from earlier chunks) followed by `chunk[at..]`.
    pub fn feed(&mut self, chunk: &[u8]) -> Option<(Vec<u8>, usize)> {
        let n = self.delimiter.bytes().len();
        if n == 0 {
            return Some((std::mem::take(&mut self.carry), 0));
        }
        // A delimiter that starts in the carried bytes ends within the chunk's first n - 1 bytes.
        if !self.carry.is_empty() {
            let mut joint = self.carry.clone();
            joint.extend_from_slice(&chunk[..chunk.len().min(n - 1)]);
            if let Some(p) = self.delimiter.find(&joint).filter(|&p| p < self.carry.len()) {
                let head = self.carry.split_off(p);
                self.carry.clear();
                return Some((head, 0));
            }
        }
        if let Some(p) = self.delimiter.find(chunk) {
            self.carry.clear();
            return Some((Vec::new(), p));
        }
        // Keep the last n - 1 bytes seen, from the carry and the chunk.
        let keep = n - 1;
        if chunk.len() >= keep {
            self.carry.clear();
            self.carry.extend_from_slice(&chunk[chunk.len() - keep..]);
        } else {
            self.carry.extend_from_slice(chunk);
            let extra = self.carry.len().saturating_sub(keep);
            self.carry.drain(..extra);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Feeds `data` in chunks cut at `cuts`; returns where the delimiter was found and the bytes kept from there.
    fn stream(delim: &[u8], data: &[u8], cuts: &[usize]) -> Option<(usize, Vec<u8>)> {
        let mut s = DelimiterSkip::new(&LineDelimiter::new(delim));
        let mut bounds: Vec<usize> = cuts.iter().map(|&c| c.min(data.len())).collect();
        bounds.push(0);
        bounds.push(data.len());
        bounds.sort_unstable();
        bounds.dedup();
        for w in bounds.windows(2) {
            let chunk = &data[w[0]..w[1]];
            if let Some((head, at)) = s.feed(chunk) {
                let start = w[0] + at - head.len();
                let mut kept = head;
                kept.extend_from_slice(&data[w[0] + at..]);
                return Some((start, kept));
            }
        }
        None
    }

    #[test]
    fn finds_the_delimiter_across_every_chunk_cut() {
        let delim = b"\n--XyZ";
        let data = b"JFIF--XyZ not at a line start\r\n--Xy still content\r\n--XyZ\r\nContent-Disposition: x\r\n\r\nv\r\n--XyZ--";
        let first = memmem::find(data, delim).unwrap();
        for a in 0..=data.len() {
            for b in a..=data.len() {
                let got = stream(delim, data, &[a, b]);
                assert_eq!(got, Some((first, data[first..].to_vec())), "cuts {a}, {b}");
            }
        }
        // Byte by byte.
        let cuts: Vec<usize> = (0..data.len()).collect();
        assert_eq!(stream(delim, data, &cuts).map(|g| g.0), Some(first));
        assert_eq!(stream(delim, b"no delimiter \n--XyQ here", &[3, 15]), None);
    }

    /// The late pass of an upload cut in its file's content: skipped only when the delimiter after the file
    /// closes the body, and then a second pass over it would have found nothing either.
    #[test]
    fn a_close_delimiter_after_the_file_leaves_nothing_to_inspect() {
        let ct = b"multipart/form-data; boundary=b0";
        let head = b"--b0\r\nContent-Disposition: form-data; name=\"up\"; filename=\"a.jpg\"\r\n\r\nJFIF data";
        for (tail, fields) in [
            (&b"\r\n--b0--\r\n"[..], 0),
            (b"\r\n--b0--\r\nepilogue: name=\"x\"\r\n\r\n' or 1=1", 0),
            (
                b"\r\n--b0\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nv\r\n--b0--",
                3,
            ),
            (b"\r\n--b0-x\r\n", 2),
        ] {
            let resume = crate::body::extract(ct, head, true, false, &mut |_| {}).unwrap();
            let body = [&head[..], tail].concat();
            let from = resume.offset + resume.skip_to.as_ref().unwrap().find(&body[resume.offset..]).unwrap();
            let late = &body[from..];
            let mut seen = 0;
            crate::body::extract(ct, late, false, true, &mut |_| seen += 1);
            assert_eq!(seen, fields, "{}", String::from_utf8_lossy(tail));
            assert_eq!(resume.ends_at_close(late), tail.starts_with(b"\r\n--b0--"));
        }
        assert!(!BodyResume::at(0).ends_at_close(b"\n--b0--"));
        let closed = BodyResume {
            offset: 0,
            skip_to: Some(LineDelimiter::new(b"\n--b0")),
        };
        assert!(closed.ends_at_close(b"\n--b0--\r\n") && !closed.ends_at_close(b"\n--b1--"));
    }

    proptest! {
        #[test]
        fn random_streams(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just(&b"\n"[..]), Just(&b"--"[..]), Just(&b"\n-"[..]), Just(&b"-B"[..]), Just(&b"B"[..]),
                    Just(&b"x"[..]), Just(&b"\r"[..]),
                ],
                0..30,
            ),
            cuts in proptest::collection::vec(0usize..60, 0..6),
        ) {
            let data = parts.concat();
            let delim = b"\n--B";
            let want = memmem::find(&data, delim).map(|p| (p, data[p..].to_vec()));
            prop_assert_eq!(stream(delim, &data, &cuts), want);
        }
    }
}
