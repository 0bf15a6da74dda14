//! Made-up display names and handles. Handles are built from first names,
//! surnames, hobbies and word pairs drawn from pools large enough that a
//! day of comments does not show the same word again and again; digits
//! come only sometimes, the way people add a year or a lucky number when
//! their name is taken. Never a real person's name: first names and
//! surnames are combined at random.

use super::super::ids::push_digits;
use super::super::rng::Rng;
use super::vocab::{FIRST_NAMES, SURNAMES};

fn pick(rng: &mut Rng, items: &[&'static str]) -> &'static str {
    items[rng.below(items.len() as u64) as usize]
}

const MORE_FIRST: &[&str] = &[
    "Aaliyah", "Adam", "Adrian", "Alex", "Alice", "Andre", "Aria", "Ayesha", "Bea", "Bilal",
    "Bruno", "Caleb", "Camila", "Carlos", "Cyrus", "Dalia", "Daniel", "Dara", "Eli", "Eva", "Ezra",
    "Farah", "Gabe", "Gia", "Hamza", "Harper", "Ibrahim", "Imani", "Iris", "Jade", "Jamal",
    "Jasmine", "Javi", "Jess", "Joel", "Josie", "Juno", "Kayla", "Kian", "Kira", "Lana", "Laura",
    "Levi", "Lily", "Logan", "Lola", "Mara", "Mason", "Miguel", "Mina", "Nate", "Nico", "Nina",
    "Olivia", "Owen", "Paula", "Quinn", "Rafa", "Rhea", "Riley", "Rowan", "Sadie", "Samir",
    "Selin", "Shay", "Simone", "Stella", "Tess", "Tyler", "Vera", "Vik", "Wes", "Yara", "Yusuf",
    "Zack", "Zain", "Bella", "Cole", "Darius", "Elsa", "Gus", "Hiro", "Jonah", "Kemi", "Lars",
    "Milo", "Noa", "Remy", "Soren", "Talia", "Uma", "Wren",
];

const ADJECTIVES: &[&str] = &[
    "pixel", "cozy", "lazy", "midnight", "golden", "tiny", "cosmic", "wild", "quiet", "urban",
    "rusty", "lucky", "sunny", "frosty", "neon", "velvet", "salty", "crispy", "retro", "sleepy",
    "silver", "hidden", "little", "brave", "spicy", "misty", "mellow", "lofi", "noisy", "gentle",
    "stormy", "mossy", "dusty", "copper", "paper", "chunky", "feral", "grumpy", "humble", "jolly",
    "lunar", "mighty", "odd", "plain", "rapid", "shy", "soft", "steady", "swift", "toasty",
    "wobbly", "zesty", "bold", "calm", "crooked", "dizzy", "fuzzy", "giant", "honest", "icy",
    "loud", "moody", "nimble", "polar", "rainy", "sour", "sweet", "tidy", "weird", "woolly",
    "blue", "green", "amber", "scarlet", "ivory", "sage", "olive", "indigo", "coral", "ashen",
];

const NOUNS: &[&str] = &[
    "fox", "panda", "owl", "tiger", "otter", "wolf", "cat", "bear", "moon", "cloud", "bean",
    "toast", "noodle", "wave", "byte", "bird", "frog", "pine", "comet", "badger", "bagel",
    "biscuit", "cactus", "dumpling", "falcon", "ferret", "gecko", "goose", "hedgehog", "kiwi",
    "lemon", "llama", "mango", "moth", "nugget", "olive", "parrot", "peach", "pebble", "pickle",
    "pigeon", "pretzel", "puffin", "quokka", "raccoon", "raven", "sparrow", "squid", "sprout",
    "taco", "tofu", "turnip", "walrus", "waffle", "yeti", "acorn", "anchor", "arrow", "blossom",
    "boulder", "bramble", "canyon", "cedar", "cricket", "ember", "fern", "glacier", "harbor",
    "island", "lantern", "meadow", "orbit", "prairie", "river", "shadow", "storm", "thistle",
];

const HOBBIES: &[&str] = &[
    "runs", "lifts", "cooks", "bakes", "plays", "games", "reads", "draws", "travels", "eats",
    "climbs", "rides", "sings", "films", "makes", "writes", "codes", "paints", "skates", "swims",
    "hikes", "knits", "dances", "builds", "fits", "tech", "gaming", "studio", "journal", "daily",
    "life", "world", "diaries", "vibes", "corner", "kitchen", "garden", "things",
];

const PREFIXES: &[&str] = &[
    "its", "iam", "just", "not", "real", "the", "hey", "x", "mr", "ms",
];

fn first(rng: &mut Rng) -> &'static str {
    if rng.chance(0.5) {
        pick(rng, FIRST_NAMES)
    } else {
        pick(rng, MORE_FIRST)
    }
}

/// A made-up display name: a first name, sometimes with an initial, a
/// surname, or a nickname made of words.
pub fn write_display_name(out: &mut String, rng: &mut Rng) {
    let name = first(rng);
    match rng.below(20) {
        0..=6 => out.push_str(name),
        7..=9 => {
            out.push_str(name);
            out.push(' ');
            out.push((b'A' + rng.below(26) as u8) as char);
            out.push('.');
        }
        10..=15 => {
            out.push_str(name);
            out.push(' ');
            out.push_str(pick(rng, SURNAMES));
        }
        16..=17 => out.push_str(&name.to_lowercase()),
        _ => {
            let a = pick(rng, ADJECTIVES);
            let b = pick(rng, NOUNS);
            for (i, w) in [a, b].iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                let mut cs = w.chars();
                if let Some(c) = cs.next() {
                    out.push(c.to_ascii_uppercase());
                    out.push_str(cs.as_str());
                }
            }
        }
    }
}

