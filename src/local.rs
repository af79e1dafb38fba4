//! [`Local`]: a value that is not `Send`, where Leptos asks for `Send`.
//!
//! Leptos keeps a browser-only value behind `send_wrapper::SendWrapper`,
//! which checks on every access that it is still on the thread that made
//! it. That check asks `std::thread::current()`, and with it the module
//! carries the standard library's thread handles and the allocator they
//! are made with (`cargo xtask bench bundle`).
//!
//! The module runs on wasm without the `atomics` feature, where there is
//! one thread and nothing can reach another: there `Local` is the value
//! itself. Everywhere else (native builds: the unit tests, the docs) it is
//! a `SendWrapper`, with its check.

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
mod single_thread {
    /// A value kept on the thread that made it (see the module's notes).
    pub struct Local<T>(T);

    // SAFETY: wasm32 without the `atomics` target feature has no threads
    // but the one: no value can be sent to, or shared with, another.
    unsafe impl<T> Send for Local<T> {}
    // SAFETY: as for `Send`.
    unsafe impl<T> Sync for Local<T> {}

    impl<T> Local<T> {
        pub fn new(value: T) -> Self {
            Local(value)
        }

        pub fn take(self) -> T {
            self.0
        }

        pub fn get(&self) -> &T {
            &self.0
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", not(target_feature = "atomics"))))]
mod single_thread {
    use send_wrapper::SendWrapper;

    /// A value kept on the thread that made it (see the module's notes).
    pub struct Local<T>(SendWrapper<T>);

    impl<T> Local<T> {
        pub fn new(value: T) -> Self {
            Local(SendWrapper::new(value))
        }

        pub fn take(self) -> T {
            self.0.take()
        }

        pub fn get(&self) -> &T {
            &self.0
        }
    }
}

pub use single_thread::Local;

impl<T: Clone> Clone for Local<T> {
    fn clone(&self) -> Self {
        Local::new(self.get().clone())
    }
}
