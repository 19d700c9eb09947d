package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The math of one model family for one shape: which parameters a model has and how they are initialised,
 * which {@link Role} each plays, and the forward pass from token ids to logits. Lifecycle (creating,
 * loading, saving and copying weights, adapter views) is {@link CausalLm}'s, so an architecture holds no
 * weights: it is handed them on every pass.
 *
 * <p>Conventions every architecture keeps, so that adapters, quantization and freezing work on any of them:
 * parameters are named as in Hugging Face checkpoints ({@code <module>.weight}, {@code <module>.bias});
 * a projection's weight is stored (in, out) and applied as {@code y = x·W + b} (GPT-2's {@code Conv1D}
 * orientation; an architecture whose checkpoints store PyTorch's (out, in) transposes when it reads and
 * writes them); embedding tables are (entries, width). {@link GptConfig#architecture()} gives
 * {@link Gpt2}.
 */
public interface Architecture {

    /** Every parameter with its shape and initial distribution, in creation order. */
    List<ParameterSpec> parameters();

    /** Number of transformer blocks. */
    int blocks();

    /** Every module that plays a role, the model-wide ones and those of each block. */
    List<RoleModule> roles();

    /**
     * The forward pass.
     *
     * @param weights the parameter arrays, named as {@link #parameters()}
     * @param tokens token ids, (batch, time), integer type
     * @param training apply dropout (when the architecture has any)
     * @param adapters low-rank updates added to the output of the projection modules they are keyed by
     *     ({@link RoleModule#name()}); empty for none
     * @param hooks applied in order wherever the residual stream enters or leaves a block; empty for none
     * @return next-token logits, (batch, time, vocabulary), float32 whatever the weights' type
     */
    NDArray forward(Weights weights, NDArray tokens, boolean training, Map<String, LowRank> adapters,
            List<ActivationHook> hooks);

    /** The module playing per-block {@code role} in block {@code block}, if this architecture has that role. */
    default Optional<RoleModule> find(Role role, int block) {
        if (!role.perBlock()) {
            throw new IllegalArgumentException(role.key() + " is not per block; use find(role)");
        }
        if (block < 0 || block >= blocks()) {
            throw new IllegalArgumentException("block " + block + " is out of range: the model has " + blocks());
        }
        return roles().stream().filter(m -> m.role() == role && m.block() == block).findFirst();
    }

    /** The module playing model-wide {@code role}, if this architecture has that role. */
    default Optional<RoleModule> find(Role role) {
        if (role.perBlock()) {
            throw new IllegalArgumentException(role.key() + " is per block; use find(role, block)");
        }
        return roles().stream().filter(m -> m.role() == role).findFirst();
    }
}
