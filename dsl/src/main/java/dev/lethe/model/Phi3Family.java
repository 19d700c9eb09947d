package dev.lethe.model;

import static dev.lethe.model.PlainRope.number;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Phi-3 checkpoints ({@code Phi3ForCausalLM}, {@code model_type} phi3: Phi-3/3.5-mini, Phi-4-mini) as
 * {@link Phi3} models of a {@link Phi3Config}. Tensor names are the checkpoint's; rotary buffers are skipped;
 * the fused {@code qkv_proj} and {@code gate_up_proj}, {@code o_proj}, {@code down_proj} and an untied
 * {@code lm_head} are stored (out, in) by {@code nn.Linear} and transposed on load and save (a fused
 * projection's output columns keep their order: q, k, v; gate, up).
 *
 * <p>Supported: {@code hidden_act} silu; rope type default with any {@code partial_rotary_factor}
 * ({@link PlainRope}), or the {@code longrope} scaling of the 128k-context checkpoints (also under its older
 * names {@code su} and {@code yarn}, which transformers' Phi3Config renames to longrope; {@link LongRope}, with
 * the top-level {@code original_max_position_embeddings}, default 4096, as the pretraining context); a sliding
 * window on every layer ({@code sliding_window}, null for none); a tied or untied head. Anything else is
 * rejected with the file and field named. Dropout rates are not read: a loaded model runs without dropout.
 */
public final class Phi3Family implements HfFamily {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * transformers' default {@code pad_token_id} for phi3, which its {@code nn.Embedding} refuses as a padding
     * index of a smaller vocabulary: such a model is written with {@code pad_token_id} null (a tokenizer's pad id,
     * when {@link HfFolder#save} is given one, replaces it).
     */
    private static final int PHI3_DEFAULT_PAD = 32000;

    @Override
    public List<String> modelTypes() {
        return List.of("phi3");
    }

    @Override
    public Class<? extends ModelSpec> specClass() {
        return Phi3Config.class;
    }

    @Override
    public ModelSpec spec(HfConfig c) {
        if (!"silu".equals(c.string("hidden_act", "silu"))) {
            throw c.unsupported("hidden_act", "silu");
        }
        int hidden = c.integer("hidden_size");
        int heads = c.integer("num_attention_heads");
        int maxPositions = c.integer("max_position_embeddings", 4096);
        String field = c.has("rope_parameters") ? "rope_parameters" : "rope_scaling";
        JsonNode p = c.json().get(field);
        double theta;
        double fraction;
        RopeScaling scaling;
        if (p != null && p.isObject()
                && LongRope.PHI3_TYPES.contains(p.path("rope_type").asText(p.path("type").asText("default")))) {
            theta = number(c, field, p, "rope_theta", c.real("rope_theta", 10000));
            fraction = number(c, field, p, "partial_rotary_factor", c.real("partial_rotary_factor", 1.0));
            // transformers' Phi3Config always has original_max_position_embeddings (4096 unless the file says
            // otherwise) and lets it override the rope object's
            scaling = LongRope.read(c, field, p, c.integer("original_max_position_embeddings", 4096), maxPositions);
        } else {
            PlainRope rope = PlainRope.read(c, List.of("rope_theta"), List.of("partial_rotary_factor"), 1.0);
            theta = rope.theta();
            fraction = rope.fraction();
            scaling = RopeScaling.none();
        }
        try {
            return new Phi3Config(c.integer("vocab_size"), hidden, c.integer("intermediate_size"),
                    c.integer("num_hidden_layers"), heads, c.integer("num_key_value_heads", heads),
                    c.integer("head_dim", hidden / Math.max(heads, 1)), c.real("rms_norm_eps", 1e-5), theta,
                    fraction, scaling, c.bool("tie_word_embeddings", false), c.integer("sliding_window", 0),
                    maxPositions, c.real("initializer_range", 0.02));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(c.file() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public @Nullable String parameterName(String checkpointName) {
        return checkpointName.endsWith("rotary_emb.inv_freq") ? null : checkpointName;
    }

    @Override
    public boolean transposedInCheckpoint(String parameterName) {
        return parameterName.endsWith("_proj.weight") || parameterName.equals(headCheckpointName());
    }

    @Override
    public ObjectNode config(ModelSpec spec) {
        Phi3Config s = (Phi3Config) spec;
        ObjectNode c = JSON.createObjectNode();
        c.put("model_type", "phi3");
        c.putArray("architectures").add("Phi3ForCausalLM");
        c.put("vocab_size", s.vocabSize()).put("hidden_size", s.hidden()).put("intermediate_size", s.intermediate())
                .put("num_hidden_layers", s.layers()).put("num_attention_heads", s.heads())
                .put("num_key_value_heads", s.kvHeads()).put("head_dim", s.headDim()).put("hidden_act", "silu")
                .put("rms_norm_eps", s.rmsNormEps()).put("max_position_embeddings", s.maxPositions())
                .put("initializer_range", s.initializerRange()).put("tie_word_embeddings", s.tiedHead())
                .put("partial_rotary_factor", s.rotaryFraction()).put("resid_pdrop", 0.0).put("embd_pdrop", 0.0)
                .put("attention_dropout", 0.0);
        if (s.slidingWindow() > 0) {
            c.put("sliding_window", s.slidingWindow());
        } else {
            c.putNull("sliding_window");
        }
        if (s.vocabSize() <= PHI3_DEFAULT_PAD) {
            c.putNull("pad_token_id");
        }
        new PlainRope(s.ropeTheta(), s.rotaryFraction()).write(c);
        if (s.ropeScaling().type() == RopeScaling.Type.LONGROPE) {
            ObjectNode rope = (ObjectNode) c.get("rope_parameters");
            rope.put("rope_type", "longrope");
            LongRope.write(rope, s.ropeScaling());
            c.put("original_max_position_embeddings", s.ropeScaling().originalMaxPositions());
        }
        return c;
    }
}
