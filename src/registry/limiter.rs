//! One request limiter per registry host, shared by every concurrent image and request of a
//! run: a token bucket of `max_rps` requests per second (when set), and a pause that a 429
//! with `Retry-After` puts on the whole host, so a throttled registry slows the run instead of
//! failing its images.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// The limiter of one host. `acquire` before each request; `pause` after a 429 with
/// `Retry-After`.
#[derive(Debug)]
pub(super) struct Limiter {
    /// Seconds between requests (1 / max_rps), none when unlimited.
    interval: Option<Duration>,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// The earliest instant the next request may go out (the bucket, capacity one).
    next: Instant,
    /// No request goes out before this instant (the server's `Retry-After`).
    paused_until: Instant,
}

impl Limiter {
    /// A limiter of `max_rps` requests per second (none or ≤ 0: unlimited).
    pub(super) fn new(max_rps: Option<f64>) -> Self {
        let now = Instant::now();
        Limiter {
            interval: max_rps
                .filter(|r| *r > 0.0 && r.is_finite())
                .map(|r| Duration::from_secs_f64(1.0 / r)),
            state: Mutex::new(State {
                next: now,
                paused_until: now,
            }),
        }
    }

    /// Waits until this host may take one more request, and books its slot.
    pub(super) async fn acquire(&self) {
        let at = {
            let mut st = self.state.lock().expect("limiter lock");
            let now = Instant::now();
            let at = st.next.max(st.paused_until).max(now);
            if let Some(i) = self.interval {
                st.next = at + i;
            }
            at
        };
        if at > Instant::now() {
            tokio::time::sleep_until(at).await;
        }
    }

    /// Holds every request to this host for `d` from now (a 429's `Retry-After`).
    pub(super) fn pause(&self, d: Duration) {
        let mut st = self.state.lock().expect("limiter lock");
        let until = Instant::now() + d;
        if until > st.paused_until {
            st.paused_until = until;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bucket_spaces_requests_and_pause_holds_all() {
        let l = Limiter::new(Some(5.0));
        let t0 = Instant::now();
        for _ in 0..6 {
            l.acquire().await;
        }
        // 6 requests at 5/s: the first goes at once, the sixth after 5 × 0.2 s
        assert!(t0.elapsed() >= Duration::from_millis(1000));
        let l = Limiter::new(None);
        l.pause(Duration::from_secs(1));
        let t1 = Instant::now();
        l.acquire().await;
        assert!(t1.elapsed() >= Duration::from_secs(1));
    }
}
