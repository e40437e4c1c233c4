pub trait Scorer {
    fn score(&self, input: &str) -> u32;
}

pub struct Engine {
    weight: u32,
}

impl Engine {
    pub fn new(weight: u32) -> Self {
        Engine { weight }
    }
}

impl Scorer for Engine {
    fn score(&self, input: &str) -> u32 {
        input.len() as u32 * self.weight
    }
}

pub fn score_all(scorer: &dyn Scorer, inputs: &[&str]) -> Vec<u32> {
    inputs.iter().map(|i| scorer.score(i)).collect()
}
