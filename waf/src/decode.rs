//! Byte-level decoders behind the rule transforms. Each returns `None` when the input needs no change, so the
//! common case (plain ASCII values) allocates nothing. All run in one pass, linear time, bounded output.

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn push_char(out: &mut Vec<u8>, cp: u32) {
    match char::from_u32(cp) {
        Some(c) => {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        None => out.push(b'?'),
    }
}

/// One round of URL decoding: `%XX`, `%uXXXX` (IIS), and `+` as space when `plus` is set.
pub fn url_decode_once(input: &[u8], plus: bool) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    url_decode_into(input, plus, &mut out).then_some(out)
}

/// [`url_decode_once`] into `out` (replacing what it held), so a caller decoding many values reuses one buffer.
/// Returns false, leaving `out` alone, when `input` holds nothing to decode.
pub fn url_decode_into(input: &[u8], plus: bool, out: &mut Vec<u8>) -> bool {
    // The next escape at or after `from`. Escapes come a few bytes apart in escaped values and query strings,
    // where `memchr`'s set-up per call cost more than the search: the next 32 bytes are looked at one by one.
    let escape = |from: usize| {
        let rest = &input[from..];
        let near = &rest[..rest.len().min(32)];
        match near.iter().position(|&b| b == b'%' || (plus && b == b'+')) {
            Some(p) => Some(p),
            None if near.len() == rest.len() => None,
            None if plus => memchr::memchr2(b'%', b'+', &rest[32..]).map(|p| p + 32),
            None => memchr::memchr(b'%', &rest[32..]).map(|p| p + 32),
        }
    };
    let Some(first) = escape(0) else {
        return false;
    };
    out.clear();
    out.reserve(input.len());
    out.extend_from_slice(&input[..first]);
    let mut i = first;
    while i < input.len() {
        // Copy the text up to the next escape in one slice: most of a value is not escaped.
        let Some(n) = escape(i) else {
            out.extend_from_slice(&input[i..]);
            break;
        };
        out.extend_from_slice(&input[i..i + n]);
        i += n;
        let b = input[i];
        if b == b'%' {
            if i + 2 < input.len() {
                if let (Some(h), Some(l)) = (hex(input[i + 1]), hex(input[i + 2])) {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
            }
            if i + 5 < input.len() && (input[i + 1] == b'u' || input[i + 1] == b'U') {
                let digits = &input[i + 2..i + 6];
                if digits.iter().all(|&d| hex(d).is_some()) {
                    let cp = digits
                        .iter()
                        .fold(0u32, |acc, &d| acc << 4 | u32::from(hex(d).unwrap_or(0)));
                    // Full-width ASCII (U+FF01..U+FF5E) maps to ASCII, as IIS does.
                    let cp = if (0xff01..=0xff5e).contains(&cp) {
                        cp - 0xfee0
                    } else {
                        cp
                    };
                    push_char(out, cp);
                    i += 6;
                    continue;
                }
            }
            out.push(b);
        } else if plus && b == b'+' {
            out.push(b' ');
        } else {
            out.push(b);
        }
        i += 1;
    }
    true
}

/// URL-decodes repeatedly until the value stops changing, at most `rounds` times (defeats double encoding).
pub fn url_decode_repeat(input: &[u8], rounds: usize) -> Option<Vec<u8>> {
    let mut cur = url_decode_once(input, false)?;
    for _ in 1..rounds {
        match url_decode_once(&cur, false) {
            Some(next) if next != cur => cur = next,
            _ => break,
        }
    }
    Some(cur)
}

/// Code point of a named entity (name lower-cased, no `&` or `;`). A `match` rather than a table scan: query
/// strings are full of `&name` that name no entity, and each one is looked up in every chain that decodes HTML.
fn named_entity(name: &[u8]) -> Option<u32> {
    let c = match name {
        b"lt" => '<',
        b"gt" => '>',
        b"amp" => '&',
        b"quot" => '"',
        b"apos" => '\'',
        b"nbsp" => '\u{a0}',
        b"colon" => ':',
        b"lpar" => '(',
        b"rpar" => ')',
        b"sol" => '/',
        b"bsol" => '\\',
        b"semi" => ';',
        b"comma" => ',',
        b"period" => '.',
        b"equals" => '=',
        b"tab" => '\t',
        b"newline" => '\n',
        b"grave" => '`',
        b"lsqb" => '[',
        b"rsqb" => ']',
        b"lcub" => '{',
        b"rcub" => '}',
        b"excl" => '!',
        b"num" => '#',
        b"dollar" => '$',
        b"percnt" => '%',
        b"plus" => '+',
        b"ast" => '*',
        b"vert" => '|',
        b"szlig" => '\u{df}',
        b"aelig" => '\u{e6}',
        b"oelig" => '\u{153}',
        b"eth" => '\u{f0}',
        b"thorn" => '\u{fe}',
        _ => return None,
    };
    Some(c as u32)
}

/// HTML entity decoding: `&#NN;`, `&#xHH;` (semicolon optional, leading zeros allowed) and common named entities.
pub fn html_entity_decode(input: &[u8]) -> Option<Vec<u8>> {
    // Query strings and cookies are full of `&` that start no entity: allocate only at the first real one,
    // and copy the text between entities in slices.
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut from = 0;
    while let Some(p) = memchr::memchr(b'&', &input[from..]).map(|p| p + from) {
        match entity_at(&input[p + 1..]) {
            Some((cp, used)) => {
                let o = out.get_or_insert_with(|| Vec::with_capacity(input.len()));
                o.extend_from_slice(&input[copied..p]);
                push_char(o, cp);
                copied = p + 1 + used;
                from = copied;
            }
            None => from = p + 1,
        }
    }
    let mut out = out?;
    out.extend_from_slice(&input[copied..]);
    Some(out)
}

/// The code point of the entity that follows an `&`, and how many bytes it takes (its `;` included).
fn entity_at(rest: &[u8]) -> Option<(u32, usize)> {
    let semicolon = |j: usize| j + usize::from(rest.get(j) == Some(&b';'));
    if rest.first() == Some(&b'#') {
        let (radix, start) = match rest.get(1) {
            Some(b'x' | b'X') => (16, 2),
            _ => (10, 1),
        };
        let mut j = start;
        let mut cp: u32 = 0;
        while j < rest.len() && j < start + 12 {
            let d = match (radix, rest[j]) {
                (16, c) => hex(c).map(u32::from),
                (_, c @ b'0'..=b'9') => Some(u32::from(c - b'0')),
                _ => None,
            };
            match d {
                Some(d) => cp = cp.saturating_mul(radix).saturating_add(d),
                None => break,
            }
            j += 1;
        }
        (j > start).then(|| (cp, semicolon(j)))
    } else {
        let name_len = rest.iter().take(10).take_while(|b| b.is_ascii_alphanumeric()).count();
        // Every name known here is two to seven letters: the `&name=` of a query string mostly leaves here.
        if !(2..=7).contains(&name_len) || rest[..name_len].iter().any(u8::is_ascii_digit) {
            return None;
        }
        let mut lower = [0u8; 10];
        lower[..name_len].copy_from_slice(&rest[..name_len]);
        lower.make_ascii_lowercase();
        named_entity(&lower[..name_len])
            .or_else(|| {
                (name_len > 1)
                    .then(|| accented_letter(rest[0], &lower[1..name_len]))
                    .flatten()
            })
            .map(|cp| (cp, semicolon(name_len)))
    }
}

/// The letter an accent entity names (`&auml;`, `&Eacute;`, `&ccaron;` …), which browsers write into
/// multipart field names the page's charset cannot hold: the Latin-1 letter where there is one, else the bare
/// letter (close enough for matching, and never a special character).
fn accented_letter(base: u8, accent: &[u8]) -> Option<u32> {
    if !base.is_ascii_alphabetic() {
        return None;
    }
    let lower = base.to_ascii_lowercase();
    let pick = |letters: &[u8], cps: &[u32]| letters.iter().position(|&l| l == lower).map(|i| cps[i]);
    let latin1 = match accent {
        b"grave" => pick(b"aeiou", &[0xe0, 0xe8, 0xec, 0xf2, 0xf9]),
        b"acute" => pick(b"aeiouy", &[0xe1, 0xe9, 0xed, 0xf3, 0xfa, 0xfd]),
        b"circ" => pick(b"aeiou", &[0xe2, 0xea, 0xee, 0xf4, 0xfb]),
        b"tilde" => pick(b"ano", &[0xe3, 0xf1, 0xf5]),
        b"uml" => pick(b"aeiou", &[0xe4, 0xeb, 0xef, 0xf6, 0xfc]),
        b"ring" => pick(b"a", &[0xe5]),
        b"cedil" => pick(b"c", &[0xe7]),
        b"slash" => pick(b"o", &[0xf8]),
        b"caron" | b"macr" | b"breve" | b"dot" | b"ogon" | b"dblac" | b"strok" | b"lig" => None,
        _ => return None,
    };
    Some(match latin1 {
        // Latin-1 keeps upper case 0x20 below lower case.
        Some(cp) if base.is_ascii_uppercase() => cp - 0x20,
        Some(cp) => cp,
        None => u32::from(base),
    })
}

/// JavaScript escapes: `\xHH`, `\uHHHH`, `\u{H…}`, octal `\NNN`, `\n`-style escapes; other `\c` become `c`.
pub fn js_decode(input: &[u8]) -> Option<Vec<u8>> {
    memchr::memchr(b'\\', input)?;
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b != b'\\' || i + 1 >= input.len() {
            out.push(b);
            i += 1;
            continue;
        }
        let n = input[i + 1];
        match n {
            b'x' | b'X' => {
                match (
                    input.get(i + 2).and_then(|&c| hex(c)),
                    input.get(i + 3).and_then(|&c| hex(c)),
                ) {
                    (Some(h), Some(l)) => {
                        push_char(&mut out, u32::from(h << 4 | l));
                        i += 4;
                    }
                    _ => {
                        out.push(n);
                        i += 2;
                    }
                }
            }
            b'u' | b'U' => {
                if input.get(i + 2) == Some(&b'{') {
                    let digits: Vec<u8> = input[i + 3..]
                        .iter()
                        .take(8)
                        .take_while(|c| hex(**c).is_some())
                        .copied()
                        .collect();
                    if input.get(i + 3 + digits.len()) == Some(&b'}') && !digits.is_empty() {
                        let cp = digits
                            .iter()
                            .fold(0u32, |a, &d| a << 4 | u32::from(hex(d).unwrap_or(0)));
                        push_char(&mut out, cp);
                        i += 4 + digits.len();
                        continue;
                    }
                }
                let digits = input.get(i + 2..i + 6);
                match digits {
                    Some(d) if d.iter().all(|c| hex(*c).is_some()) => {
                        let cp = d.iter().fold(0u32, |a, &c| a << 4 | u32::from(hex(c).unwrap_or(0)));
                        let cp = if (0xff01..=0xff5e).contains(&cp) {
                            cp - 0xfee0
                        } else {
                            cp
                        };
                        push_char(&mut out, cp);
                        i += 6;
                    }
                    _ => {
                        out.push(n);
                        i += 2;
                    }
                }
            }
            b'0'..=b'7' => {
                let mut j = i + 1;
                let mut v: u32 = 0;
                while j < input.len() && j < i + 4 && (b'0'..=b'7').contains(&input[j]) {
                    v = v * 8 + u32::from(input[j] - b'0');
                    j += 1;
                }
                push_char(&mut out, v);
                i = j;
            }
            b'n' => {
                out.push(b'\n');
                i += 2;
            }
            b'r' => {
                out.push(b'\r');
                i += 2;
            }
            b't' => {
                out.push(b'\t');
                i += 2;
            }
            b'f' => {
                out.push(0x0c);
                i += 2;
            }
            b'v' => {
                out.push(0x0b);
                i += 2;
            }
            _ => {
                out.push(n);
                i += 2;
            }
        }
    }
    Some(out)
}

