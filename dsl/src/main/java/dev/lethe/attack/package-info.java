/**
 * Robustness attacks on an unlearned model: weight surgery (quantization, pruning), relearning on a few
 * forget examples, and rewritten evaluation prompts (paraphrases, jailbreak prefixes). An attack never
 * modifies the model it is given.
 */
@NullMarked
package dev.lethe.attack;

import org.jspecify.annotations.NullMarked;
