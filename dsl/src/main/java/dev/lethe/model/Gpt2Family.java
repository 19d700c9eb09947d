package dev.lethe.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * GPT-2 checkpoints ({@code GPT2LMHeadModel}, {@code model_type} {@code gpt2}) as {@link Gpt2} models of a
 * {@link GptConfig}. Tensor names are GPT-2's, with or without the {@code transformer.} prefix that
 * {@code GPT2LMHeadModel} adds (saved with it); the stored causal masks ({@code attn.bias},
 * {@code attn.masked_bias}) are buffers and skipped. GPT-2's {@code Conv1D} stores (in, out), Lethe's
 * orientation, so nothing is transposed.
 *
 * <p>Supported: tied input/output embeddings, {@code n_inner} = 4·{@code n_embd} (or null), layer-norm
 * ε = 1e-5, activation {@code gelu_new} / {@code gelu_pytorch_tanh} (GPT-2's tanh approximation) or
 * {@code gelu}; anything else is rejected with the field named. Dropout rates are not read: a loaded model
 * runs without dropout.
 */
public final class Gpt2Family implements HfFamily {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "transformer.";
    /** Buffers that Hugging Face checkpoints carry beside the parameters: the causal mask and its fill value. */
    private static final Pattern BUFFER = Pattern.compile("h\\.\\d+\\.attn\\.(bias|masked_bias)");

    @Override
    public List<String> modelTypes() {
        return List.of("gpt2");
    }

    @Override
    public Class<? extends ModelSpec> specClass() {
        return GptConfig.class;
    }

    @Override
    public ModelSpec spec(HfConfig config) {
        int width = config.integer("n_embd");
        if (config.has("n_inner") && config.integer("n_inner") != 4 * width) {
            throw config.unsupported("n_inner", "null or 4 * n_embd = " + 4 * width);
        }
        if (Math.abs(config.real("layer_norm_epsilon", 1e-5) - 1e-5) > 1e-12) {
            throw config.unsupported("layer_norm_epsilon", "1e-5");
        }
        if (!config.bool("tie_word_embeddings", true)) {
            throw config.unsupported("tie_word_embeddings", "true (the output head tied to wte)");
        }
        for (String field : List.of("scale_attn_by_inverse_layer_idx", "reorder_and_upcast_attn")) {
            if (config.bool(field, false)) {
                throw config.unsupported(field, "false");
            }
        }
        if (!config.bool("scale_attn_weights", true)) {
            throw config.unsupported("scale_attn_weights", "true");
        }
        String act = config.string("activation_function", "gelu_new");
        GptConfig.Activation activation = switch (act) {
            case "gelu_new", "gelu_pytorch_tanh" -> GptConfig.Activation.GELU_TANH;
            case "gelu" -> GptConfig.Activation.GELU;
            default -> throw config.unsupported("activation_function", "gelu_new, gelu_pytorch_tanh, gelu");
        };
        int context = config.has("n_positions") ? config.integer("n_positions") : config.integer("n_ctx");
        try {
            return new GptConfig(config.integer("vocab_size"), config.integer("n_layer"), width,
                    config.integer("n_head"), context, 0f, activation);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(config.file() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public @Nullable String parameterName(String checkpointName) {
        String name = checkpointName.startsWith(PREFIX) ? checkpointName.substring(PREFIX.length()) : checkpointName;
        return BUFFER.matcher(name).matches() ? null : name;
    }

    @Override
    public String checkpointName(String parameterName) {
        return PREFIX + parameterName;
    }

    @Override
    public boolean transposedInCheckpoint(String parameterName) {
        return false;
    }

    @Override
    public ObjectNode config(ModelSpec spec) {
        GptConfig c = (GptConfig) spec;
        ObjectNode config = JSON.createObjectNode();
        config.put("model_type", "gpt2");
        config.putArray("architectures").add("GPT2LMHeadModel");
        config.put("vocab_size", c.vocabSize()).put("n_positions", c.contextLength()).put("n_ctx", c.contextLength())
                .put("n_embd", c.width()).put("n_layer", c.layers()).put("n_head", c.heads()).putNull("n_inner")
                .put("activation_function", c.activation() == GptConfig.Activation.GELU ? "gelu" : "gelu_new")
                .put("layer_norm_epsilon", 1e-5).put("resid_pdrop", c.dropout()).put("embd_pdrop", c.dropout())
                .put("attn_pdrop", c.dropout()).put("tie_word_embeddings", true);
        return config;
    }
}
