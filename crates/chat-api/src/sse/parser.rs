//! A byte-level parser for `text/event-stream`, following the WHATWG
//! "server-sent events" interpretation rules.
//!
//! Bytes may be split anywhere (inside a line, a UTF-8 character or a CRLF);
//! complete lines are buffered before decoding, so every split gives the same
//! events. Every input byte is scanned once (with `memchr`) and copied at
//! most twice, so parsing stays linear however the input is split.
//!
//! The usual event (one `data:` line that arrived whole in one read) is not
//! copied at all: its data is a [`Bytes`] slice of that read, so the stream
//! path allocates nothing per event before the typed decode.

use std::collections::VecDeque;

use bytes::Bytes;

/// Largest event accepted by default: 16 MiB, far above any chat chunk (a
/// chunk carrying a whole base64 audio clip or image is a few MiB) yet small
/// enough that a runaway server cannot exhaust memory.
pub const DEFAULT_MAX_EVENT_SIZE: usize = 16 * 1024 * 1024;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Event {
    /// The `event:` field; `None` for the default type ("message").
    pub event: Option<String>,
    /// The `data:` lines joined with `\n`, as sent: the reader checks
    /// UTF-8 once over the whole event.
    pub data: Bytes,
    /// The last `id:` seen, if any.
    pub id: Option<String>,
}

/// An event (or a single line) grew past the parser's bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooLarge {
    pub limit: usize,
}

/// Incremental parser: feed bytes, take events.
#[derive(Debug)]
pub(crate) struct Parser {
    /// Bytes of the current, not yet terminated line.
    line: Vec<u8>,
    /// The previous chunk ended in `\r`: a leading `\n` belongs to that line end.
    after_cr: bool,
    /// Whether the byte-order mark check at the very start has been done.
    started: bool,
    event: Option<String>,
    /// The event's `data:` lines, joined with `\n`, still as bytes: decoding
    /// once per event rather than once per line keeps long events cheap.
    data: Vec<u8>,
    /// The current event's only `data:` line so far, when it arrived whole
    /// in one read: a slice of that read instead of a copy in `data`.
    single: Option<Bytes>,
    /// Whether any `data` field was seen for the current event.
    has_data: bool,
    last_id: Option<String>,
    events: VecDeque<Event>,
    max_event_size: usize,
}

impl Default for Parser {
    fn default() -> Self {
        Parser::new(DEFAULT_MAX_EVENT_SIZE)
    }
}

impl Parser {
    /// A parser that fails once an event's buffered bytes exceed `max_event_size`.
    pub(crate) fn new(max_event_size: usize) -> Self {
        Parser {
            line: Vec::new(),
            after_cr: false,
            started: false,
            event: None,
            data: Vec::new(),
            single: None,
            has_data: false,
            last_id: None,
            events: VecDeque::new(),
            max_event_size,
        }
    }

