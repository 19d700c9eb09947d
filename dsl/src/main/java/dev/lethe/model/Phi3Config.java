package dev.lethe.model;

/**
 * Shape of a Phi-3 causal language model (Abdin et al. 2024, "Phi-3 Technical Report", §2; Hugging Face
 * {@code Phi3ForCausalLM}, {@code model_type} phi3: Phi-3/3.5-mini, Phi-4-mini): a Llama-shaped pre-norm
 * decoder (RMSNorm, grouped-query attention with rotary positions, SwiGLU MLP) whose q, k and v projections are
 * one fused {@code qkv_proj} and whose gate and up projections are one fused {@code gate_up_proj}, without
 * biases; optionally a partial rotary fraction, a sliding window on every layer and a head tied to the token
 * embedding.
 *
 * @param vocabSize number of token ids; 0 means "the data's tokenizer's"
 * @param hidden residual width ({@code hidden_size})
 * @param intermediate the MLP's inner width ({@code intermediate_size})
 * @param layers number of blocks
 * @param heads query heads per block
 * @param kvHeads key/value heads per block, dividing {@code heads}
 * @param headDim width of one head
 * @param rmsNormEps ε of every RMSNorm
 * @param ropeTheta the rotary base
 * @param rotaryFraction the rotated fraction of each head ({@code partial_rotary_factor})
 * @param ropeScaling none, or the LongRoPE scaling of the 128k-context checkpoints
 * @param tiedHead whether the head is the token embedding ({@code tie_word_embeddings})
 * @param slidingWindow keys visible to a query (itself included), or 0 for none
 * @param maxPositions {@code max_position_embeddings}: the longest sequence
 * @param initializerRange the standard deviation of initial weights
 */
public record Phi3Config(int vocabSize, int hidden, int intermediate, int layers, int heads, int kvHeads,
        int headDim, double rmsNormEps, double ropeTheta, double rotaryFraction, RopeScaling ropeScaling,
        boolean tiedHead, int slidingWindow,
        int maxPositions, double initializerRange) implements RotarySpec {

    /** Validates the shape. */
    public Phi3Config {
        Shapes.require(vocabSize == 0 || vocabSize > 1, "vocabSize must be 0 (from the tokenizer) or > 1, was "
                + vocabSize);
        Shapes.require(hidden > 0 && intermediate > 0 && layers > 0 && headDim > 0,
                "hidden, intermediate, layers and headDim must be > 0");
        Shapes.require(heads > 0 && kvHeads > 0 && heads % kvHeads == 0, "kvHeads (" + kvHeads
                + ") must divide heads (" + heads + ")");
        Shapes.require(rmsNormEps > 0 && ropeTheta > 1 && maxPositions > 0 && initializerRange > 0,
                "rmsNormEps, maxPositions and initializerRange must be > 0 and ropeTheta > 1");
        Shapes.require(slidingWindow >= 0, "slidingWindow must be >= 0 (0: none), was " + slidingWindow);
        Shapes.require(ropeScaling.type() == RopeScaling.Type.DEFAULT || ropeScaling.type() == RopeScaling.Type.LONGROPE,
                "Phi-3 rotary scaling is none or longrope, was " + ropeScaling.type().key());
        new Rotary(headDim, rotaryFraction, ropeTheta, ropeScaling, maxPositions).inverseFrequencies(maxPositions);
    }

    /**
     * A Phi-3-mini-like shape: heads hidden / heads wide, ε 10⁻⁵, rotary base 10⁴ on whole heads, untied head,
     * no sliding window, 4096 positions and initial weights ~ N(0, 0.02²).
     */
    public static Phi3Config of(int vocabSize, int hidden, int intermediate, int layers, int heads, int kvHeads) {
        Shapes.require(heads > 0 && hidden % heads == 0, "hidden (" + hidden + ") must be a multiple of heads ("
                + heads + ")");
        return new Phi3Config(vocabSize, hidden, intermediate, layers, heads, kvHeads, hidden / heads, 1e-5, 10000,
                1.0, RopeScaling.none(), false, 0, 4096, 0.02);
    }

    /** The Phi-3 architecture of this shape (a new instance: it caches masks and rotary tables). */
    @Override
    public Architecture architecture() {
        return new Phi3(this);
    }

    @Override
    public Phi3Config withVocabSize(int newVocabSize) {
        return new Phi3Config(newVocabSize, hidden, intermediate, layers, heads, kvHeads, headDim, rmsNormEps,
                ropeTheta, rotaryFraction, ropeScaling, tiedHead, slidingWindow, maxPositions, initializerRange);
    }

    /** A copy whose head is (or is not) the token embedding. */
    public Phi3Config withTiedHead(boolean tied) {
        return new Phi3Config(vocabSize, hidden, intermediate, layers, heads, kvHeads, headDim, rmsNormEps,
                ropeTheta, rotaryFraction, ropeScaling, tied, slidingWindow, maxPositions, initializerRange);
    }

    /** A copy with a sliding window of {@code window} keys on every layer (0: none). */
    public Phi3Config withSlidingWindow(int window) {
        return new Phi3Config(vocabSize, hidden, intermediate, layers, heads, kvHeads, headDim, rmsNormEps,
                ropeTheta, rotaryFraction, ropeScaling, tiedHead, window, maxPositions, initializerRange);
    }

    /** A copy whose rotary positions are scaled as {@code scaling} says (none or LongRoPE). */
    public Phi3Config withRopeScaling(RopeScaling scaling) {
        return new Phi3Config(vocabSize, hidden, intermediate, layers, heads, kvHeads, headDim, rmsNormEps,
                ropeTheta, rotaryFraction, scaling, tiedHead, slidingWindow, maxPositions, initializerRange);
    }

    /** A copy rotating {@code fraction} of each head. */
    public Phi3Config withRotaryFraction(double fraction) {
        return new Phi3Config(vocabSize, hidden, intermediate, layers, heads, kvHeads, headDim, rmsNormEps,
                ropeTheta, fraction, ropeScaling, tiedHead, slidingWindow, maxPositions, initializerRange);
    }
}
