fn main() {
    std::process::exit(diorama::cli::main());
}
