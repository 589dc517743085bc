//! Time stamps at the start of syslog headers and service log lines, to unix seconds. Zone-less stamps are
//! taken as UTC; year-less RFC 3164 stamps get the year that puts them closest before `now`.

/// Which format a leading time stamp had; only the syslog ones are followed by `HOST TAG:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `Mmm dd hh:mm:ss` (RFC 3164).
    Bsd,
    /// `YYYY-MM-DD[T ]hh:mm:ss[.frac][zone]`.
    Iso,
    /// `Www Mmm dd hh:mm:ss YYYY` (vsftpd.log, xferlog).
    Ctime,
    /// `YYYY/MM/DD hh:mm:ss` (rsyncd.log).
    Slash,
    /// `YYMMDD hh:mm:ss` (MySQL 5.x error and general log).
    MysqlShort,
    /// `1339518083.107412` (Redis MONITOR).
    Unix,
}

impl Kind {
    pub fn is_syslog_header(self) -> bool {
        matches!(self, Kind::Bsd | Kind::Iso)
    }
}

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];
const DAYS: [&[u8; 3]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Year of a unix time.
pub fn year_of(t: f64) -> i64 {
    let days = (t / 86_400.0).floor() as i64;
    // Inverse of days_from_civil, year part only.
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    yoe + era * 400 + i64::from(m <= 2)
}

struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cur<'a> {
    fn num(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.i;
        let mut v: u32 = 0;
        while self.i < self.b.len() && self.i - start < max && self.b[self.i].is_ascii_digit() {
            v = v * 10 + u32::from(self.b[self.i] - b'0');
            self.i += 1;
        }
        (self.i - start >= min).then_some(v)
    }
    fn lit(&mut self, c: u8) -> Option<()> {
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }
    fn spaces(&mut self, min: usize) -> Option<()> {
        let start = self.i;
        while self.b.get(self.i) == Some(&b' ') {
            self.i += 1;
        }
        (self.i - start >= min).then_some(())
    }
    fn word3(&mut self, table: &[&[u8; 3]]) -> Option<u32> {
        let w = self.b.get(self.i..self.i + 3)?;
        let pos = table.iter().position(|m| m.as_slice() == w)?;
        self.i += 3;
        Some(pos as u32 + 1)
    }
    fn hms(&mut self) -> Option<f64> {
        let h = self.num(1, 2)?;
        self.lit(b':')?;
        let m = self.num(2, 2)?;
        self.lit(b':')?;
        let s = self.num(2, 2)?;
        if h > 23 || m > 59 || s > 60 {
            return None;
        }
        Some(f64::from(h * 3600 + m * 60 + s) + self.frac())
    }
    fn frac(&mut self) -> f64 {
        if matches!(self.b.get(self.i), Some(b'.') | Some(b','))
            && self.b.get(self.i + 1).is_some_and(u8::is_ascii_digit)
        {
            self.i += 1;
            let start = self.i;
            let mut v = 0f64;
            let mut scale = 1f64;
            while self.i < self.b.len() && self.b[self.i].is_ascii_digit() {
                if self.i - start < 9 {
                    v = v * 10.0 + f64::from(self.b[self.i] - b'0');
                    scale *= 10.0;
                }
                self.i += 1;
            }
            return v / scale;
        }
        0.0
    }
    /// `Z`, `+hh:mm`, `+hhmm`; returns the offset in seconds to subtract.
    fn zone(&mut self) -> f64 {
        match self.b.get(self.i) {
            Some(b'Z') => {
                self.i += 1;
                0.0
            }
            Some(&c @ (b'+' | b'-')) => {
                let save = self.i;
                self.i += 1;
                let Some(h) = self.num(2, 2) else {
                    self.i = save;
                    return 0.0;
                };
                let _ = self.lit(b':');
                let m = self.num(2, 2).unwrap_or(0);
                let off = f64::from(h * 3600 + m * 60);
                if c == b'-' {
                    -off
                } else {
                    off
                }
            }
            _ => 0.0,
        }
    }
    /// The stamp must end the token: end of text or a space (or `:` for a few journal forms).
    fn ends(&self) -> bool {
        matches!(self.b.get(self.i), None | Some(b' ') | Some(b'\t'))
    }
}

fn valid_date(m: u32, d: u32) -> bool {
    (1..=12).contains(&m) && (1..=31).contains(&d)
}

fn at(y: i64, mo: u32, d: u32, secs: f64) -> f64 {
    days_from_civil(y, mo, d) as f64 * 86_400.0 + secs
}

