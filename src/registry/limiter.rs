//! One request limiter per host (`name[:port]`: a registry's API host, a token server, an
//! upload host), shared by every concurrent image, blob and request of a run: a token bucket
//! of `max_rps` requests per second (burst: one second's worth, at least one request), and a
//! pause that a `429 Too Many Requests` with `Retry-After` (RFC 9110 §10.2.3, RFC 6585 §4)
//! puts on the whole host, so a throttled registry slows the run instead of failing its images.
//!
//! Every request of the registry client waits here first ([`super::Client`]'s one send).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// The longest pause one `Retry-After` puts on a host (the retry policy's cap too).
pub(super) const MAX_PAUSE: Duration = Duration::from_secs(60);

/// The limiters of a run, one per host, made on first use. Cheap to clone; clones share the
/// limiters, so every [`super::Client`] built from options holding clones of one `Limiters`
/// (a copy's source and destination clients, a sync's per-registry clients) counts requests
/// to a host together.
#[derive(Clone, Default)]
pub struct Limiters {
    map: Arc<Mutex<HashMap<String, Arc<Limiter>>>>,
}

impl std::fmt::Debug for Limiters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hosts = self.map.lock().map(|m| m.len()).unwrap_or(0);
        f.debug_struct("Limiters").field("hosts", &hosts).finish()
    }
}

impl Limiters {
    /// The limiter of `host` (`name[:port]`, lowercase as in URLs); when it is new, made with
    /// the rate `max_rps` returns (requests per second; none or 0: unlimited).
    pub(super) fn get(&self, host: &str, max_rps: impl FnOnce() -> Option<f64>) -> Arc<Limiter> {
        self.map
            .lock()
            .expect("limiters lock")
            .entry(host.to_string())
            .or_insert_with(|| Arc::new(Limiter::new(max_rps())))
            .clone()
    }
}

/// The limiter of one host. [`Limiter::acquire`] before each request; [`Limiter::pause`] after
/// a 429 with `Retry-After`.
#[derive(Debug)]
pub(super) struct Limiter {
    rate: Option<Rate>,
    state: Mutex<State>,
}

/// A token bucket as a virtual schedule (the generic cell rate algorithm): a request may go
/// out once `tat - tolerance` has come, then books `interval` more.
#[derive(Debug, Clone, Copy)]
struct Rate {
    /// Time per request: 1 / max_rps.
    interval: Duration,
    /// How far ahead of the schedule a burst may run: (burst − 1) × interval.
    tolerance: Duration,
}

#[derive(Debug)]
struct State {
    /// The theoretical arrival time of the next request: when the bucket would be empty.
    tat: Instant,
    /// No request goes out before this instant (the server's `Retry-After`).
    paused_until: Instant,
}

impl Limiter {
    /// A limiter of `max_rps` requests per second with a burst of `max(1, ⌊max_rps⌋)`
    /// requests (the bucket starts full); none, 0, negative or not finite: unlimited (only
    /// pauses apply).
    pub(super) fn new(max_rps: Option<f64>) -> Self {
        let now = Instant::now();
        let rate = max_rps.filter(|r| *r > 0.0 && r.is_finite()).map(|r| {
            let interval = Duration::from_secs_f64(1.0 / r);
            let burst = r.floor().max(1.0);
            Rate {
                interval,
                tolerance: interval.mul_f64(burst - 1.0),
            }
        });
        Limiter {
            rate,
            state: Mutex::new(State {
                tat: now,
                paused_until: now,
            }),
        }
    }

    /// Waits until this host may take one more request and takes its token. A pause that
    /// comes while waiting is honoured too (the slot is booked again after it). Returns how
    /// long it waited.
    pub(super) async fn acquire(&self) -> Duration {
        let started = Instant::now();
        loop {
            let at = {
                let mut st = self.state.lock().expect("limiter lock");
                let now = Instant::now();
                let mut at = now.max(st.paused_until);
                if let Some(r) = self.rate {
                    let tat = st.tat.max(now);
                    if let Some(earliest) = tat.checked_sub(r.tolerance) {
                        at = at.max(earliest);
                    }
                    st.tat = tat.max(at) + r.interval;
                }
                at
            };
            if at > Instant::now() {
                tokio::time::sleep_until(at).await;
            }
            let paused_until = self.state.lock().expect("limiter lock").paused_until;
            if paused_until <= Instant::now() {
                return started.elapsed();
            }
        }
    }