    /// Parses `bytes`; completed events become available through
    /// [`Parser::next_event`]. Fails once the event being read holds more
    /// than the bound; the parser should then be dropped.
    pub(crate) fn feed(&mut self, read: &Bytes) -> Result<(), TooLarge> {
        let mut bytes = &read[..];
        if !self.started {
            if self.line.len() + bytes.len() < 3
                && b"\xEF\xBB\xBF".starts_with(&[&self.line[..], bytes].concat())
            {
                // Could still be a BOM: wait for more bytes.
                self.line.extend_from_slice(bytes);
                return Ok(());
            }
            self.started = true;
            if self.line.is_empty() {
                // Nothing held back: the first read is sliced like any other.
                let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
                return self.feed_lines(body, Some(read));
            }
            let mut pending = std::mem::take(&mut self.line);
            pending.extend_from_slice(bytes);
            let body = pending.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&pending);
            return self.feed_lines(body, None);
        }
        if self.after_cr && !bytes.is_empty() {
            self.after_cr = false;
            if let Some(rest) = bytes.strip_prefix(b"\n") {
                bytes = rest;
            }
        }
        self.feed_lines(bytes, Some(read))
    }

    /// `read`, when given, is the read that holds `bytes`, so a whole line
    /// can be kept as a slice of it.
    fn feed_lines(&mut self, mut bytes: &[u8], read: Option<&Bytes>) -> Result<(), TooLarge> {
        while let Some(end) = memchr::memchr2(b'\n', b'\r', bytes) {
            if self.line.is_empty() {
                // The common case: the whole line is in this chunk, no copy.
                self.process_line(&bytes[..end], read);
            } else {
                self.line.extend_from_slice(&bytes[..end]);
                let line = std::mem::take(&mut self.line);
                self.process_line(&line, None);
                // Reuse the allocation for the next line.
                self.line = line;
                self.line.clear();
            }
            self.check_size()?;
            let is_cr = bytes[end] == b'\r';
            bytes = &bytes[end + 1..];
            if is_cr {
                match bytes.first() {
                    Some(b'\n') => bytes = &bytes[1..],
                    Some(_) => {}
                    None => self.after_cr = true,
                }
            }
        }
        self.line.extend_from_slice(bytes);
        self.check_size()
    }

    fn check_size(&self) -> Result<(), TooLarge> {
        // `+ 1`: counted as joined, with its `\n`, as in `data`.
        let single = self.single.as_ref().map_or(0, |single| single.len() + 1);
        if self.line.len() + self.data.len() + single > self.max_event_size {
            return Err(TooLarge {
                limit: self.max_event_size,
            });
        }
        Ok(())
    }

    /// Signals the end of input: a final event without its blank line is still
    /// dispatched, which real servers that close right after `data: [DONE]` need.
    pub(crate) fn finish(&mut self) {
        if !self.line.is_empty() {
            let line = std::mem::take(&mut self.line);
            if self.started || !b"\xEF\xBB\xBF".starts_with(&line) {
                self.process_line(&line, None);
            }
        }
        self.dispatch();
    }

    /// The next complete event, if any.
    pub(crate) fn next_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Whether a complete event is waiting.
    pub(crate) fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    /// Drops the complete events not yet taken (the stream ended early).
    pub(crate) fn clear_events(&mut self) {
        self.events.clear();
    }

    /// `read`, when given, is the read that holds all of `line`.
    fn process_line(&mut self, line: &[u8], read: Option<&Bytes>) {
        let Some(&first) = line.first() else {
            self.dispatch();
            return;
        };
        if first == b':' {
            return; // comment / keepalive
        }
        // Nearly every line is `data:`; its field needs no search.
        let (field, value) = match line.strip_prefix(b"data:") {
            Some(value) => (&b"data"[..], value),
            None => match memchr::memchr(b':', line) {
                Some(i) => (&line[..i], &line[i + 1..]),
                None => (line, &b""[..]),
            },
        };
        let value = value.strip_prefix(b" ").unwrap_or(value);
        match field {
            b"data" => {
                match (read, self.has_data) {
                    (Some(read), false) => self.single = Some(read.slice_ref(value)),
                    _ => {
                        // A second line (or one split across reads): join
                        // the lines in `data`, the first one included.
                        if let Some(first) = self.single.take() {
                            self.data.extend_from_slice(&first);
                            self.data.push(b'\n');
                        }
                        self.data.extend_from_slice(value);
                        self.data.push(b'\n');
                    }
                }
                self.has_data = true;
            }
            b"event" => self.event = Some(String::from_utf8_lossy(value).into_owned()),
            b"id" if !value.contains(&0) => {
                self.last_id = Some(String::from_utf8_lossy(value).into_owned());
            }
            _ => {} // `retry` and unknown fields are ignored
        }
    }

    fn dispatch(&mut self) {
        let event = self.event.take();
        if !self.has_data {
            // The spec drops events without data (e.g. a lone `event:` line).
            return;
        }
        self.has_data = false;
        let data = match self.single.take() {
            Some(single) => single,
            None => {
                let mut data = std::mem::take(&mut self.data);
                if data.last() == Some(&b'\n') {
                    data.pop();
                }
                Bytes::from(data)
            }
        };
        self.events.push_back(Event {
            event: event.filter(|e| !e.is_empty()),
            data,
            id: self.last_id.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_chunks(chunks: &[&[u8]]) -> Vec<Event> {
        let mut p = Parser::default();
        let mut out = Vec::new();
        for c in chunks {
            p.feed(&Bytes::copy_from_slice(c)).unwrap();
            while let Some(e) = p.next_event() {
                out.push(e);
            }
        }
        p.finish();
        while let Some(e) = p.next_event() {
            out.push(e);
        }
        out
    }

    fn ev(event: Option<&str>, data: &str) -> Event {
        Event {
            event: event.map(str::to_owned),
            data: Bytes::copy_from_slice(data.as_bytes()),
            id: None,
        }
    }

    const SAMPLE: &[u8] = b": keepalive\r\n\r\ndata: {\"a\":1}\r\n\r\ndata: x\r\ndata: y\r\n\r\nevent: error\ndata: line one\ndata:line two\ndata\n\n: comment\r\r\
data: caf\xC3\xA9 \xE2\x9C\x93\r\rdata: [DONE]\n\nevent: done\ndata: {}\n\n";

    fn sample_events() -> Vec<Event> {
        vec![
            ev(None, "{\"a\":1}"),
            ev(None, "x\ny"),
            ev(Some("error"), "line one\nline two\n"),
            ev(None, "café ✓"),
            ev(None, "[DONE]"),
            ev(Some("done"), "{}"),
        ]
    }

    #[test]
    fn whole_input() {
        assert_eq!(parse_chunks(&[SAMPLE]), sample_events());
    }

    #[test]
    fn every_single_split_point() {
        for i in 0..=SAMPLE.len() {
            let (a, b) = SAMPLE.split_at(i);
            assert_eq!(parse_chunks(&[a, b]), sample_events(), "split at {i}");
        }
    }

    #[test]
    fn every_pair_of_split_points() {
        for i in 0..=SAMPLE.len() {
            for j in i..=SAMPLE.len() {
                let chunks = [&SAMPLE[..i], &SAMPLE[i..j], &SAMPLE[j..]];
                assert_eq!(parse_chunks(&chunks), sample_events(), "split at {i},{j}");
            }
        }
    }

    #[test]
    fn byte_at_a_time() {
        let chunks: Vec<&[u8]> = SAMPLE.chunks(1).collect();
        assert_eq!(parse_chunks(&chunks), sample_events());
    }

    #[test]
    fn event_type_resets_after_dispatch_and_id_persists() {
        let got = parse_chunks(&[b"id: 7\nevent: a\ndata: 1\n\ndata: 2\n\n"]);
        assert_eq!(
            got[0],
            Event {
                event: Some("a".into()),
                data: "1".into(),
                id: Some("7".into())
            }
        );
        assert_eq!(
            got[1],
            Event {
                event: None,
                data: "2".into(),
                id: Some("7".into())
            }
        );
    }

    #[test]
    fn no_data_no_event() {
        assert!(parse_chunks(&[b"event: ping\n\n: hi\n\nretry: 10\n\n"]).is_empty());
    }

    #[test]
    fn empty_data_field_is_dispatched_as_empty() {
        assert_eq!(parse_chunks(&[b"data\n\n"]), vec![ev(None, "")]);
        assert_eq!(parse_chunks(&[b"data:\ndata:\n\n"]), vec![ev(None, "\n")]);
    }

    #[test]
    fn only_one_leading_space_is_stripped() {
        assert_eq!(parse_chunks(&[b"data:  x \n\n"]), vec![ev(None, " x ")]);
    }

    #[test]
    fn trailing_event_without_blank_line_is_flushed_at_end() {
        assert_eq!(
            parse_chunks(&[b"data: {}\n\ndata: [DONE]"]),
            vec![ev(None, "{}"), ev(None, "[DONE]")]
        );
        assert_eq!(parse_chunks(&[b"data: [DONE]\n"]), vec![ev(None, "[DONE]")]);
    }

    #[test]
    fn byte_order_mark_is_skipped_even_when_split() {
        let input = b"\xEF\xBB\xBFdata: x\n\n";
        for i in 0..=input.len() {
            let (a, b) = input.split_at(i);
            assert_eq!(parse_chunks(&[a, b]), vec![ev(None, "x")], "split at {i}");
        }
        // A second BOM is data, not skipped.
        assert_eq!(
            parse_chunks(&[b"data: \xEF\xBB\xBFx\n\n"]),
            vec![ev(None, "\u{feff}x")]
        );
    }

    #[test]
    fn invalid_utf8_is_kept_as_sent_for_the_reader() {
        // The stream replaces it (`stream::tests::invalid_utf8_is_replaced_not_fatal`),
        // once per event; the parser neither checks nor copies.
        let got = parse_chunks(&[b"data: \xFF\n\n"]);
        assert_eq!(got.len(), 1);
        assert_eq!(&got[0].data[..], b"\xFF");
    }

    #[test]
    fn a_whole_line_is_a_slice_of_the_read_and_a_split_one_is_joined() {
        let read = Bytes::from_static(b"data: {\"a\":1}\n\ndata: {\"b\":");
        let mut p = Parser::default();
        p.feed(&read).unwrap();
        let whole = p.next_event().expect("the first event");
        assert_eq!(&whole.data[..], b"{\"a\":1}");
        // No copy: the event's data lies inside the read.
        let span = read.as_ptr_range();
        assert!(span.contains(&whole.data.as_ptr()));
        p.feed(&Bytes::from_static(b"2}\ndata: x\n\n")).unwrap();
        let joined = p.next_event().expect("the second event");
        assert_eq!(&joined.data[..], b"{\"b\":2}\nx");
        assert!(!span.contains(&joined.data.as_ptr()));
    }

    #[test]
    fn an_event_over_the_bound_fails_even_when_split() {
        let mut p = Parser::new(10);
        assert_eq!(
            p.feed(&Bytes::from_static(b"data: 0123456789\n\n")),
            Err(TooLarge { limit: 10 })
        );
        // Across data lines and feeds: the bound is per event, not per line.
        let mut p = Parser::new(16);
        assert!(p.feed(&Bytes::from_static(b"data: 01234\ndata: 5")).is_ok());
        assert_eq!(
            p.feed(&Bytes::from_static(b"6789abcdef")),
            Err(TooLarge { limit: 16 })
        );
        // The buffer empties at each event, so many small events are fine.
        let mut p = Parser::new(10);
        for _ in 0..100 {
            assert!(p.feed(&Bytes::from_static(b"data: 0123\n\n")).is_ok());
            assert_eq!(
                p.next_event().map(|e| e.data).as_deref(),
                Some(&b"0123"[..])
            );
        }
    }

    #[test]
    fn a_multi_megabyte_event_in_tiny_pieces_parses_in_linear_time() {
        // 4 MiB of data, fed 7 bytes at a time: a quadratic parser (rescanning
        // or re-copying the pending line per feed) would do ~10^12 byte
        // operations and never finish; this one takes milliseconds.
        let payload = "x".repeat(4 << 20);
        let input = format!("data: {payload}\r\n\r\n");
        let mut p = Parser::default();
        let started = std::time::Instant::now();
        for piece in input.as_bytes().chunks(7) {
            p.feed(&Bytes::copy_from_slice(piece)).unwrap();
        }
        let event = p.next_event().expect("one event");
        assert_eq!(event.data.len(), payload.len());
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
    }
}
