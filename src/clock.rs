//! Time as an input: the "now" of a run (the clock, or `--at`), how times are written
//! for people ("2027-11-26 20:03:33 UTC") and relative to now ("in 364 days", "3 days ago").

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime, UtcOffset};

/// The times `--at` may name: rustls counts from 1970, certificates end by 9999 (RFC 5280
/// §4.1.2.5), and gen and ca create add up to 100 years of validity.
const EARLIEST: OffsetDateTime = OffsetDateTime::UNIX_EPOCH;
const LATEST: OffsetDateTime = time::macros::datetime!(9000-01-01 0:00 UTC);

/// Parses `--at`: RFC 3339 (`2027-01-01T00:00:00Z`), or a bare date meaning midnight UTC.
pub fn parse_time(text: &str) -> Result<OffsetDateTime, String> {
    let parsed = match OffsetDateTime::parse(text, &Rfc3339) {
        Ok(t) => t.to_offset(UtcOffset::UTC),
        Err(_) => Date::parse(text, format_description!("[year]-[month]-[day]"))
            .map(|d| d.midnight().assume_utc())
            .map_err(|_| {
                format!("expected an RFC 3339 time such as 2027-01-01T00:00:00Z (or a date such as 2027-01-01), found {text:?}")
            })?,
    };
    if !(EARLIEST..=LATEST).contains(&parsed) {
        return Err(format!(
            "{text:?} is out of range: certsmith works with times from {} to {}",
            human(EARLIEST),
            human(LATEST)
        ));
    }
    Ok(parsed)
}

/// Clients and containers rarely agree on the time to the second: a certificate that
/// starts a few minutes early works everywhere at once (never before 1970, which rustls
/// cannot read).
pub fn backdated(now: OffsetDateTime) -> OffsetDateTime {
    (now - Duration::minutes(5)).max(OffsetDateTime::UNIX_EPOCH)
}

/// `days` after `start`, for validity periods (bounded by `--at`'s range and `--days`'s,
/// so it cannot overflow; checked anyway).
pub fn days_after(start: OffsetDateTime, days: u32) -> Result<OffsetDateTime, crate::finding::Failure> {
    start.checked_add(Duration::days(i64::from(days))).filter(|t| t.year() <= 9999).ok_or_else(|| {
        crate::finding::Failure::new(format!("{days} days after {} is past the year 9999", human(start)))
            .hint("use fewer --days, or an earlier --at")
    })
}

/// `2027-11-26 20:03:33 UTC`
pub fn human(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    let fmt = format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    t.format(&fmt).unwrap_or_else(|_| t.to_string())
}

/// RFC 3339 in UTC, as JSON carries times.
pub fn rfc3339(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

/// `in 364 days` or `3 days ago`, in the largest unit that keeps two significant steps.
pub fn relative(now: OffsetDateTime, t: OffsetDateTime) -> String {
    // Certificate times are whole seconds: so is "now" here, as in the validity checks,
    // or a 30-day certificate made this second reads "in 29 days".
    let delta = t - now.replace_nanosecond(0).unwrap_or(now);
    let amount = span(delta.abs());
    if delta.is_negative() { format!("{amount} ago") } else { format!("in {amount}") }
}

/// `364 days`, `5 hours`, `1 minute`.
pub fn span(d: Duration) -> String {
    let (n, unit) = if d.whole_days() >= 2 {
        (d.whole_days(), "day")
    } else if d.whole_hours() >= 2 {
        (d.whole_hours(), "hour")
    } else if d.whole_minutes() >= 2 {
        (d.whole_minutes(), "minute")
    } else {
        (d.whole_seconds(), "second")
    };
    if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") }
}

/// Serde helper: times as RFC 3339 strings.
pub fn serialize_rfc3339<S: serde::Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(*t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn parses_rfc3339_and_dates() {
        assert_eq!(parse_time("2027-01-01T02:00:00+02:00").unwrap(), datetime!(2027-01-01 0:00 UTC));
        assert_eq!(parse_time("2027-01-01").unwrap(), datetime!(2027-01-01 0:00 UTC));
        assert!(parse_time("next tuesday").unwrap_err().contains("RFC 3339"));
        for out_of_range in ["0000-01-01T00:00:00Z", "1960-01-01", "9999-06-01T00:00:00Z"] {
            assert!(parse_time(out_of_range).unwrap_err().contains("out of range"), "{out_of_range}");
        }
    }

    #[test]
    fn writes_relative_times() {
        let now = datetime!(2027-01-01 0:00 UTC);
        assert_eq!(relative(now, datetime!(2027-12-31 0:00 UTC)), "in 364 days");
        assert_eq!(relative(now, datetime!(2026-12-29 0:00 UTC)), "3 days ago");
        assert_eq!(relative(now, datetime!(2027-01-01 5:00 UTC)), "in 5 hours");
        assert_eq!(relative(now, datetime!(2027-01-01 0:01 UTC)), "in 60 seconds");
        assert_eq!(relative(now, datetime!(2027-01-02 0:00 UTC)), "in 24 hours");
        // A fraction of a second into the run, a 30-day certificate still has 30 days.
        assert_eq!(relative(datetime!(2027-01-01 0:00:00.5 UTC), datetime!(2027-01-31 0:00 UTC)), "in 30 days");
        assert_eq!(human(datetime!(2027-01-01 2:03:04 +2)), "2027-01-01 00:03:04 UTC");
    }
}