/// A base for a handle, lower case, made of words (never a person's full
/// real name): `maya.silva`, `jonaslifts`, `its_rowan`, `mossy.pickle`.
/// `sep` lists the separators the platform's handles use.
pub fn write_handle_base_with(out: &mut String, rng: &mut Rng, sep: &[&'static str]) {
    let s = pick(rng, sep);
    match rng.below(20) {
        0..=4 => {
            out.push_str(first(rng));
            out.push_str(s);
            out.push_str(pick(rng, SURNAMES));
        }
        5..=8 => {
            out.push_str(first(rng));
            out.push_str(s);
            out.push_str(pick(rng, HOBBIES));
        }
        9..=10 => {
            out.push_str(pick(rng, PREFIXES));
            out.push_str(s);
            out.push_str(first(rng));
        }
        11..=12 => {
            let name = first(rng).to_string();
            out.push_str(&name);
            // A stretched last letter: "mayaaa".
            if let Some(c) = name.chars().last() {
                for _ in 0..1 + rng.below(3) {
                    out.push(c);
                }
            }
        }
        13 => {
            out.push_str(first(rng));
            out.push_str(s);
            out.push((b'a' + rng.below(26) as u8) as char);
        }
        _ => {
            out.push_str(pick(rng, ADJECTIVES));
            out.push_str(s);
            out.push_str(pick(rng, NOUNS));
        }
    }
    out.make_ascii_lowercase();
}

/// A handle base with the common separators.
pub fn write_handle_base(out: &mut String, rng: &mut Rng) {
    write_handle_base_with(out, rng, &["", "", ".", "_"]);
}

/// Append digits to a handle the way people do, sometimes: a year, a
/// short number, a doubled digit. `share` is how often.
pub fn push_handle_digits(out: &mut String, rng: &mut Rng, share: f64) {
    if !rng.chance(share) {
        return;
    }
    match rng.below(4) {
        0 => push_digits(out, 1985 + rng.below(25)),
        1 => push_digits(out, 1 + rng.below(99)),
        2 => {
            let d = rng.below(10);
            push_digits(out, d * 11);
        }
        _ => push_digits(out, rng.below(1000)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn handles_vary_and_rarely_end_in_digits() {
        let mut rng = Rng::new(3, "names");
        let mut words: BTreeMap<String, usize> = BTreeMap::new();
        let mut digits = 0;
        for _ in 0..1000 {
            let mut h = String::new();
            write_handle_base(&mut h, &mut rng);
            push_handle_digits(&mut h, &mut rng, 0.2);
            assert!(h
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'.' || c == b'_'));
            digits += usize::from(h.ends_with(|c: char| c.is_ascii_digit()));
            for w in h.split(['.', '_']) {
                *words.entry(w.to_string()).or_default() += 1;
            }
        }
        assert!((120..300).contains(&digits), "{digits}");
        let top = words.values().max().copied().unwrap_or(0);
        assert!(top < 25, "{top}");
    }
}
