//! Adding token usage up over several completions (a tool loop's rounds).

use std::ops::AddAssign;

use crate::types::CompletionUsage;

/// Adds another completion's usage: the counts and every detail (cached,
/// cache-write, reasoning, audio, prediction tokens). A detail neither side
/// reported stays `None` rather than becoming an invented 0.
///
/// ```
/// use chat_api::types::{CompletionUsage, PromptTokensDetails};
///
/// let mut total = CompletionUsage { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, ..Default::default() };
/// total += &CompletionUsage {
///     prompt_tokens: 20, completion_tokens: 3, total_tokens: 23,
///     prompt_tokens_details: Some(Box::new(PromptTokensDetails { cached_tokens: Some(8), ..Default::default() })),
///     ..Default::default()
/// };
/// assert_eq!((total.prompt_tokens, total.completion_tokens, total.total_tokens), (30, 5, 35));
/// assert_eq!(total.prompt_tokens_details.unwrap().cached_tokens, Some(8));
/// assert_eq!(total.completion_tokens_details, None);
/// ```
impl AddAssign<&CompletionUsage> for CompletionUsage {
    fn add_assign(&mut self, other: &CompletionUsage) {
        self.prompt_tokens += other.prompt_tokens;
        self.completion_tokens += other.completion_tokens;
        self.total_tokens += other.total_tokens;
        if let Some(other) = &other.prompt_tokens_details {
            let mine = self.prompt_tokens_details.get_or_insert_default();
            add(&mut mine.audio_tokens, other.audio_tokens);
            add(&mut mine.cached_tokens, other.cached_tokens);
            add(&mut mine.text_tokens, other.text_tokens);
            add(&mut mine.image_tokens, other.image_tokens);
            add(&mut mine.cache_write_tokens, other.cache_write_tokens);
        }
        if let Some(other) = &other.completion_tokens_details {
            let mine = self.completion_tokens_details.get_or_insert_default();
            add(
                &mut mine.accepted_prediction_tokens,
                other.accepted_prediction_tokens,
            );
            add(&mut mine.audio_tokens, other.audio_tokens);
            add(&mut mine.reasoning_tokens, other.reasoning_tokens);
            add(&mut mine.text_tokens, other.text_tokens);
            add(
                &mut mine.rejected_prediction_tokens,
                other.rejected_prediction_tokens,
            );
        }
    }
}

fn add(total: &mut Option<i64>, other: Option<i64>) {
    if let Some(other) = other {
        *total = Some(total.unwrap_or(0) + other);
    }
}
