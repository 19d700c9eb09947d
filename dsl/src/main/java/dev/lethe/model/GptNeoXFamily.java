package dev.lethe.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * GPT-NeoX checkpoints ({@code GPTNeoXForCausalLM}, {@code model_type} gpt_neox: GPT-NeoX-20B, Pythia) as
 * {@link GptNeoX} models of a {@link GptNeoXConfig}. Tensor names are the checkpoint's; buffers that older
 * checkpoints carry ({@code attention.bias}, {@code attention.masked_bias}, {@code rotary_emb.inv_freq}) are
 * skipped; {@code query_key_value}, {@code dense}, the MLP's projections and {@code embed_out} are stored
 * (out, in) by {@code nn.Linear} and transposed on load and save (the fused projection's per-head interleaved
 * output columns keep their order).
 *
 * <p>Reads the rotary base and fraction from {@code rope_parameters} or the older top-level
 * {@code rotary_emb_base} and {@code rotary_pct} (default 0.25) ({@link PlainRope}). Supported: both
 * {@code use_parallel_residual} settings, {@code attention_bias} either way, {@code hidden_act} gelu,
 * gelu_new or gelu_pytorch_tanh, rope type default, an untied head. Anything else is rejected with the file and
 * field named. Dropout rates are not read: a loaded model runs without dropout.
 */
public final class GptNeoXFamily implements HfFamily {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern BUFFER = Pattern.compile(".*\\.attention\\.(bias|masked_bias|rotary_emb\\.inv_freq)");
    private static final Pattern TRANSPOSED = Pattern.compile(
            ".*\\.(attention\\.query_key_value|attention\\.dense|mlp\\.dense_h_to_4h|mlp\\.dense_4h_to_h)\\.weight");

    @Override
    public List<String> modelTypes() {
        return List.of("gpt_neox");
    }

    @Override
    public Class<? extends ModelSpec> specClass() {
        return GptNeoXConfig.class;
    }

    @Override
    public ModelSpec spec(HfConfig c) {
        if (c.bool("tie_word_embeddings", false)) {
            throw c.unsupported("tie_word_embeddings", "false (gpt_neox's embed_out is its own weight)");
        }
        PlainRope rope = PlainRope.read(c, List.of("rotary_emb_base", "rope_theta"), List.of("rotary_pct",
                "partial_rotary_factor"), 0.25);
        GptConfig.Activation activation = PhiFamily.gelu(c, "gelu");
        try {
            return new GptNeoXConfig(c.integer("vocab_size"), c.integer("hidden_size"), c.integer("intermediate_size"),
                    c.integer("num_hidden_layers"), c.integer("num_attention_heads"), c.real("layer_norm_eps", 1e-5),
                    rope.theta(), rope.fraction(), c.bool("use_parallel_residual", true),
                    c.bool("attention_bias", true), activation,
                    c.integer("max_position_embeddings", 2048), c.real("initializer_range", 0.02));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(c.file() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public @Nullable String parameterName(String checkpointName) {
        return BUFFER.matcher(checkpointName).matches() ? null : checkpointName;
    }

    @Override
    public boolean transposedInCheckpoint(String parameterName) {
        return TRANSPOSED.matcher(parameterName).matches() || parameterName.equals(headCheckpointName());
    }

    /** GPT-NeoX's head is {@code embed_out}. */
    @Override
    public String headCheckpointName() {
        return "embed_out.weight";
    }

    @Override
    public ObjectNode config(ModelSpec spec) {
        GptNeoXConfig s = (GptNeoXConfig) spec;
        ObjectNode c = JSON.createObjectNode();
        c.put("model_type", "gpt_neox");
        c.putArray("architectures").add("GPTNeoXForCausalLM");
        c.put("vocab_size", s.vocabSize()).put("hidden_size", s.hidden()).put("intermediate_size", s.intermediate())
                .put("num_hidden_layers", s.layers()).put("num_attention_heads", s.heads())
                .put("hidden_act", PhiFamily.gelu(s.activation())).put("layer_norm_eps", s.layerNormEps())
                .put("max_position_embeddings", s.maxPositions()).put("initializer_range", s.initializerRange())
                .put("tie_word_embeddings", false).put("use_parallel_residual", s.parallelResidual())
                .put("attention_bias", s.attentionBias()).put("rotary_pct", s.rotaryFraction())
                .put("rotary_emb_base", s.ropeTheta()).put("hidden_dropout", 0.0).put("attention_dropout", 0.0);
        new PlainRope(s.ropeTheta(), s.rotaryFraction()).write(c);
        return c;
    }
}
