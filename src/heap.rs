//! The wasm's allocator: a free list per size class, over memory that only
//! grows (`memory.grow`), in a few hundred bytes of code.
//!
//! The classes are the powers of two from 8 bytes and, above 32 bytes, the
//! sizes halfway between them in ratio (3/4 of the next power: 48, 96, 192,
//! 384, ...), so a block is at most 1.5 times its request past 32 bytes
//! rather than 2 (a 300-byte request takes 384 bytes, not 512).
//! A request takes the smallest class that holds it; a freed block goes
//! back to its class's list, and the next request of that class takes it
//! again, so a workload that frees what it allocates keeps the memory flat.
//! Blocks are aligned to their size up to 16 bytes (the 3/4 classes, all
//! multiples of 16, to 16); larger alignments are refused (a null pointer:
//! an allocation error).
//!
//! [`Heap`] is plain logic over a [`Grow`] (the wasm's memory, or a test's
//! buffer), so it tests natively.
//!
//! ```
//! # use profile_registry::heap::{Grow, Heap, PAGE};
//! // A heap over a buffer of 4 pages (a test's stand-in for memory.grow).
//! struct Buffer { base: usize, pages: usize, used: usize }
//! impl Grow for Buffer {
//!     fn grow(&mut self, pages: usize) -> Option<usize> {
//!         (self.used + pages <= self.pages).then(|| { self.used += pages; self.base + (self.used - pages) * PAGE })
//!     }
//! }
//! let mut memory = vec![0u128; 5 * PAGE / 16];
//! let base = (memory.as_mut_ptr() as usize).next_multiple_of(PAGE);
//! let mut heap = Heap::new(Buffer { base, pages: 4, used: 0 });
//! let a = heap.alloc(24, 8);
//! assert_eq!(a % 8, 0);
//! heap.free(a, 24, 8);
//! assert_eq!(heap.alloc(30, 8), a, "a freed block is taken again by its class");
//! ```

/// Bytes in a wasm memory page.
pub const PAGE: usize = 65536;

/// Where a [`Heap`] gets its memory.
pub trait Grow {
    /// Grows the memory by `pages` pages; the address where they start, or
    /// `None` when there is no more.
    fn grow(&mut self, pages: usize) -> Option<usize>;
}

/// Free lists by size class over a [`Grow`]. Addresses are `usize`; 0 is
/// "none" (a failed allocation, an empty list).
pub struct Heap<G> {
    /// The first free block of each class (block size [`Heap::block`]);
    /// each free block holds the address of the next.
    free: [usize; 2 * usize::BITS as usize],
    /// The unused memory at the end: `[top, end)`.
    top: usize,
    end: usize,
    grow: G,
}

impl<G: Grow> Heap<G> {
    /// An empty heap that takes its memory from `grow` when first used.
    pub const fn new(grow: G) -> Self {
        Heap { free: [0; 2 * usize::BITS as usize], top: 0, end: 0, grow }
    }

    /// The class of a request: `2k` for a block of `2^k` bytes, `2k - 1`
    /// for one of `3 * 2^(k-2)` (below `2 * usize::BITS`).
    fn class(size: usize, align: usize) -> Option<u32> {
        if align > 16 {
            return None;
        }
        let n = size.max(align).max(8);
        let k = n.checked_next_power_of_two()?.trailing_zeros();
        Some(if k > 5 && n <= 3 << (k - 2) { 2 * k - 1 } else { 2 * k })
    }

    /// The block size of a class.
    fn block(class: u32) -> usize {
        if class % 2 == 0 {
            1 << (class / 2)
        } else {
            3 << (class / 2 - 1)
        }
    }

    /// The free list of a class.
    fn list(&mut self, class: u32) -> &mut usize {
        // `class` is below `2 * usize::BITS`: the mask changes nothing, and
        // spares a bounds check.
        &mut self.free[(class % (2 * usize::BITS)) as usize]
    }

