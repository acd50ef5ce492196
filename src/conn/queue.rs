//! [`SendQueue`]: the bounded FIFO of messages sent while the connection is
//! not open, and its [`QueueLimits`].

use alloc::collections::VecDeque;

use crate::conn::message::Message;
use crate::core::error::Error;
use crate::core::text::text;

/// How much a connection may queue while it is not open.
///
/// Both limits 0 turn queueing off: a send while not open is then an
/// [`Error::QueueFull`] at once. One limit 0 and the other not is a config
/// error (it would queue only empty messages, or none at all).
///
/// ```
/// use profile_registry::conn::QueueLimits;
///
/// let d = QueueLimits::default();
/// assert_eq!((d.max_messages, d.max_bytes), (1024, 1 << 20));
/// assert!(QueueLimits { max_messages: 0, max_bytes: 0 }.validate().is_ok());
/// assert!(QueueLimits { max_messages: 10, max_bytes: 0 }.validate().is_err());
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct QueueLimits {
    /// The most messages queued at once (`queue.maxMessages`).
    pub max_messages: usize,
    /// The most bytes queued at once (`queue.maxBytes`).
    pub max_bytes: usize,
}

impl Default for QueueLimits {
    fn default() -> Self {
        QueueLimits { max_messages: 1024, max_bytes: 1 << 20 }
    }
}

impl QueueLimits {
    /// Checks that both limits are >= 1, or both 0 (no queueing).
    ///
    /// ```
    /// # use profile_registry::conn::QueueLimits;
    /// let err = QueueLimits { max_messages: 0, max_bytes: 10 }.validate().unwrap_err();
    /// assert!(err.to_string().contains("queue.maxMessages"));
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        if (self.max_messages == 0) != (self.max_bytes == 0) {
            return Err(Error::InvalidConfig(text!(
                "queue.maxMessages (",
                self.max_messages,
                ") and queue.maxBytes (",
                self.max_bytes,
                ") must both be >= 1, or both 0 to turn queueing off"
            )));
        }
        Ok(())
    }
}

/// A bounded FIFO of messages; a push that would pass either limit is
/// refused whole, and nothing is queued.
///
/// ```
/// use profile_registry::conn::{Message, QueueLimits, SendQueue};
///
/// let mut q = SendQueue::new(QueueLimits { max_messages: 2, max_bytes: 8 });
/// q.push("abc".into()).unwrap();
/// q.push("defgh".into()).unwrap();
/// assert_eq!((q.len(), q.bytes()), (2, 8));
/// assert_eq!(q.push("i".into()), Err(Message::from("i"))); // refused, handed back
/// assert_eq!(q.pop(), Some(Message::from("abc")));
/// assert_eq!(q.clear(), 1);
/// assert!(q.is_empty());
/// ```
#[derive(Clone, Debug, Default)]
pub struct SendQueue {
    items: VecDeque<Message>,
    bytes: usize,
    limits: QueueLimits,
}

impl SendQueue {
    /// An empty queue with these limits.
    ///
    /// ```
    /// # use profile_registry::conn::{QueueLimits, SendQueue};
    /// assert_eq!(SendQueue::new(QueueLimits::default()).len(), 0);
    /// ```
    pub fn new(limits: QueueLimits) -> Self {
        SendQueue { items: VecDeque::new(), bytes: 0, limits }
    }

    /// The queue's limits.
    ///
    /// ```
    /// # use profile_registry::conn::{QueueLimits, SendQueue};
    /// assert_eq!(SendQueue::new(QueueLimits::default()).limits(), QueueLimits::default());
    /// ```
    pub fn limits(&self) -> QueueLimits {
        self.limits
    }

    /// Appends `msg`, or hands it back when it would pass a limit.
    ///
    /// ```
    /// # use profile_registry::conn::{Message, QueueLimits, SendQueue};
    /// let mut q = SendQueue::new(QueueLimits { max_messages: 10, max_bytes: 4 });
    /// assert!(q.push(Message::Binary(vec![0; 5])).is_err()); // too big on its own
    /// assert!(q.is_empty());
    /// ```
    pub fn push(&mut self, msg: Message) -> Result<(), Message> {
        match self.bytes.checked_add(msg.len()) {
            Some(bytes) if bytes <= self.limits.max_bytes && self.items.len() < self.limits.max_messages => {
                self.bytes = bytes;
                self.items.push_back(msg);
                Ok(())
            }
            _ => Err(msg),
        }
    }

    /// Puts `msg` back in front, past the limits: it was queued before, and
    /// handed out for a send that did not happen.
    ///
    /// ```
    /// # use profile_registry::conn::{Message, QueueLimits, SendQueue};
    /// let mut q = SendQueue::new(QueueLimits { max_messages: 1, max_bytes: 8 });
    /// q.push("b".into()).unwrap();
    /// q.push_front("a".into());
    /// assert_eq!((q.len(), q.pop()), (2, Some(Message::from("a"))));
    /// ```
    pub fn push_front(&mut self, msg: Message) {
        self.bytes = self.bytes.saturating_add(msg.len());
        self.items.push_front(msg);
    }

