//! When to retry a failed attempt and how long to wait, following OpenAI's official SDKs.

use std::time::{Duration, SystemTime};

use http::{HeaderMap, StatusCode};

/// First backoff delay.
pub(crate) const INITIAL_DELAY: Duration = Duration::from_millis(500);
/// Longest backoff delay.
pub(crate) const MAX_DELAY: Duration = Duration::from_secs(8);
/// Longest server-requested delay waited for by default (see
/// [`ClientBuilder::max_retry_after`](crate::ClientBuilder::max_retry_after)).
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Whether a response with this status and headers should be retried.
///
/// `x-should-retry` overrides everything; otherwise 408, 409, 429 and 5xx.
pub(crate) fn should_retry_status(status: StatusCode, headers: &HeaderMap) -> bool {
    match headers
        .get("x-should-retry")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
    {
        Some(v) if v.eq_ignore_ascii_case("true") => return true,
        Some(v) if v.eq_ignore_ascii_case("false") => return false,
        _ => {}
    }
    matches!(status.as_u16(), 408 | 409 | 429) || status.is_server_error()
}

/// The delay the server asked for via `retry-after-ms` or `retry-after`
/// (seconds, possibly fractional, or an HTTP date), if any and parseable.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(ms) = header("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        return Duration::try_from_secs_f64(ms / 1000.0).ok();
    }
    let value = header("retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).ok();
    }
    let date = httpdate::parse_http_date(value).ok()?;
    // A date in the past means "now".
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Exponential backoff: `min(0.5 s · 2^retry, 8 s)`, reduced by up to 25 % of jitter.
///
/// `retry` counts retries already made (0 before the first retry); `random`
/// is in `[0, 1)`.
pub(crate) fn backoff(retry: u32, random: f64) -> Duration {
    let base = INITIAL_DELAY
        .checked_mul(1u32.checked_shl(retry).unwrap_or(u32::MAX))
        .unwrap_or(MAX_DELAY)
        .min(MAX_DELAY);
    base.mul_f64(1.0 - 0.25 * random.clamp(0.0, 1.0))
}