/// CSS escapes: `\` followed by 1–6 hex digits (and an optional space), or `\c` for any other character.
pub fn css_decode(input: &[u8]) -> Option<Vec<u8>> {
    memchr::memchr(b'\\', input)?;
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b != b'\\' || i + 1 >= input.len() {
            out.push(b);
            i += 1;
            continue;
        }
        let digits = input[i + 1..].iter().take(6).take_while(|c| hex(**c).is_some()).count();
        if digits > 0 {
            let cp = input[i + 1..i + 1 + digits]
                .iter()
                .fold(0u32, |a, &c| a << 4 | u32::from(hex(c).unwrap_or(0)));
            push_char(&mut out, cp);
            i += 1 + digits;
            if input.get(i) == Some(&b' ') {
                i += 1;
            }
        } else if input[i + 1] == b'\n' {
            i += 2;
        } else {
            out.push(input[i + 1]);
            i += 2;
        }
    }
    Some(out)
}

fn b64_val(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// True when `input` looks like a base64 blob worth decoding: at least 12 characters, all from the (standard
/// or URL-safe) alphabet with optional padding, mixing upper- and lower-case letters as encoded text does. Ids
/// such as `SKU-00001` or lower-case hex are left alone.
pub fn looks_base64(input: &[u8]) -> bool {
    let trimmed = input
        .strip_suffix(b"==")
        .or_else(|| input.strip_suffix(b"="))
        .unwrap_or(input);
    trimmed.len() >= 12
        && trimmed.iter().all(|&b| b64_val(b).is_some())
        && trimmed.iter().any(u8::is_ascii_uppercase)
        && trimmed.iter().any(u8::is_ascii_lowercase)
}

/// Base64 (standard or URL-safe alphabet, padding optional), for values that [`looks_base64`].
pub fn base64_decode(input: &[u8]) -> Option<Vec<u8>> {
    if !looks_base64(input) {
        return None;
    }
    let trimmed = input
        .strip_suffix(b"==")
        .or_else(|| input.strip_suffix(b"="))
        .unwrap_or(input);
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &b in trimmed {
        acc = acc << 6 | u32::from(b64_val(b).unwrap_or(0));
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// Collapses runs of whitespace (incl. vertical tab, form feed, NBSP) into one space.
pub fn compress_whitespace(input: &[u8]) -> Option<Vec<u8>> {
    let ascii_ws = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
    let needs = input.windows(2).any(|w| ascii_ws(w[0]) && ascii_ws(w[1]))
        || input.iter().any(|&b| b != b' ' && (ascii_ws(b) || b == 0xa0));
    if !needs {
        return None;
    }
    let mut out = Vec::with_capacity(input.len());
    let mut prev_ws = false;
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        // The no-break space counts, as in ModSecurity's compressWhitespace (MySQL over a latin1 connection
        // reads it as white space): as U+00A0 (`C2 A0`, which is what `utf8_fix` makes of a Latin-1 0xA0), or as
        // a lone 0xA0 that is not the tail of a UTF-8 character ("à" is `C3 A0`).
        let width = if b == 0xc2 && input.get(i + 1) == Some(&0xa0) {
            2
        } else if ascii_ws(b) || (b == 0xa0 && (i == 0 || input[i - 1] < 0x80 || prev_ws)) {
            1
        } else {
            0
        };
        if width > 0 {
            if !prev_ws {
                out.push(b' ');
            }
            prev_ws = true;
            i += width;
        } else {
            out.push(b);
            prev_ws = false;
            i += 1;
        }
    }
    (out != input).then_some(out)
}

/// Replaces SQL/C comments (`/* … */`, `-- …` and MySQL `# …` to end of line) with one space, like CRS `replaceComments`
/// plus `removeCommentsChar`; an unterminated `/*` comments out the rest.
pub fn replace_comments(input: &[u8]) -> Option<Vec<u8>> {
    if memchr::memmem::find(input, b"/*").is_none()
        && memchr::memmem::find(input, b"--").is_none()
        && memchr::memchr(b'#', input).is_none()
    {
        return None;
    }
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i..].starts_with(b"/*") {
            // MySQL executable comments /*!50000 … */ keep their content.
            let mut j = i + 2;
            if input.get(j) == Some(&b'!') {
                j += 1;
                while j < input.len() && input[j].is_ascii_digit() {
                    j += 1;
                }
                out.push(b' ');
                i = j;
                continue;
            }
            match memchr::memmem::find(&input[j..], b"*/") {
                Some(end) => i = j + end + 2,
                None => i = input.len(),
            }
            out.push(b' ');
        } else if input[i..].starts_with(b"*/") {
            out.push(b' ');
            i += 2;
        } else if input[i..].starts_with(b"--") || input[i] == b'#' {
            out.push(b' ');
            i = memchr::memchr(b'\n', &input[i..]).map_or(input.len(), |e| i + e);
        } else {
            out.push(input[i]);
            i += 1;
        }
    }
    Some(out)
}

