//! [`Message`]: one WebSocket message, text or binary.

use alloc::string::String;
use alloc::vec::Vec;

/// One WebSocket message, sent or received.
///
/// ```
/// use profile_registry::conn::Message;
///
/// let text = Message::from("héllo");
/// assert_eq!(text.len(), 6); // UTF-8 bytes
/// let bin = Message::from(vec![1u8, 2, 3]);
/// assert_eq!(bin, Message::Binary(vec![1, 2, 3]));
/// assert!(!bin.is_empty());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Message {
    /// A text message.
    Text(String),
    /// A binary message.
    Binary(Vec<u8>),
    /// A message whose bytes the host keeps (the JS entry holds sends in
    /// JS, so they never enter wasm memory); only its size is known here.
    /// A transport sends the host's oldest held message for it.
    Held(usize),
}

impl Message {
    /// The size in bytes: UTF-8 bytes for text, the byte count for binary.
    ///
    /// ```
    /// # use profile_registry::conn::Message;
    /// assert_eq!(Message::Text("ü".into()).len(), 2);
    /// assert_eq!(Message::Binary(vec![0; 5]).len(), 5);
    /// ```
    pub fn len(&self) -> usize {
        match self {
            Message::Text(s) => s.len(),
            Message::Binary(b) => b.len(),
            Message::Held(n) => *n,
        }
    }

    /// Whether the message has no bytes.
    ///
    /// ```
    /// # use profile_registry::conn::Message;
    /// assert!(Message::Text(String::new()).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<&str> for Message {
    fn from(s: &str) -> Self {
        Message::Text(s.into())
    }
}

impl From<String> for Message {
    fn from(s: String) -> Self {
        Message::Text(s)
    }
}

impl From<Vec<u8>> for Message {
    fn from(b: Vec<u8>) -> Self {
        Message::Binary(b)
    }
}

impl From<&[u8]> for Message {
    fn from(b: &[u8]) -> Self {
        Message::Binary(b.to_vec())
    }
}