/// How long to wait before the next attempt, or `None` to give up because the
/// server asked for a delay longer than `ceiling`.
///
/// `headers` are those of the failed response, if there was one.
pub(crate) fn delay(
    retry: u32,
    headers: Option<&HeaderMap>,
    ceiling: Duration,
    now: SystemTime,
    random: f64,
) -> Option<Duration> {
    match headers.and_then(|h| retry_after(h, now)) {
        Some(wait) if wait > ceiling => None,
        Some(wait) => Some(wait),
        None => Some(backoff(retry, random)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn retryable_statuses() {
        let none = HeaderMap::new();
        for s in [408, 409, 429, 500, 502, 503, 504, 599] {
            assert!(
                should_retry_status(StatusCode::from_u16(s).unwrap(), &none),
                "{s}"
            );
        }
        for s in [200, 400, 401, 403, 404, 422] {
            assert!(
                !should_retry_status(StatusCode::from_u16(s).unwrap(), &none),
                "{s}"
            );
        }
    }

    #[test]
    fn x_should_retry_overrides_status() {
        assert!(should_retry_status(
            StatusCode::BAD_REQUEST,
            &headers(&[("x-should-retry", "true")])
        ));
        assert!(!should_retry_status(
            StatusCode::INTERNAL_SERVER_ERROR,
            &headers(&[("x-should-retry", "false")])
        ));
        // Anything else is ignored.
        assert!(should_retry_status(
            StatusCode::TOO_MANY_REQUESTS,
            &headers(&[("x-should-retry", "maybe")])
        ));
    }

    #[test]
    fn backoff_doubles_caps_and_jitters_within_bounds() {
        assert_eq!(backoff(0, 0.0), Duration::from_millis(500));
        assert_eq!(backoff(1, 0.0), Duration::from_secs(1));
        assert_eq!(backoff(3, 0.0), Duration::from_secs(4));
        assert_eq!(backoff(4, 0.0), Duration::from_secs(8));
        assert_eq!(backoff(5, 0.0), Duration::from_secs(8));
        assert_eq!(backoff(40, 0.0), Duration::from_secs(8));
        assert_eq!(backoff(u32::MAX, 0.0), Duration::from_secs(8));
        // Jitter only ever shortens, by at most a quarter.
        assert_eq!(
            backoff(0, 0.999_999),
            Duration::from_millis(500).mul_f64(1.0 - 0.25 * 0.999_999)
        );
        for i in 0..1000 {
            let r = fastrand::f64();
            let d = backoff(i % 8, r);
            let base = backoff(i % 8, 0.0);
            assert!(d <= base && d >= base.mul_f64(0.75), "{d:?} vs {base:?}");
        }
        // Out-of-range randomness is clamped rather than producing odd delays.
        assert_eq!(backoff(0, 7.0), Duration::from_millis(375));
    }

    #[test]
    fn retry_after_ms_wins_over_retry_after() {
        let now = SystemTime::UNIX_EPOCH;
        let h = headers(&[("retry-after-ms", "1500"), ("retry-after", "30")]);
        assert_eq!(retry_after(&h, now), Some(Duration::from_millis(1500)));
        assert_eq!(
            delay(0, Some(&h), MAX_RETRY_AFTER, now, 0.5),
            Some(Duration::from_millis(1500))
        );
    }

    #[test]
    fn retry_after_seconds_fractional_and_zero() {
        let now = SystemTime::UNIX_EPOCH;
        assert_eq!(
            retry_after(&headers(&[("retry-after", "2")]), now),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", "0.25")]), now),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            delay(
                3,
                Some(&headers(&[("retry-after-ms", "0")])),
                MAX_RETRY_AFTER,
                now,
                0.0
            ),
            Some(Duration::ZERO)
        );
        // Negative or garbage values are ignored: default backoff applies.
        assert_eq!(retry_after(&headers(&[("retry-after", "-1")]), now), None);
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")]), now), None);
        assert_eq!(
            delay(
                1,
                Some(&headers(&[("retry-after", "soon")])),
                MAX_RETRY_AFTER,
                now,
                0.0
            ),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            delay(1, None, MAX_RETRY_AFTER, now, 0.0),
            Some(Duration::from_secs(1))
        );
    }

    #[test]
    fn retry_after_http_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        let h = headers(&[("retry-after", "Sun, 06 Nov 1994 08:49:47 GMT")]);
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(10)));
        let past = headers(&[("retry-after", "Sun, 06 Nov 1994 08:00:00 GMT")]);
        assert_eq!(retry_after(&past, now), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_beyond_cap_gives_up() {
        let now = SystemTime::UNIX_EPOCH;
        assert_eq!(
            delay(
                0,
                Some(&headers(&[("retry-after", "60")])),
                MAX_RETRY_AFTER,
                now,
                0.0
            ),
            Some(MAX_RETRY_AFTER)
        );
        assert_eq!(
            delay(
                0,
                Some(&headers(&[("retry-after", "61")])),
                MAX_RETRY_AFTER,
                now,
                0.0
            ),
            None
        );
        assert_eq!(
            delay(
                0,
                Some(&headers(&[("retry-after-ms", "3600000")])),
                MAX_RETRY_AFTER,
                now,
                0.0
            ),
            None
        );
        // A caller's ceiling: openai-python's 120 s waits for 90 s.
        let ninety = headers(&[("retry-after", "90")]);
        assert_eq!(
            delay(0, Some(&ninety), Duration::from_secs(120), now, 0.0),
            Some(Duration::from_secs(90))
        );
        assert_eq!(delay(0, Some(&ninety), Duration::ZERO, now, 0.0), None);
    }
}