/// Removes NUL bytes.
pub fn remove_nulls(input: &[u8]) -> Option<Vec<u8>> {
    memchr::memchr(0, input)?;
    Some(input.iter().copied().filter(|&b| b != 0).collect())
}

/// Removes all whitespace.
pub fn remove_whitespace(input: &[u8]) -> Option<Vec<u8>> {
    if !input.iter().any(|b| b.is_ascii_whitespace() || *b == 0x0b) {
        return None;
    }
    Some(
        input
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace() && *b != 0x0b)
            .collect(),
    )
}

/// Path normalisation: backslashes to slashes (when `windows`), `//` → `/`, `/./` → `/`, `/x/../` → `/`.
/// Leading `../` segments that cannot be resolved are kept, so traversal stays visible.
pub fn normalize_path(input: &[u8], windows: bool) -> Option<Vec<u8>> {
    let needs = (windows && memchr::memchr(b'\\', input).is_some())
        || memchr::memmem::find(input, b"//").is_some()
        || memchr::memmem::find(input, b"/.").is_some()
        || input.starts_with(b"./");
    if !needs {
        return None;
    }
    let src: Vec<u8> = if windows {
        input.iter().map(|&b| if b == b'\\' { b'/' } else { b }).collect()
    } else {
        input.to_vec()
    };
    let absolute = src.first() == Some(&b'/');
    let trailing = src.last() == Some(&b'/');
    let mut segs: Vec<&[u8]> = Vec::new();
    for seg in src.split(|&b| b == b'/') {
        match seg {
            b"" | b"." => {}
            b".." => {
                if segs.last().is_some_and(|s| *s != b"..") {
                    segs.pop();
                } else {
                    segs.push(seg);
                }
            }
            _ => segs.push(seg),
        }
    }
    let mut out = Vec::with_capacity(src.len());
    if absolute {
        out.push(b'/');
    }
    for (n, seg) in segs.iter().enumerate() {
        if n > 0 {
            out.push(b'/');
        }
        out.extend_from_slice(seg);
    }
    if trailing && !segs.is_empty() {
        out.push(b'/');
    }
    Some(out)
}

