package dev.lethe.model;

import dev.lethe.part.Slot;
/**
 * The shape of a model, enough to build its {@link Architecture}: what a recipe names as its model.
 * {@link GptConfig} is one; other architectures bring their own.
 */
public interface ModelSpec {
    /** The slot of recipe files that holds ModelSpec: the model's shape. */
    Slot<ModelSpec> SLOT = new Slot<>("model", ModelSpec.class);


    /** The architecture this spec describes: parameters, roles and forward pass. */
    Architecture architecture();

    /** Number of token ids; 0 means "from the tokenizer" and must be resolved before building a model. */
    int vocabSize();

    /** The longest sequence the model accepts. */
    int contextLength();

    /**
     * How long generation may make a sequence: the context length by default (learned position embeddings,
     * as GPT-2's, have no row beyond it). A rotary model overrides it: its {@code max_position_embeddings} is
     * the length it was trained at, not a limit, and transformers generates past it (which rope scaling
     * exists for).
     */
    default int generationLimit() {
        return contextLength();
    }

    /** The dropout rate during training (0: none, and runs stay deterministic without a per-step seed). */
    float dropout();

    /** The same spec with vocabulary size {@code newVocabSize} (a recipe's 0 resolved from the tokenizer). */
    ModelSpec withVocabSize(int newVocabSize);

    /**
     * The number of parameters, as a double so that absurd shapes do not overflow (the vocabulary size must be
     * resolved). The default sums {@link Architecture#parameters()}; a spec whose architecture is costly to
     * build for a huge shape computes it in closed form.
     */
    default double parameterCount() {
        return architecture().parameters().stream().mapToDouble(p -> elements(p.shape())).sum();
    }

    /** The number of entries of the largest parameter tensor (one array holds at most {@link Integer#MAX_VALUE}). */
    default double largestTensor() {
        return architecture().parameters().stream().mapToDouble(p -> elements(p.shape())).max().orElse(0);
    }

    private static double elements(ai.djl.ndarray.types.Shape shape) {
        double n = 1;
        for (long d : shape.getShape()) {
            n *= d;
        }
        return n;
    }
}
