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

    /**
     * Whether this architecture implements the cached forward pass
     * ({@link #forward(Weights, NDArray, NDArray, NDArray, KvCache, Map, List)}); without it, generation recomputes
     * the whole prefix for every token.
     */
    default boolean supportsKvCache() {
        return false;
    }

    /**
     * The cached forward pass of incremental decoding (evaluation mode: no dropout): runs
     * {@code tokens} after the {@link KvCache#length()} positions {@code cache} already holds, appends each
     * block's keys and values of the new positions to {@code cache} (one {@link KvCache#append} per block,
     * in block order), and returns the next-token logits at the last new position.
     *
     * <p>Sequences of different lengths are left-padded, as Hugging Face {@code generate} pads them: the
     * padding positions have {@code keyMask} 0 and any token id; every later position, prompt or generated,
     * has 1. With {@code m} the mask of a sequence's prompt, its position ids are {@code cumsum(m) - 1}
     * (as {@code transformers} computes them; the value at padding positions does not matter, use 0 or 1),
     * and each generated token's id is one more than the one before. A new position attends to the cached
     * and new positions at or before it whose {@code keyMask} is 1, and to itself (so that a padding row has
     * a finite softmax; no real position attends to padding).
     *
     * @param weights the parameter arrays, named as {@link #parameters()}
     * @param tokens the new token ids, (batch, new), integer type
     * @param positions their position ids, (batch, new), integer type; each below the context length, which
     *     the caller checks (learned position tables are indexed by them, rotary embeddings rotate by them)
     * @param keyMask 1 for a position to attend to, 0 for padding, over the cached and the new positions,
     *     (batch, cached + new), any numeric or boolean type
     * @param cache the keys and values of the earlier positions, appended to here; of {@link #blocks()} blocks
     *     and {@code batch} sequences
     * @param adapters low-rank updates, as in {@link #forward(Weights, NDArray, boolean, Map, List)}
     * @param hooks applied in order where the residual stream of the new positions enters or leaves a block, as in
     *     the uncached pass; empty for none
     * @return next-token logits at the last new position, (batch, vocabulary), float32 whatever the weights'
     *     type
     * @throws UnsupportedOperationException when {@link #supportsKvCache()} is false
     */
    default NDArray forward(Weights weights, NDArray tokens, NDArray positions, NDArray keyMask, KvCache cache,
            Map<String, LowRank> adapters, List<ActivationHook> hooks) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no cached forward pass: "
                + "check supportsKvCache() and recompute the prefix instead");
    }

    /**
     * The cached forward pass without hooks ({@link #forward(Weights, NDArray, NDArray, NDArray, KvCache, Map, List)}).
     */
    default NDArray forward(Weights weights, NDArray tokens, NDArray positions, NDArray keyMask, KvCache cache,
            Map<String, LowRank> adapters) {
        return forward(weights, tokens, positions, keyMask, cache, adapters, List.of());
    }

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
