package dev.lethe.attack;

import dev.lethe.data.Dataset;
import dev.lethe.model.Tokenizer;

/**
 * What an attack may use besides the model.
 *
 * @param data the run's examples by split
 * @param tokenizer the run's tokenizer
 * @param seed the attack's own seed (derived from the recipe seed and the attack's name)
 * @param fineTuner the run's optimisation loop, for attacks that train (relearning)
 */
public record AttackContext(Dataset data, Tokenizer tokenizer, long seed, FineTuner fineTuner) {}
