//! The hot response types stay small: they are decoded, moved into their
//! parents and dropped once per stream chunk, choice or logprob token, and
//! every byte is copied at each level (crates/chat-api-bench). Rarely
//! present members are boxed and unknown properties cost one pointer until
//! one arrives; these bounds catch a change that inlines them again.

use chat_api::types::{
    ChatCompletionChoice, ChatCompletionChunkChoice, ChatCompletionMessageToolCall,
    ChatCompletionResponseMessage, ChatCompletionStreamResponseDelta, ChatCompletionTokenLogprob,
    CreateChatCompletionResponse, CreateChatCompletionStreamResponse, ToolCall,
};

/// Bounds in bytes on a 64-bit target, at the sizes this layout has (before
/// boxing: a response was 1,032 bytes, a chunk 1,024, a logprob token 152;
/// async-openai 0.43's are 360, 312 and 80). `usage` (48 bytes) stays
/// inline: present in every response, a box would cost more than it saves.
#[cfg(target_pointer_width = "64")]
#[test]
fn hot_response_types_stay_small() {
    let sizes = [
        (
            "CreateChatCompletionResponse",
            size_of::<CreateChatCompletionResponse>(),
            256,
        ),
        (
            "CreateChatCompletionStreamResponse",
            size_of::<CreateChatCompletionStreamResponse>(),
            248,
        ),
        (
            "ChatCompletionChoice",
            size_of::<ChatCompletionChoice>(),
            192,
        ),
        (
            "ChatCompletionChunkChoice",
            size_of::<ChatCompletionChunkChoice>(),
            168,
        ),
        (
            "ChatCompletionResponseMessage",
            size_of::<ChatCompletionResponseMessage>(),
            144,
        ),
        (
            "ChatCompletionStreamResponseDelta",
            size_of::<ChatCompletionStreamResponseDelta>(),
            120,
        ),
        (
            "ChatCompletionTokenLogprob",
            size_of::<ChatCompletionTokenLogprob>(),
            88,
        ),
        (
            "ChatCompletionMessageToolCall",
            size_of::<ChatCompletionMessageToolCall>(),
            112,
        ),
        ("ToolCall", size_of::<ToolCall>(), 120),
    ];
    let too_large: Vec<String> = sizes
        .iter()
        .filter(|(_, size, bound)| size > bound)
        .map(|(name, size, bound)| format!("{name}: {size} bytes > {bound}"))
        .collect();
    assert!(too_large.is_empty(), "{too_large:#?}");
}
