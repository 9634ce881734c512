//! The docs tell the truth about the code: every finding code is documented, and every
//! documented code exists.

use std::collections::BTreeSet;

#[test]
fn every_finding_code_is_documented_and_every_documented_code_exists() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/json.md")).unwrap();
    let section = doc.split("## Finding codes").nth(1).expect("docs/json.md has a Finding codes section");
    let documented: BTreeSet<String> = section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_owned)
        .collect();
    let emitted: BTreeSet<String> = certsmith::report::Code::ALL.iter().map(|c| c.as_str().to_owned()).collect();
    assert_eq!(documented, emitted, "docs/json.md's code table and report::codes disagree");
}
