package dev.lethe.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Phi checkpoints ({@code PhiForCausalLM}, {@code model_type} phi: phi-1, phi-1.5, phi-2) as {@link Phi}
 * models of a {@link PhiConfig}. Tensor names are the checkpoint's; rotary buffers are skipped; the projections
 * and {@code lm_head} are stored (out, in) by {@code nn.Linear} and transposed on load and save.
 *
 * <p>Reads the rotary base and fraction from {@code rope_parameters} or the older top-level
 * {@code rope_theta} and {@code partial_rotary_factor} ({@link PlainRope}). Supported: {@code hidden_act}
 * gelu_new, gelu_pytorch_tanh or gelu; rope type default; an untied head; {@code qk_layernorm} either way;
 * {@code num_key_value_heads} null (all heads) or dividing the heads; heads hidden_size / num_attention_heads
 * wide. Anything else is rejected with the file
 * and field named. Dropout rates are not read: a loaded model runs without dropout.
 */
public final class PhiFamily implements HfFamily {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public List<String> modelTypes() {
        return List.of("phi");
    }

    @Override
    public Class<? extends ModelSpec> specClass() {
        return PhiConfig.class;
    }

    @Override
    public ModelSpec spec(HfConfig c) {
        if (c.bool("tie_word_embeddings", false)) {
            throw c.unsupported("tie_word_embeddings", "false (phi's lm_head has its own weight and bias)");
        }
        int heads = c.integer("num_attention_heads");
        int hidden = c.integer("hidden_size");
        if (c.has("head_dim") && (long) c.integer("head_dim") * heads != hidden) {
            throw c.unsupported("head_dim", "null or hidden_size / num_attention_heads = " + hidden / Math.max(heads, 1)
                    + " (phi's q/k LayerNorms are that wide)");
        }
        PlainRope rope = PlainRope.read(c, List.of("rope_theta"), List.of("partial_rotary_factor"), 0.5);
        GptConfig.Activation activation = gelu(c, "gelu_new");
        try {
            return new PhiConfig(c.integer("vocab_size"), hidden, c.integer("intermediate_size"),
                    c.integer("num_hidden_layers"), heads, c.integer("num_key_value_heads", heads),
                    c.real("layer_norm_eps", 1e-5), rope.theta(), rope.fraction(), activation,
                    c.bool("qk_layernorm", false), c.integer("max_position_embeddings", 2048),
                    c.real("initializer_range", 0.02));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(c.file() + ": " + e.getMessage(), e);
        }
    }

    /** The GELU {@code hidden_act} names: gelu_new and gelu_pytorch_tanh (tanh approximation) or gelu (exact). */
    static GptConfig.Activation gelu(HfConfig c, String fallback) {
        String act = c.string("hidden_act", fallback);
        return switch (act) {
            case "gelu_new", "gelu_pytorch_tanh" -> GptConfig.Activation.GELU_TANH;
            case "gelu" -> GptConfig.Activation.GELU;
            default -> throw c.unsupported("hidden_act", "gelu_new, gelu_pytorch_tanh, gelu");
        };
    }

    /** The {@code hidden_act} name transformers reads back as {@code activation}. */
    static String gelu(GptConfig.Activation activation) {
        return activation == GptConfig.Activation.GELU ? "gelu" : "gelu_new";
    }

    @Override
    public @Nullable String parameterName(String checkpointName) {
        return checkpointName.endsWith("rotary_emb.inv_freq") ? null : checkpointName;
    }

    @Override
    public boolean transposedInCheckpoint(String parameterName) {
        return parameterName.endsWith("_proj.weight") || parameterName.endsWith(".dense.weight")
                || parameterName.endsWith(".fc1.weight") || parameterName.endsWith(".fc2.weight")
                || parameterName.equals(headCheckpointName());
    }

    @Override
    public ObjectNode config(ModelSpec spec) {
        PhiConfig s = (PhiConfig) spec;
        ObjectNode c = JSON.createObjectNode();
        c.put("model_type", "phi");
        c.putArray("architectures").add("PhiForCausalLM");
        c.put("vocab_size", s.vocabSize()).put("hidden_size", s.hidden()).put("intermediate_size", s.intermediate())
                .put("num_hidden_layers", s.layers()).put("num_attention_heads", s.heads())
                .put("num_key_value_heads", s.kvHeads()).put("hidden_act", gelu(s.activation()))
                .put("layer_norm_eps", s.layerNormEps()).put("max_position_embeddings", s.maxPositions())
                .put("initializer_range", s.initializerRange()).put("tie_word_embeddings", false)
                .put("qk_layernorm", s.qkLayerNorm()).put("partial_rotary_factor", s.rotaryFraction())
                .put("rope_theta", s.ropeTheta()).put("resid_pdrop", 0.0).put("embd_pdrop", 0.0)
                .put("attention_dropout", 0.0);
        new PlainRope(s.ropeTheta(), s.rotaryFraction()).write(c);
        return c;
    }
}
