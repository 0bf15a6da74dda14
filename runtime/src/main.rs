/// Events cross the plugin boundary as many small strings; mimalloc handles
/// that churn much better than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(diorama::cli::main());
}
