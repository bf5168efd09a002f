//! Constructors for the parts of a user message: text, images, audio and
//! files.
//!
//! The generated part types are shared with the response side, so they carry
//! a constant `type` tag and an `extra` map; these constructors fill both, so
//! a request never spells them out.

use crate::types::{
    ChatCompletionRequestMessageContentPartAudio, ChatCompletionRequestMessageContentPartFile,
    ChatCompletionRequestMessageContentPartImage, ChatCompletionRequestMessageContentPartText,
    ChatCompletionRequestUserMessageContentPart, ImageDetail, ImageUrl, InputAudio,
    InputAudioFormat, InputFile,
};

/// A part of a user message's content; the short name of
/// [`ChatCompletionRequestUserMessageContentPart`], with constructors for each
/// kind of part.
///
/// ```
/// use chat_api::ContentPart;
/// use chat_api::types::{ChatCompletionRequestMessage, ImageDetail};
///
/// let message = ChatCompletionRequestMessage::user(vec![
///     ContentPart::text("What is in this picture?"),
///     ContentPart::image_url_with_detail("https://example.com/cat.png", ImageDetail::Low),
/// ]);
/// assert_eq!(
///     serde_json::to_value(&message).unwrap(),
///     serde_json::json!({"role": "user", "content": [
///         {"type": "text", "text": "What is in this picture?"},
///         {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "low"}},
///     ]})
/// );
/// ```
pub type ContentPart = ChatCompletionRequestUserMessageContentPart;

impl ChatCompletionRequestUserMessageContentPart {
    /// A text part.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text(ChatCompletionRequestMessageContentPartText {
            text: text.into(),
            ..Default::default()
        })
    }

    /// An image, by URL or as a `data:image/png;base64,…` URL, at the detail
    /// level the server picks (`auto`).
    pub fn image_url(url: impl Into<String>) -> Self {
        Self::image(ImageUrl {
            url: url.into(),
            ..Default::default()
        })
    }

    /// An image at a given detail level: `Low` costs fewer tokens, `High`
    /// lets the model see fine print.
    pub fn image_url_with_detail(url: impl Into<String>, detail: ImageDetail) -> Self {
        Self::image(ImageUrl {
            url: url.into(),
            detail: Some(detail),
            ..Default::default()
        })
    }

    fn image(image_url: ImageUrl) -> Self {
        Self::ImageUrl(ChatCompletionRequestMessageContentPartImage {
            image_url,
            ..Default::default()
        })
    }

    /// Audio, base64-encoded, in the given format.
    ///
    /// ```
    /// use chat_api::ContentPart;
    /// use chat_api::types::InputAudioFormat;
    ///
    /// let part = ContentPart::input_audio("UklGRg==", InputAudioFormat::Wav);
    /// assert_eq!(
    ///     serde_json::to_value(&part).unwrap(),
    ///     serde_json::json!({"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}})
    /// );
    /// ```
    pub fn input_audio(data_base64: impl Into<String>, format: InputAudioFormat) -> Self {
        Self::InputAudio(ChatCompletionRequestMessageContentPartAudio {
            input_audio: InputAudio {
                data: data_base64.into(),
                format,
            },
            prompt_cache_breakpoint: None,
        })
    }

    /// A file uploaded beforehand through the Files API, by its id.
    ///
    /// ```
    /// use chat_api::ContentPart;
    ///
    /// let part = ContentPart::file_id("file-abc123");
    /// assert_eq!(
    ///     serde_json::to_value(&part).unwrap(),
    ///     serde_json::json!({"type": "file", "file": {"file_id": "file-abc123"}})
    /// );
    /// ```
    pub fn file_id(file_id: impl Into<String>) -> Self {
        Self::file(InputFile {
            file_id: Some(file_id.into()),
            ..Default::default()
        })
    }

    /// A file sent inline: its name and its content as a
    /// `data:application/pdf;base64,…` URL.
    pub fn file_data(filename: impl Into<String>, file_data: impl Into<String>) -> Self {
        Self::file(InputFile {
            filename: Some(filename.into()),
            file_data: Some(file_data.into()),
            file_id: None,
        })
    }

    /// A file part with every field of [`InputFile`] under the caller's control.
    pub fn file(file: InputFile) -> Self {
        Self::File(ChatCompletionRequestMessageContentPartFile {
            file,
            prompt_cache_breakpoint: None,
        })
    }
}
