//! Cursor pagination in OpenAI's style: `after=<last id>` until `has_more` is false.

use std::collections::VecDeque;

use futures_core::Stream;

/// One page of a list response.
pub trait Page {
    /// The listed item.
    type Item;
    /// The items, whether more pages exist, and the cursor for the next page
    /// (usually the id of the last item).
    fn into_parts(self) -> (Vec<Self::Item>, bool, Option<String>);
}

/// A list query whose cursor can be moved to the next page.
pub trait CursorQuery: Clone {
    /// Sets the cursor (the `after` parameter).
    fn set_cursor(&mut self, cursor: String);
}

struct State<Q, I, F> {
    next: Option<Q>,
    items: VecDeque<I>,
    fetch: F,
    last_cursor: Option<String>,
}

/// Streams the items of every page, fetching the next page only when the
/// previous one is used up, so nothing is requested until the stream is polled.
///
/// Stops when a page says `has_more: false`, has no cursor or no items, or
/// repeats the previous cursor (mock servers that always say `has_more: true`
/// would otherwise loop forever). After an error the stream ends.
pub fn paginate<'a, Q, P, F, Fut>(
    query: Q,
    fetch: F,
) -> impl Stream<Item = crate::Result<P::Item>> + 'a
where
    Q: CursorQuery + 'a,
    P: Page + 'a,
    P::Item: 'a,
    F: FnMut(Q) -> Fut + 'a,
    Fut: Future<Output = crate::Result<P>> + 'a,
{
    let state = State {
        next: Some(query),
        items: VecDeque::new(),
        fetch,
        last_cursor: None,
    };
    futures_util::stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.items.pop_front() {
                return Some((Ok(item), state));
            }
            let query = state.next.take()?;
            match (state.fetch)(query.clone()).await {
                Err(e) => return Some((Err(e), state)),
                Ok(page) => {
                    let (items, has_more, cursor) = page.into_parts();
                    if has_more
                        && !items.is_empty()
                        && let Some(cursor) =
                            cursor.filter(|c| state.last_cursor.as_ref() != Some(c))
                    {
                        let mut query = query;
                        query.set_cursor(cursor.clone());
                        state.last_cursor = Some(cursor);
                        state.next = Some(query);
                    }
                    state.items = items.into();
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;
    use std::cell::RefCell;

    #[derive(Clone, Debug, PartialEq)]
    struct Q {
        after: Option<String>,
    }
    impl CursorQuery for Q {
        fn set_cursor(&mut self, cursor: String) {
            self.after = Some(cursor);
        }
    }
    struct P(Vec<u32>, bool);
    impl Page for P {
        type Item = u32;
        fn into_parts(self) -> (Vec<u32>, bool, Option<String>) {
            let last = self.0.last().map(|i| i.to_string());
            (self.0, self.1, last)
        }
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        // The fetchers below never pend, so a no-op waker suffices.
        let mut f = std::pin::pin!(f);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        loop {
            if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    #[test]
    fn follows_cursor_and_stops_on_has_more_false() {
        let seen = RefCell::new(Vec::new());
        let stream = paginate(Q { after: None }, |q: Q| {
            seen.borrow_mut().push(q.after.clone());
            let page = match q.after.as_deref() {
                None => P(vec![1, 2], true),
                Some("2") => P(vec![3], true),
                Some("3") => P(vec![4], false),
                _ => P(vec![99], false),
            };
            async move { Ok::<_, crate::Error>(page) }
        });
        let items: Vec<u32> = block_on(stream.map(|r| r.unwrap()).collect());
        assert_eq!(items, vec![1, 2, 3, 4]);
        assert_eq!(
            *seen.borrow(),
            vec![None, Some("2".into()), Some("3".into())]
        );
    }

    #[test]
    fn lazy_and_stops_on_empty_or_repeated_cursor() {
        let calls = RefCell::new(0);
        let stream = paginate(Q { after: None }, |_q: Q| {
            *calls.borrow_mut() += 1;
            // A mock that always says has_more with the same items.
            async { Ok::<_, crate::Error>(P(vec![7], true)) }
        });
        assert_eq!(*calls.borrow(), 0, "nothing is fetched before polling");
        let items: Vec<u32> = block_on(stream.map(|r| r.unwrap()).collect());
        assert_eq!(items, vec![7, 7]);
        assert_eq!(*calls.borrow(), 2);

        let stream = paginate(Q { after: None }, |_q: Q| async {
            Ok::<_, crate::Error>(P(vec![], true))
        });
        assert_eq!(block_on(stream.collect::<Vec<_>>()).len(), 0);
    }

    #[test]
    fn error_ends_the_stream() {
        let stream = paginate(Q { after: None }, |_q: Q| async {
            Err::<P, _>(crate::Error::Timeout)
        });
        let out = block_on(stream.collect::<Vec<_>>());
        assert_eq!(out.len(), 1);
        assert!(matches!(out[0], Err(crate::Error::Timeout)));
    }
}
