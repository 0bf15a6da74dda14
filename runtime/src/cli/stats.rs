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
}

pub fn stats(args: StatsArgs) -> i32 {
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
