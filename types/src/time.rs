//! Instants as whole Unix seconds, written on the wire as RFC 3339 in UTC
//! (`2026-11-23T09:30:00Z`).
//!
//! The calendar arithmetic lives here rather than in a date crate because
//! this crate is compiled into the browser bundle, and billing needs only a
//! little of it: civil dates, month steps, formatting and parsing.

use core::fmt;

use crate::digits::push_padded;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

const SECONDS_PER_DAY: i64 = 86_400;

/// A point in time, in whole seconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// A calendar date with a time of day, in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CivilDate {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimestampError(&'static str);

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid RFC 3339 timestamp: {}", self.0)
    }
}

impl std::error::Error for TimestampError {}

impl Timestamp {
    pub const fn from_unix_seconds(seconds: i64) -> Self {
        Timestamp(seconds)
    }

    pub const fn unix_seconds(self) -> i64 {
        self.0
    }

    /// Unix milliseconds, as JavaScript's `Date` wants them.
    pub const fn unix_millis(self) -> i64 {
        self.0.saturating_mul(1000)
    }

    pub fn civil(self) -> CivilDate {
        let days = self.0.div_euclid(SECONDS_PER_DAY);
        let secs = self.0.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        CivilDate {
            year,
            month,
            day,
            hour: (secs / 3600) as u8,
            minute: (secs % 3600 / 60) as u8,
            second: (secs % 60) as u8,
        }
    }

    pub fn from_civil(date: CivilDate) -> Self {
        let days = days_from_civil(date.year, date.month, date.day);
        Timestamp(
            days * SECONDS_PER_DAY
                + i64::from(date.hour) * 3600
                + i64::from(date.minute) * 60
                + i64::from(date.second),
        )
    }

    /// The same wall-clock time `months` calendar months later (or earlier),
    /// with the day clamped to the end of a shorter month: Jan 31 + 1 month is
    /// Feb 28 (or 29). This is how subscription periods advance.
    pub fn add_months(self, months: i32) -> Self {
        let c = self.civil();
        let total = c.year * 12 + i32::from(c.month) - 1 + months;
        let year = total.div_euclid(12);
        let month = (total.rem_euclid(12) + 1) as u8;
        let day = c.day.min(days_in_month(year, month));
        Timestamp::from_civil(CivilDate {
            year,
            month,
            day,
            ..c
        })
    }

    /// The period `[start, end)` that holds `self`, where periods are
    /// `months_per_period` calendar months long and counted from `anchor`
    /// (which may lie before or after `self`). Every boundary is computed from
    /// the anchor, so a subscription started on the 31st bills on the 31st (or
    /// the month's last day) every month instead of drifting to the 28th.
    pub fn period_window(
        self,
        anchor: Timestamp,
        months_per_period: i32,
    ) -> (Timestamp, Timestamp) {
        let step = months_per_period.max(1);
        let a = anchor.civil();
        let n = self.civil();
        let months = (n.year - a.year) * 12 + i32::from(n.month) - i32::from(a.month);
        let mut k = months.div_euclid(step);
        // The estimate is off by at most one period either way (day of month
        // and clamping): correct it.
        while anchor.add_months(k * step) > self {
            k -= 1;
        }
        while anchor.add_months((k + 1) * step) <= self {
            k += 1;
        }
        (
            anchor.add_months(k * step),
            anchor.add_months((k + 1) * step),
        )
    }

    pub fn add_days(self, days: i64) -> Self {
        Timestamp(self.0 + days * SECONDS_PER_DAY)
    }

    /// RFC 3339 parse: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`. The
    /// fraction is dropped (whole seconds are all billing needs).
    pub fn parse_rfc3339(text: &str) -> Result<Self, TimestampError> {
        let b = text.as_bytes();
        if b.len() < 20 {
            return Err(TimestampError("too short"));
        }
        let num = |range: core::ops::Range<usize>| -> Result<u32, TimestampError> {
            let mut value = 0u32;
            for &c in &b[range] {
                if !c.is_ascii_digit() {
                    return Err(TimestampError("expected a digit"));
                }
                value = value * 10 + u32::from(c - b'0');
            }
            Ok(value)
        };
        if b[4] != b'-'
            || b[7] != b'-'
            || !matches!(b[10], b'T' | b't' | b' ')
            || b[13] != b':'
            || b[16] != b':'
        {
            return Err(TimestampError("expected YYYY-MM-DDTHH:MM:SS"));
        }
        let (year, month, day) = (num(0..4)? as i32, num(5..7)? as u8, num(8..10)? as u8);
        let (hour, minute, second) = (num(11..13)? as u8, num(14..16)? as u8, num(17..19)? as u8);
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(TimestampError("no such date"));
        }
        if hour > 23 || minute > 59 || second > 60 {
            return Err(TimestampError("no such time"));
        }
        let mut rest = 19;
        if b[rest] == b'.' {
            rest += 1;
            let start = rest;
            while rest < b.len() && b[rest].is_ascii_digit() {
                rest += 1;
            }
            if rest == start {
                return Err(TimestampError("empty fraction"));
            }
        }
        let offset_seconds: i64 = match &b[rest..] {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
                let hours = i64::from(num(rest + 1..rest + 3)?);
                let minutes = i64::from(num(rest + 4..rest + 6)?);
                if hours > 23 || minutes > 59 {
                    return Err(TimestampError("bad offset"));
                }
                let magnitude = hours * 3600 + minutes * 60;
                if *sign == b'+' {
                    magnitude
                } else {
                    -magnitude
                }
            }
            _ => return Err(TimestampError("expected Z or ±HH:MM")),
        };
        let local = Timestamp::from_civil(CivilDate {
            year,
            month,
            day,
            hour,
            minute,
            second: second.min(59),
        });
        Ok(Timestamp(local.0 - offset_seconds))
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, written without format machinery (this
    /// runs in the browser bundle, see [`crate::digits`]).
    pub fn to_rfc3339(self) -> String {
        let c = self.civil();
        let mut out = String::with_capacity(20);
        push_padded(&mut out, c.year.max(0) as u64, 4);
        out.push('-');
        push_padded(&mut out, c.month.into(), 2);
        out.push('-');
        push_padded(&mut out, c.day.into(), 2);
        out.push('T');
        push_padded(&mut out, c.hour.into(), 2);
        out.push(':');
        push_padded(&mut out, c.minute.into(), 2);
        out.push(':');
        push_padded(&mut out, c.second.into(), 2);
        out.push('Z');
        out
    }
}