    /// Holds every request to this host for `d` from now (at most [`MAX_PAUSE`]): a 429's
    /// `Retry-After`. Requests resume at the host's rate without a burst.
    pub(super) fn pause(&self, d: Duration) {
        let mut st = self.state.lock().expect("limiter lock");
        let until = Instant::now() + d.min(MAX_PAUSE);
        if until > st.paused_until {
            st.paused_until = until;
        }
        if let Some(r) = self.rate {
            st.tat = st.tat.max(until + r.tolerance);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Acquires `n` tokens one after another; returns each one's instant after `t0`.
    async fn times(l: &Limiter, n: usize, t0: Instant) -> Vec<Duration> {
        let mut v = Vec::new();
        for _ in 0..n {
            l.acquire().await;
            v.push(t0.elapsed());
        }
        v
    }

    fn ms(v: &[u64]) -> Vec<Duration> {
        v.iter().map(|m| Duration::from_millis(*m)).collect()
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_bucket_bursts_then_refills_at_the_rate() {
        let l = Limiter::new(Some(5.0));
        let t0 = Instant::now();
        // Burst of 5 at once, then one every 200 ms.
        assert_eq!(times(&l, 8, t0).await, ms(&[0, 0, 0, 0, 0, 200, 400, 600]));
        // Idle for 2 s: the bucket is full again (5, not 10), then the rate.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let t1 = Instant::now();
        assert_eq!(times(&l, 7, t1).await, ms(&[0, 0, 0, 0, 0, 200, 400]));
        // Half a second refills two tokens and a half.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let t2 = Instant::now();
        assert_eq!(times(&l, 4, t2).await, ms(&[0, 0, 100, 300]));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_requests_share_the_bucket() {
        let l = Arc::new(Limiter::new(Some(10.0)));
        let t0 = Instant::now();
        let tasks: Vec<_> = (0..30)
            .map(|_| {
                let l = l.clone();
                tokio::spawn(async move {
                    l.acquire().await;
                    t0.elapsed()
                })
            })
            .collect();
        let mut done = Vec::new();
        for t in tasks {
            done.push(t.await.unwrap());
        }
        done.sort();
        // 30 requests at 10/s with a burst of 10: the last one after 2 s, none earlier
        // than its slot.
        for (i, d) in done.iter().enumerate() {
            let slot = Duration::from_millis(100 * i.saturating_sub(9) as u64);
            assert_eq!(*d, slot, "request {i}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn slow_rates_have_a_burst_of_one() {
        let l = Limiter::new(Some(0.5));
        let t0 = Instant::now();
        assert_eq!(times(&l, 3, t0).await, ms(&[0, 2000, 4000]));
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_every_request_then_resumes_without_a_burst() {
        let l = Arc::new(Limiter::new(Some(5.0)));
        let t0 = Instant::now();
        // Two requests went out; then the host answers 429 with Retry-After: 2.
        times(&l, 2, t0).await;
        l.pause(Duration::from_secs(2));
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let l = l.clone();
                tokio::spawn(async move {
                    l.acquire().await;
                    t0.elapsed()
                })
            })
            .collect();
        let mut done = Vec::new();
        for w in waiters {
            done.push(w.await.unwrap());
        }
        done.sort();
        assert_eq!(done, ms(&[2000, 2200, 2400]));
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_reaches_requests_already_waiting_and_unlimited_hosts() {
        // A request booked for 1 s waits out a pause that comes while it sleeps.
        let l = Arc::new(Limiter::new(Some(1.0)));
        let t0 = Instant::now();
        l.acquire().await;
        let waiting = {
            let l = l.clone();
            tokio::spawn(async move {
                l.acquire().await;
                t0.elapsed()
            })
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        l.pause(Duration::from_secs(3));
        assert_eq!(waiting.await.unwrap(), Duration::from_millis(3100));

        // Unlimited: only the pause holds, capped at MAX_PAUSE.
        let l = Limiter::new(None);
        let t0 = Instant::now();
        assert_eq!(times(&l, 3, t0).await, ms(&[0, 0, 0]));
        l.pause(Duration::from_secs(600));
        assert_eq!(l.acquire().await, MAX_PAUSE);
        assert_eq!(times(&l, 2, t0).await, vec![MAX_PAUSE; 2]);
        // A shorter pause does not cut a longer one short.
        l.pause(Duration::from_secs(10));
        l.pause(Duration::from_secs(1));
        assert_eq!(l.acquire().await, Duration::from_secs(10));
    }

    #[test]
    fn zero_negative_and_infinite_rates_are_unlimited() {
        for r in [
            None,
            Some(0.0),
            Some(-1.0),
            Some(f64::INFINITY),
            Some(f64::NAN),
        ] {
            assert!(Limiter::new(r).rate.is_none(), "{r:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn limiters_are_per_host_and_shared_by_clones() {
        let a = Limiters::default();
        let b = a.clone();
        let x = a.get("reg:5000", || Some(1.0));
        // The first rate wins; a clone sees the same limiter.
        let y = b.get("reg:5000", || None);
        assert!(Arc::ptr_eq(&x, &y));
        let z = b.get("auth.example", || None);
        assert!(!Arc::ptr_eq(&x, &z));
        let t0 = Instant::now();
        x.acquire().await;
        y.acquire().await;
        z.acquire().await;
        assert_eq!(t0.elapsed(), Duration::from_secs(1));
    }
}
