use engine::{score_all, Engine};

fn main() {
    let engine = Engine::new(2);
    let scores = score_all(&engine, &["a", "bb"]);
    println!("{:?}", scores);
}
