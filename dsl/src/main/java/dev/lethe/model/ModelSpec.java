package dev.lethe.model;

/**
 * The shape of a model, enough to build its {@link Architecture}: what a recipe names as its model.
 * {@link GptConfig} is one; other architectures bring their own.
 */
public interface ModelSpec {

    /** The architecture this spec describes: parameters, roles and forward pass. */
    Architecture architecture();

    /** Number of token ids; 0 means "from the tokenizer" and must be resolved before building a model. */
    int vocabSize();

    /** The longest sequence the model accepts. */
    int contextLength();
}
