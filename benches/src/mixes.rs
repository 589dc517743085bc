//! Request mixes every contestant is driven with.

use bytes::Bytes;

#[derive(Debug, Clone)]
pub struct Mix {
    pub name: &'static str,
    pub method: &'static str,
    pub path: String,
    pub content_type: Option<String>,
    pub body: Bytes,
    /// An attack: a blocking contestant answers 403, which counts as handled, not as an error.
    pub attack: bool,
}

fn json_4k() -> String {
    let mut items = Vec::new();
    let mut i = 0;
    while items.iter().map(|s: &String| s.len() + 1).sum::<usize>() < 4000 {
        items.push(format!(
            "{{\"id\":{i},\"name\":\"Item number {i}\",\"price\":{}.99,\"tags\":[\"garden\",\"tools\"],\"in_stock\":true}}",
            i * 3 + 1
        ));
        i += 1;
    }
    format!(
        "{{\"order\":\"A-1029\",\"customer\":\"Jane O'Neil\",\"items\":[{}]}}",
        items.join(",")
    )
}

fn multipart_64k() -> (String, String) {
    let boundary = "----benchboundary7MA4YWxkTrZu0gW";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHoliday photos\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"file\"; filename=\"beach.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
    );
    let mut x: u32 = 12345;
    let mut data = String::with_capacity(64 * 1024);
    while data.len() < 64 * 1024 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        data.push(char::from(b'A' + (x >> 16) as u8 % 26));
    }
    body.push_str(&data);
    body.push_str(&format!("\r\n--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub fn all() -> Vec<Mix> {
    let (mp_type, mp_body) = multipart_64k();
    let args: Vec<String> = (1..=10).map(|i| format!("arg{i}=value%20{i}")).collect();
    vec![
        Mix {
            name: "static-get",
            method: "GET",
            path: "/static/index.html".into(),
            content_type: None,
            body: Bytes::new(),
            attack: false,
        },
        Mix {
            name: "get-10-args",
            method: "GET",
            path: format!("/search?{}", args.join("&")),
            content_type: None,
            body: Bytes::new(),
            attack: false,
        },
        Mix {
            name: "json-post-4k",
            method: "POST",
            path: "/api/orders".into(),
            content_type: Some("application/json".into()),
            body: Bytes::from(json_4k()),
            attack: false,
        },
        Mix {
            name: "multipart-64k",
            method: "POST",
            path: "/upload".into(),
            content_type: Some(mp_type),
            body: Bytes::from(mp_body),
            attack: false,
        },
        Mix {
            name: "attack",
            method: "GET",
            path: "/item?id=1%20union%20select%201,2,password%20from%20users--".into(),
            content_type: None,
            body: Bytes::new(),
            attack: true,
        },
    ]
}