/// Command-line normalisation as CRS `cmdLine`: drops `\ " ' ^`, turns `,` and `;` into spaces, compresses
/// whitespace, removes spaces before `/` and `(`, lowercases.
pub fn cmdline(input: &[u8]) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(input.len());
    let mut prev_space = false;
    for &b in input {
        match b {
            b'\\' | b'"' | b'\'' | b'^' => {}
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | b',' | b';' => {
                if !prev_space {
                    out.push(b' ');
                }
                prev_space = true;
            }
            b'/' | b'(' => {
                if prev_space {
                    out.pop();
                }
                out.push(b);
                prev_space = false;
            }
            _ => {
                out.push(b.to_ascii_lowercase());
                prev_space = false;
            }
        }
    }
    if out == input {
        None
    } else {
        Some(out)
    }
}

/// Decodes overlong UTF-8 forms of ASCII (`C0 AF` → `/`, `E0 80 AF` → `/`), which some servers accept,
/// and replaces other invalid UTF-8 with U+FFFD so regexes see well-formed text. Full-width ASCII is folded
/// too (see [`fold_fullwidth`]).
pub fn utf8_fix(input: &[u8]) -> Option<Vec<u8>> {
    // Nearly every value: nothing to repair or fold, found without the search for full-width forms.
    if input.is_ascii() {
        return None;
    }
    if std::str::from_utf8(input).is_ok() {
        return fold_fullwidth(input);
    }
    let fixed = utf8_repair(input);
    Some(fold_fullwidth(&fixed).unwrap_or(fixed))
}

