package dev.lethe.model;

/**
 * Shape of a Phi causal language model (Li et al. 2023, "Textbooks Are All You Need II: phi-1.5", §2.3;
 * Hugging Face {@code PhiForCausalLM}, {@code model_type} phi: phi-1, phi-1.5, phi-2): token embedding,
 * {@code layers} blocks in which attention and MLP run in parallel on one LayerNorm of the residual stream,
 * rotary positions on a fraction of each head, biases on every projection, a GELU MLP ({@code fc1},
 * {@code fc2}), a final LayerNorm and an untied, biased head.
 *
 * @param vocabSize number of token ids; 0 means "the data's tokenizer's"
 * @param hidden residual width ({@code hidden_size}), a multiple of {@code heads}
 * @param intermediate the MLP's inner width ({@code intermediate_size})
 * @param layers number of blocks
 * @param heads query heads per block, each hidden / heads wide
 * @param kvHeads key/value heads per block, dividing {@code heads}
 * @param layerNormEps ε of every LayerNorm
 * @param ropeTheta the rotary base
 * @param rotaryFraction the rotated fraction of each head ({@code partial_rotary_factor})
 * @param activation the MLP's non-linearity ({@code gelu_new}: GPT-2's tanh approximation)
 * @param qkLayerNorm whether each query and key head is LayerNorm-ed before the rotation ({@code qk_layernorm})
 * @param maxPositions {@code max_position_embeddings}: the longest sequence
 * @param initializerRange the standard deviation of initial weights
 */
public record PhiConfig(int vocabSize, int hidden, int intermediate, int layers, int heads, int kvHeads,
        double layerNormEps, double ropeTheta, double rotaryFraction, GptConfig.Activation activation,
        boolean qkLayerNorm, int maxPositions, double initializerRange) implements RotarySpec {

    /** Validates the shape. */
    public PhiConfig {
        Shapes.require(vocabSize == 0 || vocabSize > 1, "vocabSize must be 0 (from the tokenizer) or > 1, was "
                + vocabSize);
        Shapes.require(hidden > 0 && intermediate > 0 && layers > 0, "hidden, intermediate and layers must be > 0");
        Shapes.require(heads > 0 && hidden % heads == 0, "hidden (" + hidden + ") must be a positive multiple of heads ("
                + heads + ")");
        Shapes.require(kvHeads > 0 && heads % kvHeads == 0, "kvHeads must divide heads (" + heads + "), was "
                + kvHeads);
        Shapes.require(layerNormEps > 0 && ropeTheta > 1 && maxPositions > 0 && initializerRange > 0,
                "layerNormEps, maxPositions and initializerRange must be > 0 and ropeTheta > 1");
        new Rotary(hidden / heads, rotaryFraction, ropeTheta, RopeScaling.none(), maxPositions);
    }

    /**
     * A phi-2-like shape: full key/value heads, ε 10⁻⁵, rotary base 10⁴ on half of each head, GELU's tanh
     * approximation, no q/k norm, 2048 positions and initial weights ~ N(0, 0.02²).
     */
    public static PhiConfig of(int vocabSize, int hidden, int intermediate, int layers, int heads) {
        return new PhiConfig(vocabSize, hidden, intermediate, layers, heads, heads, 1e-5, 10000, 0.5,
                GptConfig.Activation.GELU_TANH, false, 2048, 0.02);
    }

    /** Width of one head. */
    public int headDim() {
        return hidden / heads;
    }

    /** The Phi architecture of this shape (a new instance: it caches masks and rotary tables). */
    @Override
    public Architecture architecture() {
        return new Phi(this);
    }

    @Override
    public PhiConfig withVocabSize(int newVocabSize) {
        return new PhiConfig(newVocabSize, hidden, intermediate, layers, heads, kvHeads, layerNormEps, ropeTheta,
                rotaryFraction, activation, qkLayerNorm, maxPositions, initializerRange);
    }

    /** A copy rotating {@code fraction} of each head. */
    public PhiConfig withRotaryFraction(double fraction) {
        return new PhiConfig(vocabSize, hidden, intermediate, layers, heads, kvHeads, layerNormEps, ropeTheta,
                fraction, activation, qkLayerNorm, maxPositions, initializerRange);
    }

    /** A copy with (or without) per-head LayerNorms of queries and keys. */
    public PhiConfig withQkLayerNorm(boolean on) {
        return new PhiConfig(vocabSize, hidden, intermediate, layers, heads, kvHeads, layerNormEps, ropeTheta,
                rotaryFraction, activation, on, maxPositions, initializerRange);
    }

    /** A copy with {@code count} key/value heads. */
    public PhiConfig withKvHeads(int count) {
        return new PhiConfig(vocabSize, hidden, intermediate, layers, heads, count, layerNormEps, ropeTheta,
                rotaryFraction, activation, qkLayerNorm, maxPositions, initializerRange);
    }
}
