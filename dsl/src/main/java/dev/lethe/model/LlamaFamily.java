package dev.lethe.model;

import static dev.lethe.model.PlainRope.number;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Llama-family checkpoints ({@code LlamaForCausalLM}, {@code MistralForCausalLM}, {@code Qwen2ForCausalLM},
 * {@code Qwen3ForCausalLM}; {@code model_type} llama, mistral, qwen2, qwen3) as {@link Llama} models of a
 * {@link LlamaConfig}. Tensor names are the checkpoint's; rotary buffers ({@code …rotary_emb.inv_freq}, in
 * old checkpoints) are skipped; the {@code *_proj} projections and an untied {@code lm_head} are stored
 * (out, in) by {@code nn.Linear} and transposed on load and save.
 *
 * <p>Reads the rotary settings both as real checkpoints have them ({@code rope_theta} and
 * {@code rope_scaling}) and as transformers 5 writes them ({@code rope_parameters}), and writes the latter.
 * Supported: {@code hidden_act} silu, rope types default, linear, dynamic, llama3, yarn and longrope, full rotary
 * ({@code partial_rotary_factor} 1), sliding windows on a suffix of the layers; anything else is rejected
 * with the file and field named. Dropout rates are not read: a loaded model runs without dropout.
 */
public final class LlamaFamily implements HfFamily {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> ARCHITECTURES = Map.of("llama", "LlamaForCausalLM", "mistral",
            "MistralForCausalLM", "qwen2", "Qwen2ForCausalLM", "qwen3", "Qwen3ForCausalLM");
    /** transformers' defaults of max_position_embeddings, by model type. */
    private static final Map<String, Integer> MAX_POSITIONS = Map.of("llama", 2048, "mistral", 131072, "qwen2", 32768,
            "qwen3", 32768);
    private static final String SLIDING = "sliding_attention";
    private static final String FULL = "full_attention";

    @Override
    public List<String> modelTypes() {
        return LlamaConfig.MODEL_TYPES;
    }

    @Override
    public Class<? extends ModelSpec> specClass() {
        return LlamaConfig.class;
    }