    /// The oldest message, without removing it.
    ///
    /// ```
    /// # use profile_registry::conn::{Message, QueueLimits, SendQueue};
    /// let mut q = SendQueue::new(QueueLimits::default());
    /// q.push("a".into()).unwrap();
    /// assert_eq!(q.front(), Some(&Message::from("a")));
    /// ```
    pub fn front(&self) -> Option<&Message> {
        self.items.front()
    }

    /// Removes and returns the oldest message.
    ///
    /// ```
    /// # use profile_registry::conn::{QueueLimits, SendQueue};
    /// let mut q = SendQueue::new(QueueLimits::default());
    /// assert_eq!(q.pop(), None);
    /// ```
    pub fn pop(&mut self) -> Option<Message> {
        let msg = self.items.pop_front()?;
        self.bytes -= msg.len();
        Some(msg)
    }

    /// Removes every message, oldest first.
    ///
    /// ```
    /// # use profile_registry::conn::{Message, QueueLimits, SendQueue};
    /// let mut q = SendQueue::new(QueueLimits::default());
    /// q.push("a".into()).unwrap();
    /// q.push("b".into()).unwrap();
    /// let all: Vec<Message> = q.drain().collect();
    /// assert_eq!(all, ["a".into(), "b".into()]);
    /// assert_eq!(q.bytes(), 0);
    /// ```
    pub fn drain(&mut self) -> impl Iterator<Item = Message> + '_ {
        self.bytes = 0;
        self.items.drain(..)
    }

    /// Drops every message and returns how many there were, for reporting.
    ///
    /// ```
    /// # use profile_registry::conn::{QueueLimits, SendQueue};
    /// let mut q = SendQueue::new(QueueLimits::default());
    /// q.push("a".into()).unwrap();
    /// assert_eq!(q.clear(), 1);
    /// assert_eq!(q.clear(), 0);
    /// ```
    pub fn clear(&mut self) -> usize {
        let n = self.items.len();
        self.items.clear();
        self.bytes = 0;
        n
    }

    /// How many messages are queued.
    ///
    /// ```
    /// # use profile_registry::conn::{QueueLimits, SendQueue};
    /// assert_eq!(SendQueue::new(QueueLimits::default()).len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether no message is queued.
    ///
    /// ```
    /// # use profile_registry::conn::{QueueLimits, SendQueue};
    /// assert!(SendQueue::new(QueueLimits::default()).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How many bytes are queued.
    ///
    /// ```
    /// # use profile_registry::conn::{QueueLimits, SendQueue};
    /// let mut q = SendQueue::new(QueueLimits::default());
    /// q.push("héllo".into()).unwrap();
    /// assert_eq!(q.bytes(), 6);
    /// ```
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_counts() {
        let mut q = SendQueue::new(QueueLimits { max_messages: 3, max_bytes: 100 });
        for s in ["a", "bb", "ccc"] {
            q.push(s.into()).unwrap();
        }
        assert_eq!(q.push("d".into()), Err("d".into()));
        assert_eq!((q.len(), q.bytes()), (3, 6));
        assert_eq!(q.pop(), Some("a".into()));
        assert_eq!(q.bytes(), 5);
        q.push("d".into()).unwrap();
        let rest: Vec<Message> = q.drain().collect();
        assert_eq!(rest, ["bb".into(), "ccc".into(), "d".into()]);
    }

    #[test]
    fn clear_empties_and_frees_the_budget() {
        let mut q = SendQueue::new(QueueLimits { max_messages: 2, max_bytes: 4 });
        q.push("ab".into()).unwrap();
        q.push_front("cd".into());
        q.pop();
        q.push("e".into()).unwrap();
        assert_eq!((q.clear(), q.len(), q.bytes(), q.front()), (2, 0, 0, None));
        q.push("abcd".into()).unwrap();
        assert_eq!(q.push("f".into()), Err("f".into()));
        assert_eq!((q.clear(), q.clear()), (1, 0));
        assert!(q.is_empty());
    }

    #[test]
    fn byte_limit_is_inclusive_and_overflow_safe() {
        let mut q = SendQueue::new(QueueLimits { max_messages: usize::MAX, max_bytes: usize::MAX });
        q.push(Message::Binary(vec![0; 3])).unwrap();
        q.bytes = usize::MAX - 1; // as if huge messages were queued
        assert!(q.push(Message::Binary(vec![0; 2])).is_err());
        let mut q = SendQueue::new(QueueLimits { max_messages: 9, max_bytes: 4 });
        q.push("abcd".into()).unwrap();
        assert!(q.push("".into()).is_ok(), "an empty message fits a full byte budget");
        assert!(q.push("e".into()).is_err());
    }

    #[test]
    fn zero_limits_queue_nothing() {
        let mut q = SendQueue::new(QueueLimits { max_messages: 0, max_bytes: 0 });
        assert!(q.push("".into()).is_err());
        assert!(q.is_empty());
    }
}