/// RFC 3339 (the RFC 5424 TIMESTAMP field).
pub fn parse_rfc3339(s: &str) -> Option<f64> {
    match leading(s, 0.0) {
        Some((t, "", Kind::Iso)) => Some(t),
        _ => None,
    }
}

/// Recognises a time stamp at the start of `s`; returns it, the text after it, and its kind.
pub fn leading(s: &str, now: f64) -> Option<(f64, &str, Kind)> {
    let b = s.as_bytes();
    let first = *b.first()?;
    let r = if first.is_ascii_digit() {
        iso(b)
            .or_else(|| slash(b))
            .or_else(|| mysql_short(b))
            .or_else(|| unix(b))
    } else if first.is_ascii_uppercase() {
        bsd(b, now).or_else(|| ctime(b))
    } else {
        None
    }?;
    Some((r.0, &s[r.1..], r.2))
}

fn iso(b: &[u8]) -> Option<(f64, usize, Kind)> {
    let mut c = Cur { b, i: 0 };
    let y = c.num(4, 4)?;
    c.lit(b'-')?;
    let mo = c.num(2, 2)?;
    c.lit(b'-')?;
    let d = c.num(2, 2)?;
    if !valid_date(mo, d) {
        return None;
    }
    if c.lit(b'T').is_none() {
        c.spaces(1)?;
    }
    let secs = c.hms()?;
    let off = c.zone();
    c.ends().then(|| (at(i64::from(y), mo, d, secs) - off, c.i, Kind::Iso))
}

fn slash(b: &[u8]) -> Option<(f64, usize, Kind)> {
    let mut c = Cur { b, i: 0 };
    let y = c.num(4, 4)?;
    c.lit(b'/')?;
    let mo = c.num(2, 2)?;
    c.lit(b'/')?;
    let d = c.num(2, 2)?;
    c.spaces(1)?;
    let secs = c.hms()?;
    (valid_date(mo, d) && c.ends()).then(|| (at(i64::from(y), mo, d, secs), c.i, Kind::Slash))
}

fn mysql_short(b: &[u8]) -> Option<(f64, usize, Kind)> {
    let mut c = Cur { b, i: 0 };
    let ymd = c.num(6, 6)?;
    c.spaces(1)?;
    let secs = c.hms()?;
    let (y, mo, d) = (2000 + ymd / 10_000, ymd / 100 % 100, ymd % 100);
    (valid_date(mo, d) && c.ends()).then(|| (at(i64::from(y), mo, d, secs), c.i, Kind::MysqlShort))
}

fn unix(b: &[u8]) -> Option<(f64, usize, Kind)> {
    let mut c = Cur { b, i: 0 };
    let secs = c.num(9, 11)?;
    let frac = c.frac();
    (c.ends() && c.i > 0).then(|| (f64::from(secs) + frac, c.i, Kind::Unix))
}

fn bsd(b: &[u8], now: f64) -> Option<(f64, usize, Kind)> {
    let mut c = Cur { b, i: 0 };
    let mo = c.word3(&MONTHS)?;
    c.spaces(1)?;
    let d = c.num(1, 2)?;
    c.spaces(1)?;
    let secs = c.hms()?;
    if !valid_date(mo, d) || !c.ends() {
        return None;
    }
    // Some senders add the year after the time.
    let save = c.i;
    let mut year = None;
    if c.spaces(1).is_some() {
        if let Some(y) = c.num(4, 4) {
            if c.ends() && (1970..=2200).contains(&y) {
                year = Some(i64::from(y));
            }
        }
    }
    if year.is_none() {
        c.i = save;
    }
    let t = match year {
        Some(y) => at(y, mo, d, secs),
        None => {
            let y = year_of(now);
            let t = at(y, mo, d, secs);
            if t > now + 2.0 * 86_400.0 {
                at(y - 1, mo, d, secs)
            } else {
                t
            }
        }
    };
    Some((t, c.i, Kind::Bsd))
}

fn ctime(b: &[u8]) -> Option<(f64, usize, Kind)> {
    let mut c = Cur { b, i: 0 };
    c.word3(&DAYS)?;
    c.spaces(1)?;
    let mo = c.word3(&MONTHS)?;
    c.spaces(1)?;
    let d = c.num(1, 2)?;
    c.spaces(1)?;
    let secs = c.hms()?;
    c.spaces(1)?;
    let y = c.num(4, 4)?;
    (valid_date(mo, d) && c.ends()).then(|| (at(i64::from(y), mo, d, secs), c.i, Kind::Ctime))
}
