//! End-to-end tests: run the `diorama` binary as a tester would and check
//! exit codes, messages and the files it writes.

mod common;
mod console;
mod determinism;
mod errors;
mod fuzz;
mod history;
mod hostile;
mod native_facebook;
mod native_instagram;
mod native_telegram;
mod native_x;
mod native_youtube;
mod new_plugin;
mod plugins_cmd;
mod realism;
mod run;
mod scenarios;
mod serve;
