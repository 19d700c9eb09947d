package dev.lethe.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One family of Hugging Face checkpoints (GPT-2, Llama, Qwen2, Phi, GPT-NeoX, ...): how its
 * {@code config.json} becomes a {@link ModelSpec}, how its checkpoint tensors relate to the
 * {@link Architecture}'s parameters, and the {@code config.json} a saved model gets. A model folder's
 * {@code model_type} selects the family.
 *
 * <p>Parameter names are the checkpoint's names (the {@link Architecture} convention), so the only
 * difference between a checkpoint tensor and a parameter is orientation: Lethe stores projections
 * (in, out), PyTorch's {@code nn.Linear} stores (out, in).
 */
public interface HfFamily {

    /** The {@code model_type} values this family reads, e.g. {@code llama} and {@code mistral}. */
    List<String> modelTypes();

    /** The spec class this family's models have, by which {@link HfFamilies#forSpec} finds the family to save with. */
    Class<? extends ModelSpec> specClass();

    /**
     * The model's shape from its configuration.
     *
     * @throws IllegalArgumentException naming the file and field ({@link HfConfig#unsupported}) when the
     *     configuration asks for something this family does not implement
     */
    ModelSpec spec(HfConfig config);

    /**
     * The Lethe parameter a checkpoint tensor holds, given the checkpoint's name (e.g. GPT-2's
     * {@code transformer.h.0.attn.c_attn.weight} is {@code h.0.attn.c_attn.weight}), or {@code null} for a
     * buffer that is not a parameter (a rotary table, a stored causal mask) and is skipped.
     */
    @org.jspecify.annotations.Nullable String parameterName(String checkpointName);

    /** The name a parameter is saved under (the inverse of {@link #parameterName}). */
    default String checkpointName(String parameterName) {
        return parameterName;
    }

    /**
     * Whether the checkpoint stores this parameter transposed relative to Lethe's (in, out) projections
     * ({@code nn.Linear}'s (out, in)): true for the projections of every family but GPT-2, whose
     * {@code Conv1D} already stores (in, out).
     */
    boolean transposedInCheckpoint(String parameterName);

    /**
     * The checkpoint name of the output head ({@code lm_head.weight} in {@code transformers}' causal-LM
     * classes). When the head is tied to the token embedding, a checkpoint may carry it as a copy of the
     * embedding, which {@link HfFolder#load} then checks and skips.
     */
    default String headCheckpointName() {
        return "lm_head.weight";
    }

    /**
     * The {@code config.json} that Hugging Face {@code transformers} reads back as {@code spec}: at least
     * {@code model_type}, {@code architectures} and every field the spec models. {@link HfFolder#save} lays it
     * over the source folder's configuration, so fields Lethe does not model are kept.
     */
    ObjectNode config(ModelSpec spec);
}
