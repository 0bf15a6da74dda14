//! Rolling 24-hour action limits ("5 posts a day") as real platforms
//! enforce them: a window of the times an action was taken.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::types::{Millis, DAY};

/// The times an action was taken within the last `per` milliseconds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateWindow {
    times: VecDeque<Millis>,
}

impl RateWindow {
    /// When `max` actions were taken in the `per` before `at`: how long
    /// until the next is allowed; `None` when one is allowed now.
    pub fn wait(&mut self, at: Millis, max: u32, per: Millis) -> Option<Millis> {
        while self.times.front().is_some_and(|&t| t <= at - per) {
            self.times.pop_front();
        }
        if (self.times.len() as u32) < max {
            None
        } else {
            self.times.front().map(|&t| (t + per - at).max(1))
        }
    }

    /// [`wait`](Self::wait) over a day.
    pub fn wait_day(&mut self, at: Millis, max: u32) -> Option<Millis> {
        self.wait(at, max, DAY)
    }

    /// Record an action at `at`.
    pub fn record(&mut self, at: Millis) {
        self.times.push_back(at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::HOUR;

    #[test]
    fn five_a_day() {
        let mut w = RateWindow::default();
        for i in 0..5 {
            assert_eq!(w.wait_day(i * HOUR, 5), None);
            w.record(i * HOUR);
        }
        assert_eq!(w.wait_day(5 * HOUR, 5), Some(19 * HOUR));
        assert_eq!(w.wait_day(DAY, 5), None);
    }
}