/// Full-width letters, digits and quotes (`ＳＥＬＥＣＴ`, `ｕｎｉｏｎ`, `１`, `＇`) as ASCII, the way NFKC
/// normalisation, IIS and .NET's or a database's best-fit code-page conversion turn them before an application
/// uses them: keywords spelled that way are seen, and sqlmap's `apostrophemask` (`＇` for `'`) too. Other
/// full-width punctuation stays, as Japanese and Chinese prose and kaomoji use it all the time (`(´ﾍ｀；)` would
/// read as a backtick and a statement end). `None` when there is none.
fn fold_fullwidth(v: &[u8]) -> Option<Vec<u8>> {
    // U+FF02 and U+FF07 (quotes), U+FF10–U+FF19 (digits) and U+FF21–U+FF3A (capitals) are EF BC 82, 87, 90–99
    // and A1–BA; U+FF41–U+FF5A (small letters) are EF BD 81–9A. Each maps to its ASCII byte, code point minus
    // 0xFEE0.
    let at = |i: usize| match v.get(i..i + 3) {
        Some(&[0xef, 0xbc, c @ (0x82 | 0x87 | 0x90..=0x99 | 0xa1..=0xba)]) => Some(c - 0x60),
        Some(&[0xef, 0xbd, c @ 0x81..=0x9a]) => Some(c - 0x20),
        _ => None,
    };
    let first = memchr::memchr_iter(0xef, v).find(|&i| at(i).is_some())?;
    let mut out = Vec::with_capacity(v.len());
    out.extend_from_slice(&v[..first]);
    let mut i = first;
    while i < v.len() {
        match at(i) {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(v[i]);
                i += 1;
            }
        }
    }
    Some(out)
}