    /// A block for `size` bytes aligned to `align`, or 0.
    pub fn alloc(&mut self, size: usize, align: usize) -> usize {
        let Some(class) = Self::class(size, align) else { return 0 };
        let list = self.list(class);
        let head = *list;
        if head != 0 {
            // SAFETY: a free block of this heap holds the next one's address.
            *list = unsafe { *(head as *const usize) };
            return head;
        }
        let block = Self::block(class);
        let align = block.min(16);
        loop {
            let start = (self.top + align - 1) & !(align - 1);
            if let Some(end) = start.checked_add(block).filter(|&e| e <= self.end) {
                self.top = end;
                return start;
            }
            // Enough pages for the block even at a new region's start.
            let pages = block.div_ceil(PAGE);
            let Some(at) = self.grow.grow(pages) else { return 0 };
            if at != self.end {
                self.top = at;
            }
            self.end = at + pages * PAGE;
        }
    }

    /// Gives back the block at `ptr`, allocated for `size` and `align`.
    pub fn free(&mut self, ptr: usize, size: usize, align: usize) {
        if let Some(class) = Self::class(size, align) {
            let list = self.list(class);
            // SAFETY: the block is at least 8 bytes and no longer in use.
            unsafe { *(ptr as *mut usize) = *list };
            *list = ptr;
        }
    }

    /// Whether a block for `old` bytes also holds `new` bytes (same class).
    pub fn fits(old: usize, new: usize, align: usize) -> bool {
        Self::class(old, align) == Self::class(new, align)
    }
}

#[cfg(target_arch = "wasm32")]
mod wasm {
    use core::alloc::{GlobalAlloc, Layout};
    use core::cell::UnsafeCell;

    use super::{Grow, Heap, PAGE};

    /// The wasm's own memory (index 0).
    pub struct Memory;

    impl Grow for Memory {
        fn grow(&mut self, pages: usize) -> Option<usize> {
            let old = core::arch::wasm32::memory_grow(0, pages);
            (old != usize::MAX).then_some(old * PAGE)
        }
    }

    /// The global allocator: one [`Heap`] over the wasm's memory.
    pub struct Global(UnsafeCell<Heap<Memory>>);

    // SAFETY: the wasm is single-threaded (the std build keeps no state in
    // statics; the no_std build refuses `atomics`, lib.rs), so the heap is
    // never used from two threads.
    unsafe impl Sync for Global {}

    impl Global {
        /// An allocator that grows the memory when first used.
        pub const fn new() -> Self {
            Global(UnsafeCell::new(Heap::new(Memory)))
        }

        #[allow(clippy::mut_from_ref)]
        fn heap(&self) -> &mut Heap<Memory> {
            // SAFETY: single-threaded, and no method of `Heap` re-enters the allocator.
            unsafe { &mut *self.0.get() }
        }
    }

    unsafe impl GlobalAlloc for Global {
        unsafe fn alloc(&self, l: Layout) -> *mut u8 {
            self.heap().alloc(l.size(), l.align()) as *mut u8
        }

        unsafe fn dealloc(&self, ptr: *mut u8, l: Layout) {
            self.heap().free(ptr as usize, l.size(), l.align());
        }

        unsafe fn realloc(&self, ptr: *mut u8, l: Layout, new: usize) -> *mut u8 {
            if Heap::<Memory>::fits(l.size(), new, l.align()) {
                return ptr;
            }
            let to = self.heap().alloc(new, l.align()) as *mut u8;
            if !to.is_null() {
                core::ptr::copy_nonoverlapping(ptr, to, l.size().min(new));
                self.dealloc(ptr, l);
            }
            to
        }
    }
}

#[cfg(target_arch = "wasm32")]
pub use wasm::Global;

#[cfg(test)]
mod tests {
    use super::*;

    /// A buffer of `pages` pages standing in for the wasm memory.
    struct Buffer {
        memory: Vec<u128>,
        pages: usize,
        used: usize,
        grows: usize,
    }

    impl Buffer {
        fn new(pages: usize) -> Self {
            Buffer { memory: vec![0; (pages + 1) * PAGE / 16], pages, used: 0, grows: 0 }
        }
    }

    impl Grow for Buffer {
        fn grow(&mut self, pages: usize) -> Option<usize> {
            if self.used + pages > self.pages {
                return None;
            }
            let base = (self.memory.as_mut_ptr() as usize).next_multiple_of(PAGE);
            self.used += pages;
            self.grows += 1;
            Some(base + (self.used - pages) * PAGE)
        }
    }