pub(crate) fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub(crate) fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap_year(year) => 29,
        _ => 28,
    }
}

// Howard Hinnant's `days_from_civil` / `civil_from_days`: exact for the
// proleptic Gregorian calendar over the whole i32 year range.
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp such as 2026-11-23T09:30:00Z")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse_rfc3339(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        Timestamp::parse_rfc3339(text).unwrap()
    }

    #[test]
    fn round_trips_known_instants() {
        for (text, seconds) in [
            ("1970-01-01T00:00:00Z", 0),
            ("2000-02-29T12:34:56Z", 951_827_696),
            ("2026-11-23T09:30:00Z", 1_795_426_200),
            ("1969-12-31T23:59:59Z", -1),
        ] {
            assert_eq!(ts(text).0, seconds, "{text}");
            assert_eq!(Timestamp(seconds).to_rfc3339(), text);
        }
    }

    #[test]
    fn parses_offsets_and_fractions() {
        assert_eq!(ts("2026-11-23T10:30:00+01:00"), ts("2026-11-23T09:30:00Z"));
        assert_eq!(ts("2026-11-23T04:00:00-05:30"), ts("2026-11-23T09:30:00Z"));
        assert_eq!(
            ts("2026-11-23T09:30:00.123456Z"),
            ts("2026-11-23T09:30:00Z")
        );
    }

    #[test]
    fn rejects_malformed_text() {
        for bad in [
            "",
            "2026-11-23",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-11-23T24:00:00Z",
            "2026-11-23T09:30:00",
            "2026-11-23T09:30:00.Z",
            "2026-11-23T09:30:00+0100",
            "2026-1x-23T09:30:00Z",
        ] {
            assert!(
                Timestamp::parse_rfc3339(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn month_steps_clamp_to_month_end() {
        assert_eq!(
            ts("2026-01-31T08:00:00Z").add_months(1),
            ts("2026-02-28T08:00:00Z")
        );
        assert_eq!(
            ts("2028-01-31T08:00:00Z").add_months(1),
            ts("2028-02-29T08:00:00Z")
        );
        assert_eq!(
            ts("2026-12-15T00:00:00Z").add_months(1),
            ts("2027-01-15T00:00:00Z")
        );
        assert_eq!(
            ts("2026-03-31T00:00:00Z").add_months(-1),
            ts("2026-02-28T00:00:00Z")
        );
        assert_eq!(
            ts("2026-05-10T00:00:00Z").add_months(12),
            ts("2027-05-10T00:00:00Z")
        );
    }

    #[test]
    fn period_window_contains_the_instant() {
        let anchor = ts("2026-01-31T12:00:00Z");
        for months in [1, 3, 12] {
            for now in [
                "2026-03-01T00:00:00Z",
                "2026-02-28T12:00:00Z",
                "2026-11-23T09:30:00Z",
                "2026-01-31T12:00:00Z",
                "2025-06-01T00:00:00Z",
                "2031-02-28T11:59:59Z",
            ] {
                let now = ts(now);
                let (start, end) = now.period_window(anchor, months);
                assert!(
                    start <= now && now < end,
                    "{now} not in [{start}, {end}) for {months} months"
                );
            }
        }
        let (start, end) = ts("2026-11-23T09:30:00Z").period_window(ts("2026-01-15T00:00:00Z"), 1);
        assert_eq!(
            (start, end),
            (ts("2026-11-15T00:00:00Z"), ts("2026-12-15T00:00:00Z"))
        );
        // Anchored on the 31st: March's period starts on the 31st again.
        let (start, _) = ts("2026-04-10T00:00:00Z").period_window(anchor, 1);
        assert_eq!(start, ts("2026-03-31T12:00:00Z"));
        let (start, end) = ts("2027-02-01T00:00:00Z").period_window(ts("2025-03-01T00:00:00Z"), 12);
        assert_eq!(
            (start, end),
            (ts("2026-03-01T00:00:00Z"), ts("2027-03-01T00:00:00Z"))
        );
    }

    #[test]
    fn serde_uses_rfc3339_strings() {
        let json = serde_json::to_string(&ts("2026-11-23T09:30:00Z")).unwrap();
        assert_eq!(json, "\"2026-11-23T09:30:00Z\"");
        let back: Timestamp = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ts("2026-11-23T09:30:00Z"));
        assert!(serde_json::from_str::<Timestamp>("1795426200").is_err());
    }
}
