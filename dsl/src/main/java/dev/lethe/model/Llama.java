package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The Llama family of one {@link LlamaConfig} shape (Llama 2/3.x, Mistral, Qwen2/2.5, Qwen3), written on DJL
 * operations with Hugging Face's parameter names: {@code x = embed_tokens[tokens]}; per block
 * {@code x += o_proj(attn(rope(q), rope(k), v))} on {@code input_layernorm(x)} and
 * {@code x += down_proj(silu(gate_proj(h)) ⊙ up_proj(h))} on {@code h = post_attention_layernorm(x)};
 * {@code logits = norm(x) · headᵀ}, the head being {@code lm_head} or the tied {@code embed_tokens}. Blocks
 * shared with other families: {@link RmsNorm}, {@link Rotary}, {@link CausalAttention}, {@link SwiGlu},
 * {@link Projections}.
 *
 * <p>Roles (block l's modules under {@code model.layers.l.}): {@code model.embed_tokens}
 * {@link Role#TOKEN_EMBEDDING}; {@code input_layernorm} {@link Role#ATTENTION_NORM}; {@code self_attn.q_proj},
 * {@code k_proj}, {@code v_proj}, {@code o_proj} {@link Role#ATTENTION_Q}, {@link Role#ATTENTION_K},
 * {@link Role#ATTENTION_V}, {@link Role#ATTENTION_OUT}; Qwen3's {@code self_attn.q_norm}, {@code k_norm}
 * {@link Role#QUERY_NORM}, {@link Role#KEY_NORM}; {@code post_attention_layernorm} {@link Role#MLP_NORM};
 * {@code mlp.gate_proj}, {@code up_proj}, {@code down_proj} {@link Role#MLP_GATE}, {@link Role#MLP_UP},
 * {@link Role#MLP_DOWN}; {@code model.norm} {@link Role#FINAL_NORM}; {@code lm_head} (or
 * {@code model.embed_tokens} when tied) {@link Role#LM_HEAD}. Projections and an untied head are stored
 * (in, out), the embedding (vocabulary, hidden).
 */
public final class Llama implements Architecture {
    private static final String EMBEDDING = "model.embed_tokens";
    private static final String FINAL_NORM = "model.norm";
    private static final String HEAD = "lm_head";
    private static final String ATTENTION_NORM = "input_layernorm";
    private static final String Q = "self_attn.q_proj";
    private static final String K = "self_attn.k_proj";
    private static final String V = "self_attn.v_proj";
    private static final String O = "self_attn.o_proj";
    private static final String Q_NORM = "self_attn.q_norm";
    private static final String K_NORM = "self_attn.k_norm";
    private static final String MLP_NORM = "post_attention_layernorm";
    private static final String GATE = "mlp.gate_proj";
    private static final String UP = "mlp.up_proj";
    private static final String DOWN = "mlp.down_proj";

    private final LlamaConfig config;
    private final List<RoleModule> roles;
    private final Rotary rotary;
    private final CausalAttention attention;

    /** The Llama-family model of shape {@code config}. */
    public Llama(LlamaConfig config) {
        this.config = config;
        List<RoleModule> r = new ArrayList<>();
        r.add(new RoleModule(Role.TOKEN_EMBEDDING, RoleModule.WHOLE_MODEL, EMBEDDING, false));
        for (int l = 0; l < config.layers(); l++) {
            r.add(new RoleModule(Role.ATTENTION_NORM, l, module(l, ATTENTION_NORM), false));
            r.add(new RoleModule(Role.ATTENTION_Q, l, module(l, Q), config.qkvBias()));
            r.add(new RoleModule(Role.ATTENTION_K, l, module(l, K), config.qkvBias()));
            r.add(new RoleModule(Role.ATTENTION_V, l, module(l, V), config.qkvBias()));
            if (config.qkNorm()) {
                r.add(new RoleModule(Role.QUERY_NORM, l, module(l, Q_NORM), false));
                r.add(new RoleModule(Role.KEY_NORM, l, module(l, K_NORM), false));
            }
            r.add(new RoleModule(Role.ATTENTION_OUT, l, module(l, O), config.outputBias()));
            r.add(new RoleModule(Role.MLP_NORM, l, module(l, MLP_NORM), false));
            r.add(new RoleModule(Role.MLP_GATE, l, module(l, GATE), config.mlpBias()));
            r.add(new RoleModule(Role.MLP_UP, l, module(l, UP), config.mlpBias()));
            r.add(new RoleModule(Role.MLP_DOWN, l, module(l, DOWN), config.mlpBias()));
        }
        r.add(new RoleModule(Role.FINAL_NORM, RoleModule.WHOLE_MODEL, FINAL_NORM, false));
        r.add(new RoleModule(Role.LM_HEAD, RoleModule.WHOLE_MODEL, config.tiedHead() ? EMBEDDING : HEAD, false));
        this.roles = List.copyOf(r);
        this.rotary = new Rotary(config.headDim(), 1.0, config.ropeTheta(), config.ropeScaling(),
                config.maxPositions());
        this.attention = new CausalAttention(config.heads(), config.kvHeads(), config.headDim());
    }

    private static String module(int block, String suffix) {
        return "model.layers." + block + "." + suffix;
    }

    /** The shape. */
    public LlamaConfig config() {
        return config;
    }

    /**
     * Initialisation for training from scratch, as transformers' {@code _init_weights} does for this family:
     * embedding, projections and head ~ N(0, initializerRange²), biases 0, RMSNorm gains 1.
     */
    @Override
    public List<ParameterSpec> parameters() {
        if (config.vocabSize() == 0) {
            throw new IllegalArgumentException("vocabSize is 0: resolve it from the tokenizer first");
        }
        double std = config.initializerRange();
        int d = config.hidden();
        int qWidth = config.heads() * config.headDim();
        int kvWidth = config.kvHeads() * config.headDim();
        List<ParameterSpec> p = new ArrayList<>();
        p.add(ParameterSpec.normal(EMBEDDING + ".weight", std, config.vocabSize(), d));
        for (int l = 0; l < config.layers(); l++) {
            linear(p, module(l, Q), std, d, qWidth, config.qkvBias());
            linear(p, module(l, K), std, d, kvWidth, config.qkvBias());
            linear(p, module(l, V), std, d, kvWidth, config.qkvBias());
            linear(p, module(l, O), std, qWidth, d, config.outputBias());
            if (config.qkNorm()) {
                p.add(ParameterSpec.constant(module(l, Q_NORM) + ".weight", 1f, config.headDim()));
                p.add(ParameterSpec.constant(module(l, K_NORM) + ".weight", 1f, config.headDim()));
            }
            linear(p, module(l, GATE), std, d, config.intermediate(), config.mlpBias());
            linear(p, module(l, UP), std, d, config.intermediate(), config.mlpBias());
            linear(p, module(l, DOWN), std, config.intermediate(), d, config.mlpBias());
            p.add(ParameterSpec.constant(module(l, ATTENTION_NORM) + ".weight", 1f, d));
            p.add(ParameterSpec.constant(module(l, MLP_NORM) + ".weight", 1f, d));
        }
        p.add(ParameterSpec.constant(FINAL_NORM + ".weight", 1f, d));
        if (!config.tiedHead()) {
            p.add(ParameterSpec.normal(HEAD + ".weight", std, d, config.vocabSize()));
        }
        return p;
    }

    private static void linear(List<ParameterSpec> p, String module, double std, int in, int out, boolean bias) {
        p.add(ParameterSpec.normal(module + ".weight", std, in, out));
        if (bias) {
            p.add(ParameterSpec.constant(module + ".bias", 0f, out));
        }
    }

    @Override
    public int blocks() {
        return config.layers();
    }

    @Override
    public List<RoleModule> roles() {
        return roles;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Positions are 0…T−1 for every sequence; like transformers, sequences longer than
     * {@code max_position_embeddings} are accepted (rotary positions extrapolate). Without hooks the pass
     * frees each intermediate array as soon as it is used; with hooks it keeps every hidden state, since a
     * hook may hold on to one.
     */
    @Override
    public NDArray forward(Weights weights, NDArray tokens, boolean training, Map<String, LowRank> adapters,
            List<ActivationHook> hooks) {
        Shape s = tokens.getShape();
        if (s.dimension() != 2) {
            throw new IllegalArgumentException("tokens must be (batch, time), was " + s);
        }
        long time = s.get(1);
        NDArray embedding = weights.get(EMBEDDING + ".weight");
        NDList table = rotary.table(embedding.getManager(), time, embedding.getDataType());
        Projections p = new Projections(weights, adapters);
        boolean hooked = !hooks.isEmpty();
        NDArray x = embed(embedding, tokens);
        x = hook(hooks, 0, ActivationHook.Position.ENTERING, x);
        for (int l = 0; l < config.layers(); l++) {
            NDArray out = block(p, l, x, table.get(0), table.get(1), null, null);
            NDArray next = hook(hooks, l, ActivationHook.Position.LEAVING, out);
            if (l + 1 < config.layers()) {
                next = hook(hooks, l + 1, ActivationHook.Position.ENTERING, next);
            }
            if (!hooked) {
                x.close();
            }
            x = next;
        }
        NDArray logits = head(p, x);
        if (!hooked) {
            x.close();
        }
        return logits;
    }

    @Override
    public boolean supportsKvCache() {
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
    public NDArray forward(Weights weights, NDArray tokens, NDArray positions, NDArray keyMask, KvCache cache,
            Map<String, LowRank> adapters) {
        Shape s = tokens.getShape();
        long past = cache.length();
        if (s.dimension() != 2 || !s.equals(positions.getShape()) || s.get(0) != cache.batch()
                || !keyMask.getShape().equals(new Shape(s.get(0), past + s.get(1))) || cache.blocks() != blocks()) {
            throw new IllegalArgumentException("cached forward: tokens " + s + " and positions "
                    + positions.getShape() + " must be (batch " + cache.batch() + ", new), the key mask "
                    + keyMask.getShape() + " (batch, " + past + " cached + new), the cache of " + blocks()
                    + " blocks (was " + cache.blocks() + ")");
        }
        long batch = s.get(0);
        long time = s.get(1);
        NDArray embedding = weights.get(EMBEDDING + ".weight");
        NDList table = rotary.table(positions, past + time, embedding.getDataType());
        NDArray cos = table.get(0).expandDims(1);
        NDArray sin = table.get(1).expandDims(1);
        NDArray keyValid = keyMask.toType(DataType.BOOLEAN, false);
        Projections p = new Projections(weights, adapters);
        NDArray x = embed(embedding, tokens);
        for (int l = 0; l < config.layers(); l++) {
            NDArray next = block(p, l, x, cos, sin, keyValid, cache);
            x.close();
            x = next;
        }
        NDArray lastPosition = x.get(new NDIndex().addAllDim().addSliceDim(time - 1, time));
        NDArray logits = head(p, lastPosition);
        NDArray flat = logits.reshape(batch, logits.getShape().get(2));
        free(x, lastPosition, logits, cos, sin, keyValid);
        table.close();
        return flat;
    }

    /** Rows {@code embedding[tokens]} by libtorch's {@code embedding} kernel. */
    private static NDArray embed(NDArray embedding, NDArray tokens) {
        return embedding.getNDArrayInternal().embedding(tokens, embedding, SparseFormat.DENSE).singletonOrThrow();
    }

    /** Float32 logits {@code norm(x) · headᵀ}. */
    private NDArray head(Projections p, NDArray x) {
        NDArray last = RmsNorm.apply(x, p.weights().get(FINAL_NORM + ".weight"), config.rmsNormEps());
        NDArray logits;
        if (config.tiedHead()) {
            logits = Linear.linear(last, p.weights().get(EMBEDDING + ".weight")).singletonOrThrow();
        } else {
            NDArray wt = p.weights().get(HEAD + ".weight").transpose();
            logits = Linear.linear(last, wt).singletonOrThrow();
            wt.close();
        }
        last.close();
        return widened(logits);
    }

    /**
     * Block {@code l} on {@code x}, queries and keys rotated by {@code cos} and {@code sin}; with a cache, its
     * new keys and values are appended there and the attention runs over all the cached ones.
     */
    private NDArray block(Projections p, int l, NDArray x, NDArray cos, NDArray sin, @Nullable NDArray keyValid,
            @Nullable KvCache cache) {
        Shape s = x.getShape();
        long batch = s.get(0);
        long time = s.get(1);
        NDArray h = RmsNorm.apply(x, p.weights().get(module(l, ATTENTION_NORM) + ".weight"), config.rmsNormEps());
        NDArray q = heads(p, h, l, Q, Q_NORM, config.heads(), batch, time);
        NDArray k = heads(p, h, l, K, K_NORM, config.kvHeads(), batch, time);
        NDArray vFlat = p.apply(h, module(l, V), config.qkvBias());
        NDArray v4 = vFlat.reshape(batch, time, config.kvHeads(), config.headDim());
        NDArray v = v4.transpose(0, 2, 1, 3);
        NDArray qr = rotary.apply(q, cos, sin);
        NDArray kr = rotary.apply(k, cos, sin);
        NDArray[] kv = cache == null ? new NDArray[] {kr, v} : cache.append(l, kr, v);
        NDArray attended = attention.attend(qr, kv[0], kv[1], config.window(l), keyValid);
        NDArray out = p.apply(attended, module(l, O), config.outputBias());
        NDArray x1 = x.add(out);
        free(h, q, k, vFlat, v4, v, qr, kr, attended, out);
        if (cache != null) {
            free(kv);
        }
        NDArray h2 = RmsNorm.apply(x1, p.weights().get(module(l, MLP_NORM) + ".weight"), config.rmsNormEps());
        NDArray mlp = SwiGlu.apply(p, h2, module(l, GATE), module(l, UP), module(l, DOWN), config.mlpBias());
        NDArray x2 = x1.add(mlp);
        free(x1, h2, mlp);
        return x2;
    }

    /** The projection {@code proj} of {@code h} as (batch, count, time, headDim), head-normalised when Qwen3. */
    private NDArray heads(Projections p, NDArray h, int l, String proj, String norm, int count, long batch,
            long time) {
        NDArray flat = p.apply(h, module(l, proj), config.qkvBias());
        NDArray byHead = flat.reshape(batch, time, count, config.headDim());
        NDArray normed = byHead;
        if (config.qkNorm()) {
            normed = RmsNorm.apply(byHead, p.weights().get(module(l, norm) + ".weight"), config.rmsNormEps());
            byHead.close();
        }
        NDArray out = normed.transpose(0, 2, 1, 3);
        flat.close();
        normed.close();
        return out;
    }

    private static NDArray hook(List<ActivationHook> hooks, int block, ActivationHook.Position position, NDArray x) {
        NDArray out = x;
        for (ActivationHook h : hooks) {
            out = h.apply(block, position, out);
        }
        return out;
    }

    private static void free(NDArray... arrays) {
        for (NDArray a : arrays) {
            a.close();
        }
    }

    /**
     * Float32 logits from a float16 pass: a product with a float32 one promotes the type and stays in the
     * autograd graph ({@code toType} would cut it).
     */
    private static NDArray widened(NDArray logits) {
        if (logits.getDataType() == DataType.FLOAT32) {
            return logits;
        }
        NDArray one = logits.getManager().ones(new Shape(1), DataType.FLOAT32);
        NDArray wide = logits.mul(one);
        free(one, logits);
        return wide;
    }

    /** Equal shapes make equal architectures (the caches are not compared). */
    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof Llama other && config.equals(other.config);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Llama.class, config);
    }

    @Override
    public String toString() {
        return "Llama[" + config + "]";
    }
}