    #[test]
    fn blocks_are_aligned_disjoint_and_writable() {
        let mut heap = Heap::new(Buffer::new(64));
        let mut blocks = Vec::new();
        for (i, size) in [1, 7, 8, 9, 16, 17, 100, 4096, 70_000, 3, 65_536].into_iter().enumerate() {
            let align = [1, 2, 4, 8, 16][i % 5];
            let a = heap.alloc(size, align);
            assert_ne!(a, 0);
            assert_eq!(a % align, 0, "{size} bytes aligned to {align}");
            // SAFETY: the block is ours, `size` bytes.
            unsafe { core::ptr::write_bytes(a as *mut u8, i as u8, size) };
            blocks.push((a, size, i as u8));
        }
        for &(a, size, fill) in &blocks {
            // SAFETY: as above; no other block overlaps it.
            let bytes = unsafe { core::slice::from_raw_parts(a as *const u8, size) };
            assert!(bytes.iter().all(|&b| b == fill), "block at {a:#x} was overwritten");
        }
    }

    #[test]
    fn freed_memory_is_used_again_so_a_steady_workload_stays_flat() {
        let mut heap = Heap::new(Buffer::new(16));
        for round in 0..10_000 {
            let sizes = [12, 40, 40, 300, 5000, 1 + round % 900];
            let blocks: Vec<usize> = sizes.iter().map(|&s| heap.alloc(s, 8)).collect();
            assert!(blocks.iter().all(|&b| b != 0));
            for (&b, &s) in blocks.iter().zip(&sizes).rev() {
                heap.free(b, s, 8);
            }
        }
        assert_eq!(heap.grow.grows, 1, "one page served 10,000 rounds");
    }

    #[test]
    fn same_class_sizes_share_a_block() {
        assert!(Heap::<Buffer>::fits(9, 16, 8));
        assert!(!Heap::<Buffer>::fits(16, 17, 8));
        assert!(Heap::<Buffer>::fits(1, 8, 1));
        assert!(Heap::<Buffer>::fits(33, 48, 8));
        assert!(!Heap::<Buffer>::fits(48, 49, 8));
        assert!(Heap::<Buffer>::fits(257, 384, 16));
        assert!(!Heap::<Buffer>::fits(384, 385, 16));
    }

    #[test]
    fn a_block_holds_its_request_with_at_most_half_again_past_32_bytes() {
        let mut last = 0;
        for size in 1..70_000 {
            let class = Heap::<Buffer>::class(size, 8).unwrap();
            let block = Heap::<Buffer>::block(class);
            assert!(block >= size, "{size} bytes in a block of {block}");
            assert!(size <= 32 || 2 * block <= 3 * size, "{size} bytes in a block of {block}");
            assert!(block.is_power_of_two() || block % 48 == 0 && (block / 3).is_power_of_two(), "{block}");
            assert!(block >= last, "classes grow with the request");
            last = block;
        }
        assert_eq!(Heap::<Buffer>::block(Heap::<Buffer>::class(376, 8).unwrap()), 384);
    }

    #[test]
    fn three_quarter_blocks_are_aligned_to_16_among_other_classes() {
        let mut heap = Heap::new(Buffer::new(8));
        for round in 0..2_000 {
            let size = [8, 40, 48, 72, 96, 200, 376, 700][round % 8];
            let align = [1, 8, 16][round % 3];
            let a = heap.alloc(size, align);
            assert_ne!(a, 0);
            let block = Heap::<Buffer>::block(Heap::<Buffer>::class(size, align).unwrap());
            assert_eq!(a % block.min(16), 0, "{size} bytes (a block of {block}) at {a:#x}");
        }
    }

    #[test]
    fn exhaustion_and_large_alignments_are_null_not_a_panic() {
        let mut heap = Heap::new(Buffer::new(2));
        assert_eq!(heap.alloc(3 * PAGE, 8), 0);
        assert_eq!(heap.alloc(64, 32), 0);
        assert_eq!(heap.alloc(usize::MAX / 2 + 2, 8), 0);
        assert_ne!(heap.alloc(PAGE, 8), 0, "what fits is still served");
    }

    #[test]
    fn a_region_that_is_not_contiguous_starts_afresh() {
        let mut heap = Heap::new(Buffer::new(8));
        let a = heap.alloc(100, 8);
        heap.grow.used += 1; // someone else took a page
        let b = heap.alloc(PAGE, 8);
        assert_ne!(b, 0);
        assert!(b >= a + PAGE, "the new block starts in the new region");
    }
}