fn utf8_repair(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if (b == 0xc0 || b == 0xc1) && i + 1 < input.len() && input[i + 1] & 0xc0 == 0x80 {
            out.push(((b & 0x1f) << 6) | (input[i + 1] & 0x3f));
            i += 2;
            continue;
        }
        if b == 0xe0 && i + 2 < input.len() && input[i + 1] & 0xe0 == 0x80 && input[i + 2] & 0xc0 == 0x80 {
            let cp = (u32::from(input[i + 1] & 0x3f) << 6) | u32::from(input[i + 2] & 0x3f);
            push_char(&mut out, cp);
            i += 3;
            continue;
        }
        match std::str::from_utf8(&input[i..]) {
            Ok(s) => {
                out.extend_from_slice(s.as_bytes());
                break;
            }
            Err(e) => {
                let good = e.valid_up_to();
                if good > 0 {
                    out.extend_from_slice(&input[i..i + good]);
                    i += good;
                    continue;
                }
                let bad = e.error_len().unwrap_or(input.len() - i).max(1);
                // Latin-1 bytes (common in old form posts) keep their meaning; other junk becomes U+FFFD.
                for &c in &input[i..(i + bad).min(input.len())] {
                    if c >= 0xc0 || (0xa0..0xc0).contains(&c) {
                        push_char(&mut out, u32::from(c));
                    } else {
                        out.extend_from_slice("\u{fffd}".as_bytes());
                    }
                }
                i += bad;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `url_decode_once` byte by byte, as it was written before it copied unescaped runs in slices.
    fn url_decode_reference(input: &[u8], plus: bool) -> Option<Vec<u8>> {
        if !input.iter().any(|&b| b == b'%' || (plus && b == b'+')) {
            return None;
        }
        let mut out = Vec::new();
        let mut i = 0;
        while i < input.len() {
            let b = input[i];
            if b == b'%' {
                if i + 2 < input.len() {
                    if let (Some(h), Some(l)) = (hex(input[i + 1]), hex(input[i + 2])) {
                        out.push(h << 4 | l);
                        i += 3;
                        continue;
                    }
                }
                if i + 5 < input.len() && (input[i + 1] == b'u' || input[i + 1] == b'U') {
                    let digits = &input[i + 2..i + 6];
                    if digits.iter().all(|&d| hex(d).is_some()) {
                        let cp = digits
                            .iter()
                            .fold(0u32, |acc, &d| acc << 4 | u32::from(hex(d).unwrap()));
                        push_char(
                            &mut out,
                            if (0xff01..=0xff5e).contains(&cp) {
                                cp - 0xfee0
                            } else {
                                cp
                            },
                        );
                        i += 6;
                        continue;
                    }
                }
                out.push(b);
            } else if plus && b == b'+' {
                out.push(b' ');
            } else {
                out.push(b);
            }
            i += 1;
        }
        Some(out)
    }

    proptest! {
        #[test]
        fn url_decode_matches_reference(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just(b"%".to_vec()), Just(b"+".to_vec()), Just(b"%2".to_vec()), Just(b"%u".to_vec()),
                    Just(b"%uff1c".to_vec()), Just(b"%3C".to_vec()), Just(b"%zz".to_vec()),
                    proptest::collection::vec(any::<u8>(), 0..6),
                ],
                0..12,
            ),
            plus in any::<bool>(),
        ) {
            let v = parts.concat();
            prop_assert_eq!(url_decode_once(&v, plus), url_decode_reference(&v, plus));
        }
    }

    fn s(v: Option<Vec<u8>>) -> String {
        String::from_utf8_lossy(&v.unwrap_or_default()).into_owned()
    }

    #[test]
    fn accent_entities() {
        assert_eq!(
            s(html_entity_decode(b"&auml;&Ouml;&ccedil;&ntilde;")),
            "\u{e4}\u{d6}\u{e7}\u{f1}"
        );
        assert_eq!(s(html_entity_decode(b"x&ccaron;&Scaron;y")), "xcSy");
        // Not an accent entity: left alone.
        assert_eq!(html_entity_decode(b"&fi;zzz"), None);
        assert_eq!(html_entity_decode(b"&1uml;"), None);
    }

    #[test]
    fn entity_names_end_at_the_first_non_alphanumeric() {
        // The longest and shortest names; a name without `;`; a name run on into digits or more letters.
        assert_eq!(s(html_entity_decode(b"a&newline;b&lt;c&Eacute;")), "a\nb<c\u{c9}");
        assert_eq!(s(html_entity_decode(b"&lt=1&arg2=&gt")), "<=1&arg2=>");
        for v in [&b"&lt1;"[..], b"&ltx;", b"&newlines;", b"&a;", b"&arg2=x&page=1"] {
            assert_eq!(html_entity_decode(v), None, "{}", String::from_utf8_lossy(v));
        }
    }

    #[test]
    fn url_decoding() {
        assert_eq!(s(url_decode_once(b"a%20b+c", true)), "a b c");
        assert_eq!(s(url_decode_repeat(b"%252e%252e%252f", 4)), "../");
        assert_eq!(s(url_decode_once(b"%u003cscript%uFF1E", false)), "<script>");
        assert_eq!(s(url_decode_once(b"100%", false)), "100%");
        assert_eq!(s(url_decode_once(b"%zz%4", false)), "%zz%4");
        assert!(url_decode_once(b"plain", true).is_none());
    }

    #[test]
    fn entities_and_escapes() {
        assert_eq!(
            s(html_entity_decode(
                b"&lt;svg&#x2F;onload&#61;alert&lpar;1&rpar;&gt; &#0000106"
            )),
            "<svg/onload=alert(1)> j"
        );
        assert_eq!(html_entity_decode(b"a & b &unknown;"), None, "no entity: unchanged");
        assert_eq!(s(js_decode(br"\x3cscript\u003e\u{61}\101\n")), "<script>aA\n");
        assert_eq!(s(css_decode(br"\6a avascript\:")), "javascript:");
    }

    #[test]
    fn base64() {
        assert_eq!(s(base64_decode(b"PHNjcmlwdD48L3NjcmlwdD4=")), "<script></script>");
        assert!(base64_decode(b"hello").is_none());
        assert!(base64_decode(b"SKU-000012345").is_none());
        assert_eq!(s(base64_decode(b"d2hpbGUodHJ1ZSk7Cg==")), "while(true);\n");
        assert!(base64_decode(b"hello world!").is_none());
    }

    #[test]
    fn comments_whitespace_paths() {
        assert_eq!(
            s(replace_comments(b"un/**/ion sel/*x*/ect 1-- rest")),
            "un ion sel ect 1 "
        );
        assert_eq!(s(replace_comments(b"/*!50000union*/")), " union ");
        assert_eq!(s(replace_comments(b"1 union#x\nselect")), "1 union \nselect");
        assert_eq!(s(compress_whitespace(b"a \t\n b")), "a b");
        assert_eq!(
            s(compress_whitespace(b"1\xc2\xa0union\xa0\xc2\xa0select")),
            "1 union select"
        );
        assert_eq!(s(compress_whitespace(b"1\xa0union")), "1 union");
        assert_eq!(
            compress_whitespace("caf\u{e9} \u{e0} la".as_bytes()),
            None,
            "the tail of \u{e0} is no space"
        );
        assert_eq!(
            s(normalize_path(b"/a/./b//../../../etc/passwd", false)),
            "/../etc/passwd"
        );
        assert_eq!(
            s(normalize_path(b"..\\..\\windows\\win.ini", true)),
            "../../windows/win.ini"
        );
        assert_eq!(s(cmdline(b"c\"a\"t /e'tc'/pa\\sswd;  ID")), "cat/etc/passwd id");
        assert_eq!(s(remove_nulls(b"a\0b")), "ab");
    }

    #[test]
    fn utf8() {
        assert_eq!(s(utf8_fix(b"..\xc0\xaf..\xe0\x80\xaf")), "../../");
        assert_eq!(s(utf8_fix(b"d1se3ci\xf3n")), "d1se3ci\u{f3}n");
        // Full-width letters and digits, the ends of each range, among other text and after an invalid byte.
        assert_eq!(s(utf8_fix("１' ｕｎｉｏｎ ｓｅｌｅｃｔ".as_bytes())), "1' union select");
        assert_eq!(s(utf8_fix("０９ＡＺａｚ".as_bytes())), "09AZaz");
        assert_eq!(s(utf8_fix("１＇ ＡＮＤ ＂ｘ＂".as_bytes())), "1' AND \"x\"");
        assert_eq!(s(utf8_fix(b"\x80\xef\xbc\xa1")), "\u{fffd}A");
        // Punctuation and the neighbours of the ranges stay: kaomoji, CJK brackets, `／`, `＠`, `［`, `｀`, `｛`.
        for kept in ["(´ﾍ｀；)", "日本語（テスト）", "＜お知らせ＞", "／＠［｀｛"] {
            assert_eq!(utf8_fix(kept.as_bytes()), None, "{kept}");
        }
        assert_eq!(utf8_fix("plain ascii".as_bytes()), None);
    }
}
