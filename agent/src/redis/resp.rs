//! RESP (REdis Serialization Protocol, v2) framing: an incremental parser that says "need more bytes" instead of
//! assuming a read holds a whole frame, and the encoder for commands.

use thiserror::Error;

/// Longest RESP line or bulk string accepted; a peer sending more is cut off.
const MAX_FRAME: usize = 16 * 1024 * 1024;
const MAX_DEPTH: usize = 8;

/// A RESP value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Simple(Vec<u8>),
    Error(Vec<u8>),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Value>>),
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum RespError {
    #[error("protocol error: {0}")]
    Protocol(String),
}

fn find_crlf(b: &[u8]) -> Option<usize> {
    b.windows(2).position(|w| w == b"\r\n")
}

fn int_of(b: &[u8]) -> Result<i64, RespError> {
    std::str::from_utf8(b)
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| RespError::Protocol(format!("bad integer {:?}", String::from_utf8_lossy(b))))
}

/// Parses one value from the start of `b`: `Ok(None)` if more bytes are needed, else the value and its length.
pub fn parse(b: &[u8]) -> Result<Option<(Value, usize)>, RespError> {
    parse_at(b, 0)
}

fn parse_at(b: &[u8], depth: usize) -> Result<Option<(Value, usize)>, RespError> {
    if depth > MAX_DEPTH {
        return Err(RespError::Protocol("nesting too deep".into()));
    }
    let Some(&t) = b.first() else { return Ok(None) };
    let Some(e) = find_crlf(&b[1..]) else {
        if b.len() > MAX_FRAME {
            return Err(RespError::Protocol("line too long".into()));
        }
        return Ok(None);
    };
    let line = &b[1..1 + e];
    let after = 1 + e + 2;
    match t {
        b'+' => Ok(Some((Value::Simple(line.to_vec()), after))),
        b'-' => Ok(Some((Value::Error(line.to_vec()), after))),
        b':' => Ok(Some((Value::Int(int_of(line)?), after))),
        b'$' => {
            let n = int_of(line)?;
            if n < 0 {
                return Ok(Some((Value::Bulk(None), after)));
            }
            let n = n as usize;
            if n > MAX_FRAME {
                return Err(RespError::Protocol("bulk string too long".into()));
            }
            if b.len() < after + n + 2 {
                return Ok(None);
            }
            if &b[after + n..after + n + 2] != b"\r\n" {
                return Err(RespError::Protocol("bulk string not terminated by CRLF".into()));
            }
            Ok(Some((Value::Bulk(Some(b[after..after + n].to_vec())), after + n + 2)))
        }
        b'*' => {
            let n = int_of(line)?;
            if n < 0 {
                return Ok(Some((Value::Array(None), after)));
            }
            if n as usize > MAX_FRAME {
                return Err(RespError::Protocol("array too long".into()));
            }
            let mut items = Vec::new();
            let mut at = after;
            for _ in 0..n {
                match parse_at(&b[at..], depth + 1)? {
                    Some((v, used)) => {
                        items.push(v);
                        at += used;
                    }
                    None => return Ok(None),
                }
            }
            Ok(Some((Value::Array(Some(items)), at)))
        }
        other => Err(RespError::Protocol(format!("unexpected type byte 0x{other:02x}"))),
    }
}

/// Encodes a command as a RESP array of bulk strings.
pub fn command(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_type_incrementally() {
        let wire = b"+OK\r\n-ERR no\r\n:42\r\n$5\r\nhe\r\nl\r\n$-1\r\n*2\r\n$1\r\na\r\n:1\r\n*-1\r\n";
        let mut vals = Vec::new();
        let mut at = 0;
        // Feed byte by byte: every prefix must be "need more" or a whole value.
        let mut end = 1;
        while at < wire.len() {
            match parse(&wire[at..end]).unwrap() {
                Some((v, used)) => {
                    vals.push(v);
                    at += used;
                }
                None => end += 1,
            }
            end = end.max(at + 1).min(wire.len());
        }
        assert_eq!(
            vals,
            vec![
                Value::Simple(b"OK".to_vec()),
                Value::Error(b"ERR no".to_vec()),
                Value::Int(42),
                Value::Bulk(Some(b"he\r\nl".to_vec())),
                Value::Bulk(None),
                Value::Array(Some(vec![Value::Bulk(Some(b"a".to_vec())), Value::Int(1)])),
                Value::Array(None),
            ]
        );
    }

    #[test]
    fn monitor_line_with_spaces_and_escapes_is_one_frame() {
        let wire = b"+1339518083.107412 [0 127.0.0.1:60866] \"set\" \"a b\" \"\\x00\\r\\n\"\r\n+x";
        let (v, used) = parse(wire).unwrap().unwrap();
        assert_eq!(
            v,
            Value::Simple(br#"1339518083.107412 [0 127.0.0.1:60866] "set" "a b" "\x00\r\n""#.to_vec())
        );
        assert_eq!(parse(&wire[used..]).unwrap(), None);
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        assert!(parse(b"?what\r\n").is_err());
        assert!(parse(b"$abc\r\n").is_err());
        assert!(parse(b"$3\r\nabcXY").is_err());
        assert!(parse(b"$99999999999\r\n").is_err());
        let deep = "*1\r\n".repeat(20);
        assert!(parse(deep.as_bytes()).is_err());
        assert_eq!(command(&[b"AUTH", b"pw"]), b"*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n");
    }
}
