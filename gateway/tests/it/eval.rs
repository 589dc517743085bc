//! `gateway waf-eval` over a small corpus: the summary, and `--verdicts` with one line per record.

#[test]
fn waf_eval_writes_one_verdict_per_record() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("c.jsonl");
    let records = [
        r#"{"id":"a1","method":"GET","uri":"/item?id=1%20union%20select%201,2,password%20from%20users--","headers":{"Host":"x"},"body":null,"expect_trigger":true}"#,
        r#"{"id":"n1","method":"GET","uri":"/search?q=garden+tools&page=2","headers":{"Host":"x"},"body":null,"label":"normal"}"#,
        r#"{"id":"n2","method":"POST","uri":"/api/orders","headers":{"Host":"x","Content-Type":"application/json"},"body":"{\"items\":[{\"sku\":\"A-1\",\"qty\":2}]}","label":"normal"}"#,
    ];
    std::fs::write(&corpus, records.join("\n")).unwrap();
    let out_file = dir.path().join("v.jsonl");
    let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/waf");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gateway"))
        .arg("waf-eval")
        .arg("--rules")
        .arg(&rules)
        .arg("--corpus")
        .arg(&corpus)
        .arg("--verdicts")
        .arg(&out_file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("detection (expect_trigger=true): 1/1"), "{stdout}");
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&out_file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["id"], "a1");
    assert_eq!(lines[0]["attack"], true);
    assert!(
        lines[0]["rules"].as_array().unwrap().iter().any(|r| r == 942100),
        "{}",
        lines[0]
    );
    for l in &lines[1..] {
        assert_eq!(l["attack"], false, "{l}");
        assert_eq!(l["rules"].as_array().unwrap().len(), 0, "{l}");
    }
}
