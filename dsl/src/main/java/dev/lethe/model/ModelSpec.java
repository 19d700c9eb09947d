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

    /** The dropout rate during training (0: none, and runs stay deterministic without a per-step seed). */
    float dropout();

    /** The same spec with vocabulary size {@code newVocabSize} (a recipe's 0 resolved from the tokenizer). */
    ModelSpec withVocabSize(int newVocabSize);
}
