package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The forward passes shared by decoder-only families with rotary positions and no learned position table
 * ({@link Llama}, {@link Phi}, {@link Phi3}, {@link GptNeoX}): token embedding, the blocks in order with
 * activation hooks where the residual stream enters and leaves each, a family-specific head, float32 logits;
 * and the cached pass of incremental decoding
 * ({@link Architecture#forward(Weights, NDArray, NDArray, NDArray, KvCache, Map, List)}), queries and keys rotated
 * at each row's own positions and keys cached after rotation, as transformers' {@code generate} does. A family
 * supplies its parameters, roles, one block and the head; the attention of a block goes through
 * {@link #attend}, which rotates, caches and attends ({@link Rotary}, with the family's {@link RopeScaling} and
 * its attention factor, and {@link CausalAttention}, with the block's sliding window).
 */
public abstract class RotaryDecoder implements Architecture {
    private final Object shape;
    private final String blockPrefix;
    private final String embedding;
    private final int vocabSize;
    private final int hidden;
    private final int layers;
    private final int headDim;
    private final double initializerRange;
    private final Rotary rotary;
    private final CausalAttention attention;
    private @Nullable List<RoleModule> roles;

    /**
     * A decoder of shape {@code shape} (its family's config) whose block l's modules are named
     * {@code blockPrefix + l + "." + suffix} and whose token embedding is the module {@code embedding}.
     *
     * @param shape the family's config, which with the class makes equal architectures
     * @param vocabSize number of token ids (0 until resolved from a tokenizer)
     * @param hidden residual width
     * @param layers number of blocks
     * @param heads query heads per block
     * @param kvHeads key/value heads per block
     * @param headDim width of one head
     * @param initializerRange the standard deviation of initial weights
     * @param rotary the rotary embedding of queries and keys
     */
    RotaryDecoder(Object shape, String blockPrefix, String embedding, int vocabSize, int hidden, int layers,
            int heads, int kvHeads, int headDim, double initializerRange, Rotary rotary) {
        this.shape = shape;
        this.blockPrefix = blockPrefix;
        this.embedding = embedding;
        this.vocabSize = vocabSize;
        this.hidden = hidden;
        this.layers = layers;
        this.headDim = headDim;
        this.initializerRange = initializerRange;
        this.rotary = rotary;
        this.attention = new CausalAttention(heads, kvHeads, headDim);
    }

    /** Appends the roles of block {@code l}'s modules to {@code r}. */
    abstract void blockRoles(List<RoleModule> r, int l);

    /** Appends the roles of the final norm and the head to {@code r}. */
    abstract void headRoles(List<RoleModule> r);

    /** Appends block {@code l}'s parameters to {@code p}, initial weights ~ N(0, {@code std}²). */
    abstract void blockParameters(List<ParameterSpec> p, int l, double std);

    /** Appends the parameters of the final norm and the head to {@code p}, initial weights ~ N(0, {@code std}²). */
    abstract void headParameters(List<ParameterSpec> p, double std);

    /**
     * Block {@code l} on the residual stream {@code x}, (batch, time, width); queries and keys are rotated by
     * {@code cos} and {@code sin} and attention goes through {@link #attend} with {@code padding} and
     * {@code cache} (null in an uncached pass). Frees nothing of {@code x}.
     */
    abstract NDArray block(Projections p, int l, NDArray x, NDArray cos, NDArray sin, @Nullable KeyPadding padding,
            @Nullable KvCache cache);

    /** The logits of the final hidden states {@code x}, in the weights' type (widened to float32 by the caller). */
    abstract NDArray head(Projections p, NDArray x);

    @Override
    public final int blocks() {
        return layers;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The token embedding, each block's parameters in block order, then the final norm and the head; the
     * embedding ~ N(0, initializerRange²) as transformers' {@code _init_weights} does.
     */
    @Override
    public final List<ParameterSpec> parameters() {
        if (vocabSize == 0) {
            throw new IllegalArgumentException("vocabSize is 0: resolve it from the tokenizer first");
        }
        List<ParameterSpec> p = new ArrayList<>();
        p.add(ParameterSpec.normal(embedding + ".weight", initializerRange, vocabSize, hidden));
        for (int l = 0; l < layers; l++) {
            blockParameters(p, l, initializerRange);
        }
        headParameters(p, initializerRange);
        return p;
    }

    /** {@inheritDoc} The token embedding's, each block's in block order, then the final norm's and the head's. */
    @Override
    public final synchronized List<RoleModule> roles() {
        if (roles == null) {
            List<RoleModule> r = new ArrayList<>();
            r.add(new RoleModule(Role.TOKEN_EMBEDDING, RoleModule.WHOLE_MODEL, embedding, false));
            for (int l = 0; l < layers; l++) {
                blockRoles(r, l);
            }
            headRoles(r);
            roles = List.copyOf(r);
        }
        return roles;
    }

    /**
     * The roles of Llama-style models' final RMSNorm {@code finalNorm} and bias-free head {@code head}, the token
     * embedding being the head when {@code tied}.
     */
    final void rmsNormHeadRoles(List<RoleModule> r, String finalNorm, String head, boolean tied) {
        r.add(new RoleModule(Role.FINAL_NORM, RoleModule.WHOLE_MODEL, finalNorm, false));
        r.add(new RoleModule(Role.LM_HEAD, RoleModule.WHOLE_MODEL, tied ? embedding : head, false));
    }

    /**
     * The parameters of Llama-style models' final RMSNorm {@code finalNorm}, gain 1, and, unless {@code tied},
     * of the bias-free head {@code head} ~ N(0, {@code std}²), stored (hidden, vocabulary).
     */
    final void rmsNormHeadParameters(List<ParameterSpec> p, String finalNorm, String head, boolean tied,
            double std) {
        p.add(ParameterSpec.constant(finalNorm + ".weight", 1f, hidden));
        if (!tied) {
            p.add(ParameterSpec.normal(head + ".weight", std, hidden, vocabSize));
        }
    }

    /** The name of block {@code block}'s module {@code suffix}. */
    final String module(int block, String suffix) {
        return blockPrefix + block + "." + suffix;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Positions are 0…T−1 for every sequence; like transformers, sequences longer than the configured
     * positions are accepted (rotary positions extrapolate). Without hooks the pass frees each hidden state as
     * soon as it is used; with hooks it keeps them, since a hook may hold on to one.
     */
    @Override
    public final NDArray forward(Weights weights, NDArray tokens, boolean training, Map<String, LowRank> adapters,
            List<ActivationHook> hooks) {
        Shape s = tokens.getShape();
        if (s.dimension() != 2) {
            throw new IllegalArgumentException("tokens must be (batch, time), was " + s);
        }
        NDArray table = weights.get(embedding + ".weight");
        NDList rope = rotary.table(table.getManager(), s.get(1), table.getDataType());
        Projections p = new Projections(weights, adapters);
        boolean hooked = !hooks.isEmpty();
        NDArray x = hook(hooks, 0, ActivationHook.Position.ENTERING, embed(table, tokens));
        for (int l = 0; l < layers; l++) {
            NDArray out = block(p, l, x, rope.get(0), rope.get(1), null, null);
            NDArray next = hook(hooks, l, ActivationHook.Position.LEAVING, out);
            if (l + 1 < layers) {
                next = hook(hooks, l + 1, ActivationHook.Position.ENTERING, next);
            }
            if (!hooked) {
                x.close();
            }
            x = next;
        }
        NDArray logits = Precision.widened(head(p, x));
        if (!hooked) {
            x.close();
        }
        return logits;
    }

    @Override
    public final boolean supportsKvCache() {
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The new queries and keys are rotated at their own {@code positions} (so left-padded sequences start
     * at position 0 at their first real token, as in transformers); keys are cached after rotation. Dynamic
     * NTK scaling computes the frequencies of a step from the cached + new length, as transformers'
     * {@code generate} does step by step.
     */
    @Override
    public final NDArray forward(Weights weights, NDArray tokens, NDArray positions, NDArray keyMask, KvCache cache,
            Map<String, LowRank> adapters, List<ActivationHook> hooks) {
        Shape s = tokens.getShape();
        long past = cache.length();
        if (s.dimension() != 2 || !s.equals(positions.getShape()) || s.get(0) != cache.batch()
                || !keyMask.getShape().equals(new Shape(s.get(0), past + s.get(1))) || cache.blocks() != layers) {
            throw new IllegalArgumentException("cached forward: tokens " + s + " and positions "
                    + positions.getShape() + " must be (batch " + cache.batch() + ", new), the key mask "
                    + keyMask.getShape() + " (batch, " + past + " cached + new), the cache of " + layers
                    + " blocks (was " + cache.blocks() + ")");
        }
        long time = s.get(1);
        NDArray table = weights.get(embedding + ".weight");
        NDList rope = rotary.table(positions, past + time, table.getDataType());
        NDArray cos = rope.get(0).expandDims(1);
        NDArray sin = rope.get(1).expandDims(1);
        NDArray keyValid = keyMask.toType(DataType.BOOLEAN, false);
        Projections p = new Projections(weights, adapters);
        boolean hooked = !hooks.isEmpty();
        NDArray x = hook(hooks, 0, ActivationHook.Position.ENTERING, embed(table, tokens));
        try (KeyPadding padding = new KeyPadding(keyValid)) {
            for (int l = 0; l < layers; l++) {
                NDArray next = hook(hooks, l, ActivationHook.Position.LEAVING, block(p, l, x, cos, sin, padding, cache));
                if (l + 1 < layers) {
                    next = hook(hooks, l + 1, ActivationHook.Position.ENTERING, next);
                }
                if (!hooked) {
                    x.close();
                }
                x = next;
            }
        }
        NDArray last = x.get(new NDIndex().addAllDim().addSliceDim(time - 1, time));
        NDArray logits = Precision.widened(head(p, last));
        NDArray flat = logits.reshape(s.get(0), logits.getShape().get(2));
        free(last, logits, cos, sin, keyValid);
        if (!hooked) {
            x.close();
        }
        rope.close();
        return flat;
    }

    /**
     * Causal attention of block {@code l}: {@code q}, (batch, heads, time, headDim), and {@code k},
     * (batch, kvHeads, time, headDim), rotated; with a cache, the rotated keys and {@code v} appended there and
     * the attention run over every cached position. Returns (batch, time, heads·headDim) and frees its inputs.
     *
     * @param window the sliding window of this block, or 0 for none
     */
    final NDArray attend(int l, NDArray q, NDArray k, NDArray v, NDArray cos, NDArray sin, int window,
            @Nullable KeyPadding padding, @Nullable KvCache cache) {
        NDArray qr = rotary.apply(q, cos, sin);
        NDArray kr = rotary.apply(k, cos, sin);
        NDArray[] kv = cache == null ? new NDArray[] {kr, v} : cache.append(l, kr, v);
        NDArray out = attention.attend(qr, kv[0], kv[1], window, padding);
        free(q, k, v, qr, kr);
        if (cache != null) {
            free(kv);
        }
        return out;
    }

    /** {@code flat}, (batch, time, count·headDim), as (batch, count, time, headDim); frees {@code flat}. */
    final NDArray heads(NDArray flat, int count) {
        Shape s = flat.getShape();
        NDArray byHead = flat.reshape(s.get(0), s.get(1), count, headDim);
        NDArray out = byHead.transpose(0, 2, 1, 3);
        free(flat, byHead);
        return out;
    }

    /** A biased projection stored (in, out): weight ~ N(0, std²), bias 0. */
    static void linear(List<ParameterSpec> p, String module, double std, int in, int out) {
        p.add(ParameterSpec.normal(module + ".weight", std, in, out));
        p.add(ParameterSpec.constant(module + ".bias", 0f, out));
    }

    /** A LayerNorm of {@code width}: gain 1, bias 0. */
    static void norm(List<ParameterSpec> p, String module, int width) {
        p.add(ParameterSpec.constant(module + ".weight", 1f, width));
        p.add(ParameterSpec.constant(module + ".bias", 0f, width));
    }

    /** {@link LayerNormalization} of {@code x} by module {@code module}'s weight and bias. */
    static NDArray layerNorm(Projections p, String module, NDArray x, double eps) {
        return LayerNormalization.apply(x, p.weights().get(module + ".weight"), p.weights().get(module + ".bias"), eps);
    }

    /** {@code x·Wᵀ} for a table {@code w} stored (vocabulary, width): a head tied to the token embedding. */
    static NDArray tiedHead(NDArray x, NDArray w) {
        return Linear.linear(x, w).singletonOrThrow();
    }

    /** The MLP non-linearity {@code activation} of {@code x} (GPT-2's definitions, {@link GptConfig.Activation}). */
    static NDArray activation(GptConfig.Activation activation, NDArray x) {
        return activation == GptConfig.Activation.GELU ? Activation.gelu(x) : Gpt2.geluTanh(x);
    }

    /** Rows {@code table[tokens]} by libtorch's {@code embedding} kernel. */
    private static NDArray embed(NDArray table, NDArray tokens) {
        return table.getNDArrayInternal().embedding(tokens, table, SparseFormat.DENSE).singletonOrThrow();
    }

    private static NDArray hook(List<ActivationHook> hooks, int block, ActivationHook.Position position, NDArray x) {
        NDArray out = x;
        for (ActivationHook h : hooks) {
            out = h.apply(block, position, out);
        }
        return out;
    }

    /** Closes intermediates as soon as they are used (autograd keeps its own references). */
    static void free(NDArray... arrays) {
        for (NDArray a : arrays) {
            a.close();
        }
    }

    /** Equal shapes of one family make equal architectures (the caches are not compared). */
    @Override
    public final boolean equals(@Nullable Object o) {
        return o != null && o.getClass() == getClass() && shape.equals(((RotaryDecoder) o).shape);
    }

    @Override
    public final int hashCode() {
        return Objects.hash(getClass(), shape);
    }

    @Override
    public final String toString() {
        return getClass().getSimpleName() + "[" + shape + "]";
    }
}
