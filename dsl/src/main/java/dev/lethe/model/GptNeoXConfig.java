package dev.lethe.model;

/**
 * Shape of a GPT-NeoX causal language model (Black et al. 2022, "GPT-NeoX-20B", §2.1; Biderman et al. 2023,
 * "Pythia"; Hugging Face {@code GPTNeoXForCausalLM}, {@code model_type} gpt_neox): token embedding
 * ({@code embed_in}), {@code layers} blocks of LayerNorm-ed attention with rotary positions on a fraction of
 * each head and one fused, per-head interleaved {@code query_key_value} projection, and a GELU MLP, added to the
 * residual stream in parallel ({@code x + attn(ln₁(x)) + mlp(ln₂(x))}) or in sequence; a final LayerNorm and an
 * untied head ({@code embed_out}).
 *
 * @param vocabSize number of token ids; 0 means "the data's tokenizer's"
 * @param hidden residual width ({@code hidden_size}), a multiple of {@code heads}
 * @param intermediate the MLP's inner width ({@code intermediate_size})
 * @param layers number of blocks
 * @param heads attention heads per block, each hidden / heads wide
 * @param layerNormEps ε of every LayerNorm
 * @param ropeTheta the rotary base ({@code rotary_emb_base})
 * @param rotaryFraction the rotated fraction of each head ({@code rotary_pct})
 * @param parallelResidual whether attention and MLP read the same residual stream ({@code use_parallel_residual})
 * @param attentionBias whether the attention's projections have biases ({@code attention_bias})
 * @param activation the MLP's non-linearity (Pythia: exact {@code gelu})
 * @param maxPositions {@code max_position_embeddings}: the longest sequence
 * @param initializerRange the standard deviation of initial weights
 */
public record GptNeoXConfig(int vocabSize, int hidden, int intermediate, int layers, int heads, double layerNormEps,
        double ropeTheta, double rotaryFraction, boolean parallelResidual, boolean attentionBias,
        GptConfig.Activation activation, int maxPositions, double initializerRange) implements RotarySpec {

    /** Validates the shape. */
    public GptNeoXConfig {
        Shapes.require(vocabSize == 0 || vocabSize > 1, "vocabSize must be 0 (from the tokenizer) or > 1, was "
                + vocabSize);
        Shapes.require(hidden > 0 && intermediate > 0 && layers > 0, "hidden, intermediate and layers must be > 0");
        Shapes.require(heads > 0 && hidden % heads == 0, "hidden (" + hidden + ") must be a positive multiple of heads ("
                + heads + ")");
        Shapes.require(layerNormEps > 0 && ropeTheta > 1 && maxPositions > 0 && initializerRange > 0,
                "layerNormEps, maxPositions and initializerRange must be > 0 and ropeTheta > 1");
        new Rotary(hidden / heads, rotaryFraction, ropeTheta, RopeScaling.none(), maxPositions);
    }

    /**
     * A Pythia-like shape: ε 10⁻⁵, rotary base 10⁴ on a quarter of each head, parallel residual, attention
     * biases, exact GELU, 2048 positions and initial weights ~ N(0, 0.02²).
     */
    public static GptNeoXConfig of(int vocabSize, int hidden, int intermediate, int layers, int heads) {
        return new GptNeoXConfig(vocabSize, hidden, intermediate, layers, heads, 1e-5, 10000, 0.25, true, true,
                GptConfig.Activation.GELU, 2048, 0.02);
    }

    /** Width of one head. */
    public int headDim() {
        return hidden / heads;
    }

    /** The GPT-NeoX architecture of this shape (a new instance: it caches masks and rotary tables). */
    @Override
    public Architecture architecture() {
        return new GptNeoX(this);
    }

    @Override
    public GptNeoXConfig withVocabSize(int newVocabSize) {
        return new GptNeoXConfig(newVocabSize, hidden, intermediate, layers, heads, layerNormEps, ropeTheta,
                rotaryFraction, parallelResidual, attentionBias, activation, maxPositions, initializerRange);
    }

    /** A copy whose blocks add attention and MLP in parallel ({@code true}) or in sequence. */
    public GptNeoXConfig withParallelResidual(boolean parallel) {
        return new GptNeoXConfig(vocabSize, hidden, intermediate, layers, heads, layerNormEps, ropeTheta,
                rotaryFraction, parallel, attentionBias, activation, maxPositions, initializerRange);
    }

    /** A copy rotating {@code fraction} of each head. */
    public GptNeoXConfig withRotaryFraction(double fraction) {
        return new GptNeoXConfig(vocabSize, hidden, intermediate, layers, heads, layerNormEps, ropeTheta, fraction,
                parallelResidual, attentionBias, activation, maxPositions, initializerRange);
    }
}
