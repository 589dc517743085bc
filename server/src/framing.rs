//! TCP syslog framing (RFC 6587) on one port: a frame that starts with a digit is octet-counted
//! (`<len> <msg>`), anything else is LF-terminated ("octet stuffing", rsyslog's omfwd default). Oversized
//! frames are skipped whole and reported, never buffered without bound.

use std::ops::Range;

/// Why a frame was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drop {
    Oversized,
}

/// One decoding step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A complete message at this range of the buffer.
    Message(Range<usize>),
    Dropped(Drop),
    /// Bytes consumed without a message (separators, skipped payload).
    Skip,
}

#[derive(Debug)]
pub struct Decoder {
    max: usize,
    /// Bytes still to discard from an oversized octet-counted frame.
    skip: usize,
    /// Discarding an oversized LF frame until its newline.
    discard_line: bool,
}

impl Decoder {
    pub fn new(max: usize) -> Self {
        Self {
            max,
            skip: 0,
            discard_line: false,
        }
    }

    /// Decodes from `buf`; returns the bytes consumed and what they were, or None when more input is needed.
    pub fn next(&mut self, buf: &[u8]) -> Option<(usize, Item)> {
        if buf.is_empty() {
            return None;
        }
        if self.skip > 0 {
            let n = self.skip.min(buf.len());
            self.skip -= n;
            return Some((n, Item::Skip));
        }
        if self.discard_line {
            return match memchr(b'\n', buf) {
                Some(p) => {
                    self.discard_line = false;
                    Some((p + 1, Item::Skip))
                }
                None => Some((buf.len(), Item::Skip)),
            };
        }
        if matches!(buf[0], b'\n' | b'\r' | b'\0' | b' ') {
            let n = buf
                .iter()
                .take_while(|b| matches!(b, b'\n' | b'\r' | b'\0' | b' '))
                .count();
            return Some((n, Item::Skip));
        }
        if buf[0].is_ascii_digit() {
            let digits = buf.iter().take(11).take_while(|b| b.is_ascii_digit()).count();
            match buf.get(digits) {
                None if digits < 11 => return None,
                Some(b' ') if digits <= 10 => {
                    let len: usize = std::str::from_utf8(&buf[..digits]).ok()?.parse().ok()?;
                    let start = digits + 1;
                    if len > self.max {
                        self.skip = len;
                        return Some((start, Item::Dropped(Drop::Oversized)));
                    }
                    if buf.len() < start + len {
                        return None;
                    }
                    return Some((start + len, Item::Message(start..start + len)));
                }
                _ => {} // not an octet count: an LF frame that happens to start with a digit
            }
        }
        match memchr(b'\n', buf) {
            Some(p) if p > self.max => Some((p + 1, Item::Dropped(Drop::Oversized))),
            Some(p) => {
                let end = if p > 0 && buf[p - 1] == b'\r' { p - 1 } else { p };
                Some((p + 1, Item::Message(0..end)))
            }
            None if buf.len() > self.max => {
                self.discard_line = true;
                Some((buf.len(), Item::Dropped(Drop::Oversized)))
            }
            None => None,
        }
    }

    /// At end of stream: a final LF frame without its newline is still a message.
    pub fn finish(&mut self, buf: &[u8]) -> Option<Item> {
        if buf.is_empty() || self.skip > 0 || self.discard_line {
            return None;
        }
        (buf.len() <= self.max).then_some(Item::Message(0..buf.len()))
    }
}

fn memchr(c: u8, b: &[u8]) -> Option<usize> {
    b.iter().position(|&x| x == c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(d: &mut Decoder, input: &[u8]) -> Vec<Result<String, Drop>> {
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some((n, item)) = d.next(&input[pos..]) {
            match item {
                Item::Message(r) => out.push(Ok(String::from_utf8_lossy(&input[pos..][r]).into_owned())),
                Item::Dropped(x) => out.push(Err(x)),
                Item::Skip => {}
            }
            pos += n;
        }
        if let Some(Item::Message(r)) = d.finish(&input[pos..]) {
            out.push(Ok(String::from_utf8_lossy(&input[pos..][r]).into_owned()));
        }
        out
    }

    #[test]
    fn mixed_framing_on_one_stream() {
        let mut d = Decoder::new(100);
        let got = all(&mut d, b"<13>a b\n11 <13>x\ny zzz<14>c\r\n5 hello<15>tail");
        assert_eq!(
            got,
            vec![
                Ok("<13>a b".into()),
                Ok("<13>x\ny zzz".into()),
                Ok("<14>c".into()),
                Ok("hello".into()),
                Ok("<15>tail".into())
            ]
        );
    }

    #[test]
    fn oversized_frames_are_skipped_whole() {
        let mut d = Decoder::new(8);
        let got = all(&mut d, b"20 aaaaaaaaaaaaaaaaaaaa3 abc0123456789xyz\nok\n");
        assert_eq!(
            got,
            vec![
                Err(Drop::Oversized),
                Ok("abc".into()),
                Err(Drop::Oversized),
                Ok("ok".into())
            ]
        );
    }

    #[test]
    fn digit_lines_that_are_not_counts() {
        let mut d = Decoder::new(100);
        let got = all(&mut d, b"1339518083.107412 [0 1.2.3.4:5] \"get\"\n99999999999 x\n");
        assert_eq!(got[0], Ok("1339518083.107412 [0 1.2.3.4:5] \"get\"".into()));
        assert_eq!(got[1], Ok("99999999999 x".into()));
    }

    #[test]
    fn partial_input_waits() {
        let mut d = Decoder::new(100);
        assert_eq!(d.next(b"12 <13>ab"), None);
        assert_eq!(d.next(b"<13>no newline yet"), None);
        assert_eq!(d.next(b"12"), None);
    }
}
