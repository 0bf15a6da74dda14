//! `diorama stats DIR`: realism and funnel figures over a run's output
//! folder, as text, JSON or CSV.

use std::path::PathBuf;

use super::fail;
use crate::stats;

/// How `stats` prints the figures.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// For reading.
    Text,
    /// Every figure, as one JSON object.
    Json,
    /// The funnel figures, one a row: scope,platform,day,figure,value.
    Csv,
}

#[derive(clap::Args, Debug)]
pub struct StatsArgs {
    /// A folder written by `diorama run --out`.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Print JSON instead of text (the same as `--format json`).
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// How to print the figures: text, json (every figure) or csv (the
    /// funnel's figures per platform and per day, one a row).
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Print a reading sample instead: N comments, replies and direct
    /// messages (a fifth of them DMs) picked evenly over the run, each with
    /// its post's title and the comment it answers, for judging by eye
    /// how the text reads.
    #[arg(long, value_name = "N", conflicts_with_all = ["json", "format"],
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
    let format = if args.json { Format::Json } else { args.format };
    match stats::compute(&args.dir) {
        Ok(st) => {
            match format {
                Format::Json => {
                    println!("{}", serde_json::to_string_pretty(&st).unwrap_or_default())
                }
                Format::Csv => print!("{}", stats::funnel::csv(&st.funnel)),
                Format::Text => print!("{}", stats::render(&st, &args.dir.display().to_string())),
            }
            0
        }
        Err(e) => fail(e),
    }
}