    @Override
    public ModelSpec spec(HfConfig c) {
        String type = c.modelType();
        if (!LlamaConfig.MODEL_TYPES.contains(type)) {
            throw c.unsupported("model_type", String.join(", ", LlamaConfig.MODEL_TYPES));
        }
        if (!"silu".equals(c.string("hidden_act", "silu"))) {
            throw c.unsupported("hidden_act", "silu");
        }
        int hidden = c.integer("hidden_size");
        int heads = c.integer("num_attention_heads");
        int kvHeads = c.integer("num_key_value_heads", heads);
        int headDim = c.integer("head_dim", type.equals("qwen3") ? 128 : hidden / Math.max(heads, 1));
        int layers = c.integer("num_hidden_layers");
        boolean attentionBias = c.bool("attention_bias", false);
        boolean qkvBias = switch (type) {
            case "qwen2" -> true;
            case "mistral" -> false;
            default -> attentionBias;
        };
        boolean outputBias = !type.equals("mistral") && !type.equals("qwen2") && attentionBias;
        boolean mlpBias = type.equals("llama") && c.bool("mlp_bias", false);
        int window = 0;
        int firstSliding = 0;
        if (type.equals("mistral")) {
            window = c.has("sliding_window") ? c.integer("sliding_window") : c.json().has("sliding_window") ? 0 : 4096;
        } else if (type.startsWith("qwen")) {
            if (c.bool("use_sliding_window", false) && c.has("sliding_window")) {
                window = c.integer("sliding_window");
                firstSliding = Math.min(c.integer("max_window_layers", 28), layers);
            }
            if (c.has("layer_types")) {
                firstSliding = firstSlidingLayer(c, layers, window > 0 ? firstSliding : layers);
                window = firstSliding < layers ? window : 0;
            }
        }
        Rope rope = rope(c, type);
        try {
            return new LlamaConfig(type, c.integer("vocab_size"), hidden, c.integer("intermediate_size"), layers, heads,
                    kvHeads, headDim, c.real("rms_norm_eps", 1e-6), rope.theta(), rope.scaling(),
                    c.bool("tie_word_embeddings", false), qkvBias, outputBias, mlpBias, type.equals("qwen3"), window,
                    window > 0 ? firstSliding : 0, c.integer("max_position_embeddings", MAX_POSITIONS.get(type)),
                    c.real("initializer_range", 0.02));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(c.file() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The first sliding layer of {@code layer_types}, which must be full-attention layers followed by sliding
     * ones ({@code expected} of them first, as {@code max_window_layers} derives them, or any such split).
     */
    private static int firstSlidingLayer(HfConfig c, int layers, int expected) {
        JsonNode types = c.json().get("layer_types");
        String supported = "a list of " + layers + " entries, \"" + FULL + "\" layers followed by \"" + SLIDING
                + "\" ones";
        if (!types.isArray() || types.size() != layers) {
            throw c.unsupported("layer_types", supported);
        }
        int first = layers;
        for (int i = layers - 1; i >= 0 && SLIDING.equals(types.get(i).asText()); i--) {
            first = i;
        }
        for (int i = 0; i < first; i++) {
            if (!FULL.equals(types.get(i).asText())) {
                throw c.unsupported("layer_types", supported);
            }
        }
        return first == layers ? expected : first;
    }

    /** A rotary base and scaling. */
    private record Rope(double theta, RopeScaling scaling) {}

    /**
     * The rotary settings: transformers 5's {@code rope_parameters} when present, else {@code rope_theta} and
     * {@code rope_scaling} (null or absent for none).
     */
    private static Rope rope(HfConfig c, String type) {
        String field = c.has("rope_parameters") ? "rope_parameters" : "rope_scaling";
        JsonNode p = c.json().get(field);
        double defaultTheta = c.real("rope_theta", 10000);
        if (p == null || p.isNull()) {
            return new Rope(defaultTheta, RopeScaling.none());
        }
        if (!p.isObject()) {
            throw c.unsupported(field, "an object with rope_type (" + RopeScaling.Type.supported() + ")");
        }
        double theta = number(c, field, p, "rope_theta", defaultTheta);
        if (number(c, field, p, "partial_rotary_factor", 1) != 1) {
            throw c.unsupported(field, "partial_rotary_factor 1 (" + type + " rotates whole heads)");
        }
        String ropeType = p.has("rope_type") ? p.get("rope_type").asText() : p.has("type") ? p.get("type").asText()
                : "default";
        return switch (ropeType) {
            case "default" -> new Rope(theta, RopeScaling.none());
            case "linear" -> new Rope(theta, RopeScaling.linear(required(c, field, p, "factor")));
            case "dynamic" -> new Rope(theta, RopeScaling.dynamic(required(c, field, p, "factor")));
            case "llama3" -> new Rope(theta, RopeScaling.llama3(required(c, field, p, "factor"),
                    required(c, field, p, "low_freq_factor"), required(c, field, p, "high_freq_factor"),
                    (int) required(c, field, p, "original_max_position_embeddings")));
            case "yarn" -> {
                int original = (int) required(c, field, p, "original_max_position_embeddings");
                double factor = number(c, field, p, "factor",
                        c.integer("max_position_embeddings", MAX_POSITIONS.get(type)) / (double) original);
                yield new Rope(theta, new RopeScaling(RopeScaling.Type.YARN, factor, 0, 0, original,
                        number(c, field, p, "attention_factor", Double.NaN), number(c, field, p, "beta_fast", 32),
                        number(c, field, p, "beta_slow", 1), number(c, field, p, "mscale", 0),
                        number(c, field, p, "mscale_all_dim", 0), !p.has("truncate") || p.get("truncate").asBoolean(),
                        List.of(), List.of()));
            }
            // transformers' standardize_rope_params: a top-level original_max_position_embeddings wins
            case "longrope" -> new Rope(theta, LongRope.read(c, field, p,
                    c.integer("original_max_position_embeddings", (int) number(c, field, p,
                            "original_max_position_embeddings", c.integer("max_position_embeddings",
                                    MAX_POSITIONS.get(type)))),
                    c.integer("max_position_embeddings", MAX_POSITIONS.get(type))));
            default -> throw c.unsupported(field, "rope_type one of " + RopeScaling.Type.supported());
        };
    }

    private static double required(HfConfig c, String field, JsonNode p, String key) {
        double v = number(c, field, p, key, Double.NaN);
        if (Double.isNaN(v)) {
            throw new IllegalArgumentException(c.file() + ": field '" + field + "." + key + "' is missing; the "
                    + "rope type " + p.path("rope_type").asText(p.path("type").asText()) + " needs it");
        }
        return v;
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
        LlamaConfig s = (LlamaConfig) spec;
        String type = s.modelType();
        ObjectNode c = JSON.createObjectNode();
        c.put("model_type", type);
        c.putArray("architectures").add(ARCHITECTURES.get(type));
        c.put("vocab_size", s.vocabSize()).put("hidden_size", s.hidden()).put("intermediate_size", s.intermediate())
                .put("num_hidden_layers", s.layers()).put("num_attention_heads", s.heads())
                .put("num_key_value_heads", s.kvHeads()).put("head_dim", s.headDim()).put("hidden_act", "silu")
                .put("rms_norm_eps", s.rmsNormEps()).put("max_position_embeddings", s.maxPositions())
                .put("initializer_range", s.initializerRange()).put("tie_word_embeddings", s.tiedHead())
                .put("attention_dropout", 0.0);
        c.set("rope_parameters", ropeParameters(s));
        switch (type) {
            case "llama" -> c.put("attention_bias", s.qkvBias()).put("mlp_bias", s.mlpBias());
            case "mistral" -> {
                if (s.slidingWindow() > 0) {
                    c.put("sliding_window", s.slidingWindow());
                } else {
                    c.putNull("sliding_window");
                }
            }
            default -> {
                if (type.equals("qwen3")) {
                    c.put("attention_bias", s.qkvBias());
                }
                c.put("use_sliding_window", s.slidingWindow() > 0);
                if (s.slidingWindow() > 0) {
                    c.put("sliding_window", s.slidingWindow());
                } else {
                    c.putNull("sliding_window");
                }
                c.put("max_window_layers", s.slidingWindow() > 0 ? s.firstSlidingLayer() : s.layers());
                ArrayNode types = c.putArray("layer_types");
                for (int l = 0; l < s.layers(); l++) {
                    types.add(s.window(l) > 0 ? SLIDING : FULL);
                }
            }
        }
        return c;
    }

    private static ObjectNode ropeParameters(LlamaConfig s) {
        RopeScaling r = s.ropeScaling();
        ObjectNode p = JSON.createObjectNode();
        p.put("rope_type", r.type().key()).put("rope_theta", s.ropeTheta());
        switch (r.type()) {
            case LINEAR, DYNAMIC -> p.put("factor", r.factor());
            case LLAMA3 -> p.put("factor", r.factor()).put("low_freq_factor", r.lowFreqFactor())
                    .put("high_freq_factor", r.highFreqFactor())
                    .put("original_max_position_embeddings", r.originalMaxPositions());
            case YARN -> {
                p.put("factor", r.factor()).put("original_max_position_embeddings", r.originalMaxPositions())
                        .put("beta_fast", r.betaFast()).put("beta_slow", r.betaSlow()).put("truncate", r.truncate());
                if (!Double.isNaN(r.attentionFactor())) {
                    p.put("attention_factor", r.attentionFactor());
                }
                if (r.mscale() != 0) {
                    p.put("mscale", r.mscale());
                }
                if (r.mscaleAllDim() != 0) {
                    p.put("mscale_all_dim", r.mscaleAllDim());
                }
            }
            case LONGROPE -> LongRope.write(p, r);
            default -> { }
        }
        return p;
    }
}
