//! The rate-limit headers of a response, typed.
//!
//! OpenAI (and Azure OpenAI, Groq, DeepSeek-compatible gateways) send
//! `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`, the resets as Go
//! durations (`1s`, `6m0s`, `20ms`, `2m59.56s`); OpenRouter sends
//! `x-ratelimit-{limit,remaining,reset}` for requests, the reset as a Unix
//! time in milliseconds. Based on
//! <https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers>
//! and <https://openrouter.ai/docs/api-reference/limits>.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;

/// One limit: how many are allowed, how many are left and when it resets.
/// Each part is `None` when its header is missing or malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RateLimit {
    /// The most allowed in the window (`x-ratelimit-limit-*`).
    pub limit: Option<u64>,
    /// What is left in the window (`x-ratelimit-remaining-*`).
    pub remaining: Option<u64>,
    /// How long until the window resets (`x-ratelimit-reset-*`).
    pub reset: Option<Duration>,
}

impl RateLimit {
    fn is_empty(&self) -> bool {
        *self == RateLimit::default()
    }
}

/// The rate limits a response reports, from
/// [`Response::rate_limits`](crate::Response::rate_limits),
/// [`ChatCompletionStream::rate_limits`](crate::ChatCompletionStream::rate_limits)
/// or [`Error::rate_limits`](crate::Error::rate_limits).
///
/// ```
/// use std::time::Duration;
/// use chat_api::RateLimits;
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("x-ratelimit-remaining-requests", "59".parse().unwrap());
/// headers.insert("x-ratelimit-reset-tokens", "6m0s".parse().unwrap());
/// headers.insert("x-ratelimit-reset-requests", "soon".parse().unwrap()); // malformed: None
/// let limits = RateLimits::from_headers(&headers).expect("some limits");
/// assert_eq!(limits.requests.unwrap().remaining, Some(59));
/// assert_eq!(limits.requests.unwrap().reset, None);
/// assert_eq!(limits.tokens.unwrap().reset, Some(Duration::from_secs(360)));
/// assert!(RateLimits::from_headers(&http::HeaderMap::new()).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RateLimits {
    /// The request limit (OpenRouter's unsuffixed headers land here too).
    pub requests: Option<RateLimit>,
    /// The token limit.
    pub tokens: Option<RateLimit>,
    /// The delay the server asked for before a retry (`retry-after-ms`, or
    /// `retry-after` in seconds or as an HTTP date).
    pub retry_after: Option<Duration>,
}

impl RateLimits {
    /// Reads the headers; `None` if none of them is there and well formed.
    pub fn from_headers(headers: &HeaderMap) -> Option<RateLimits> {
        Self::read(headers, SystemTime::now())
    }

    pub(crate) fn read(headers: &HeaderMap, now: SystemTime) -> Option<RateLimits> {
        let header = |name: &str| headers.get(name)?.to_str().ok().map(str::trim);
        let limit = |suffix: &str| {
            let limit = RateLimit {
                limit: header(&format!("x-ratelimit-limit{suffix}")).and_then(count),
                remaining: header(&format!("x-ratelimit-remaining{suffix}")).and_then(count),
                reset: header(&format!("x-ratelimit-reset{suffix}")).and_then(go_duration),
            };
            (!limit.is_empty()).then_some(limit)
        };
        let requests = limit("-requests").or_else(|| {
            // OpenRouter: one request limit, the reset a Unix time in ms.
            let limit = RateLimit {
                limit: header("x-ratelimit-limit").and_then(count),
                remaining: header("x-ratelimit-remaining").and_then(count),
                reset: header("x-ratelimit-reset").and_then(|v| until_unix_ms(v, now)),
            };
            (!limit.is_empty()).then_some(limit)
        });
        let limits = RateLimits {
            requests,
            tokens: limit("-tokens"),
            retry_after: crate::retry::retry_after(headers, now),
        };
        (limits != RateLimits::default()).then_some(limits)
    }
}

fn count(value: &str) -> Option<u64> {
    value.parse().ok()
}

/// A Go duration as OpenAI writes resets: `1s`, `6m0s`, `20ms`,
/// `2m59.56s`, `1h2m`; `None` for anything else.
fn go_duration(value: &str) -> Option<Duration> {
    let mut rest = value;
    let mut total = Duration::ZERO;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .filter(|&i| i > 0)?;
        let number: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds_per_unit = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total = total.checked_add(Duration::try_from_secs_f64(number * seconds_per_unit).ok()?)?;
    }
    Some(total)
}

/// Time from `now` until a Unix time in milliseconds; zero if it has passed.
fn until_unix_ms(value: &str, now: SystemTime) -> Option<Duration> {
    let at = UNIX_EPOCH.checked_add(Duration::from_millis(value.parse().ok()?))?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        let ms = Duration::from_millis;
        for (text, expected) in [
            ("1s", Some(ms(1000))),
            ("6m0s", Some(ms(360_000))),
            ("20ms", Some(ms(20))),
            ("2m59.56s", Some(ms(179_560))),
            ("1h2m", Some(ms(3_720_000))),
            ("0s", Some(Duration::ZERO)),
            ("", None),
            ("5", None),
            ("s", None),
            ("1x", None),
            ("-1s", None),
            ("1.2.3s", None),
        ] {
            assert_eq!(go_duration(text), expected, "{text:?}");
        }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn openai_headers() {
        let limits = RateLimits::read(
            &headers(&[
                ("x-ratelimit-limit-requests", "60"),
                ("x-ratelimit-remaining-requests", "59"),
                ("x-ratelimit-reset-requests", "1s"),
                ("x-ratelimit-limit-tokens", "150000"),
                ("x-ratelimit-remaining-tokens", "149984"),
                ("x-ratelimit-reset-tokens", "6m0s"),
            ]),
            UNIX_EPOCH,
        )
        .unwrap();
        assert_eq!(
            limits.requests,
            Some(RateLimit {
                limit: Some(60),
                remaining: Some(59),
                reset: Some(Duration::from_secs(1)),
            })
        );
        assert_eq!(
            limits.tokens,
            Some(RateLimit {
                limit: Some(150_000),
                remaining: Some(149_984),
                reset: Some(Duration::from_secs(360)),
            })
        );
        assert_eq!(limits.retry_after, None);
    }

    #[test]
    fn openrouter_headers() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let limits = RateLimits::read(
            &headers(&[
                ("x-ratelimit-limit", "20"),
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1700000002500"),
                ("retry-after", "3"),
            ]),
            now,
        )
        .unwrap();
        assert_eq!(
            limits.requests,
            Some(RateLimit {
                limit: Some(20),
                remaining: Some(0),
                reset: Some(Duration::from_millis(2500)),
            })
        );
        assert_eq!(limits.tokens, None);
        assert_eq!(limits.retry_after, Some(Duration::from_secs(3)));
    }

    #[test]
    fn malformed_or_missing_is_none() {
        assert_eq!(RateLimits::read(&HeaderMap::new(), UNIX_EPOCH), None);
        assert_eq!(
            RateLimits::read(
                &headers(&[
                    ("x-ratelimit-remaining-requests", "many"),
                    ("x-ratelimit-reset-tokens", "later"),
                    ("x-ratelimit-limit-tokens", "-5"),
                ]),
                UNIX_EPOCH
            ),
            None
        );
    }
}
