//! `diorama stats DIR`: realism figures over a run's output folder.

use std::path::PathBuf;

use super::fail;
use crate::stats;

#[derive(clap::Args, Debug)]
pub struct StatsArgs {
    /// A folder written by `diorama run --out`.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Print a reading sample instead: N comments, replies and direct
    /// messages (a fifth of them DMs) picked evenly over the run, each with
    /// its post's title and the comment it answers, for judging by eye
    /// how the text reads.
    #[arg(long, value_name = "N", conflicts_with = "json",
          value_parser = clap::value_parser!(u16).range(1..=stats::MAX_SAMPLE as i64))]
    sample: Option<u16>,
}

pub fn stats(args: StatsArgs) -> i32 {
    if let Some(n) = args.sample {
        return match stats::sample(&args.dir, usize::from(n)) {
            Ok(text) => {
                print!("{text}");
                0
            }
            Err(e) => fail(e),
        };
    }
    match stats::compute(&args.dir) {
        Ok(st) => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&st).unwrap_or_default());
            } else {
                print!("{}", stats::render(&st, &args.dir.display().to_string()));
            }
            0
        }
        Err(e) => fail(e),
    }
}
