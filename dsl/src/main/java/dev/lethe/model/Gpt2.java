package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * GPT-2 (Radford et al. 2019, "Language Models are Unsupervised Multitask Learners") of one
 * {@link GptConfig} shape, written directly on DJL's {@link NDArray} operations with Hugging Face GPT-2's
 * parameter names: {@code x = wte[tokens] + wpe[0..T)}; per block {@code x += attn(ln_1(x));
 * x += mlp(ln_2(x))} with causal multi-head attention and a GELU MLP of width 4d;
 * {@code logits = ln_f(x) · wteᵀ} (the head is tied to the token embedding). Layer norm is taken over the
 * feature axis only.
 *
 * <p>Roles: {@code wte} is both {@link Role#TOKEN_EMBEDDING} and {@link Role#LM_HEAD}, {@code wpe}
 * {@link Role#POSITION_EMBEDDING}; in block l {@code h.l.ln_1} {@link Role#ATTENTION_NORM},
 * {@code h.l.attn.c_attn} {@link Role#ATTENTION_QKV} (fused, (d, 3d)), {@code h.l.attn.c_proj}
 * {@link Role#ATTENTION_OUT}, {@code h.l.ln_2} {@link Role#MLP_NORM}, {@code h.l.mlp.c_fc}
 * {@link Role#MLP_UP}, {@code h.l.mlp.c_proj} {@link Role#MLP_DOWN}; {@code ln_f} {@link Role#FINAL_NORM}.
 *
 * <p>An instance caches the additive causal masks it makes, one per (length, type), in the manager of the
 * weights it runs with; {@link CausalLm} keeps one instance per model.
 */
public final class Gpt2 implements Architecture {
    private static final float LAYER_NORM_EPS = 1e-5f;
    private static final double INIT_STD = 0.02;
    private static final String TOKENS = "wte";
    private static final String POSITIONS = "wpe";
    private static final String FINAL_NORM = "ln_f";
    private static final String ATTENTION_NORM = "ln_1";
    private static final String QKV = "attn.c_attn";
    private static final String ATTENTION_OUT = "attn.c_proj";
    private static final String MLP_NORM = "ln_2";
    private static final String MLP_UP = "mlp.c_fc";
    private static final String MLP_DOWN = "mlp.c_proj";

    private final GptConfig config;
    private final List<RoleModule> roles;
    private final Map<String, NDArray> causalMasks = new HashMap<>();

    /** GPT-2 of shape {@code config}. */
    public Gpt2(GptConfig config) {
        this.config = config;
        List<RoleModule> r = new ArrayList<>();
        r.add(new RoleModule(Role.TOKEN_EMBEDDING, RoleModule.WHOLE_MODEL, TOKENS, false));
        r.add(new RoleModule(Role.POSITION_EMBEDDING, RoleModule.WHOLE_MODEL, POSITIONS, false));
        for (int l = 0; l < config.layers(); l++) {
            r.add(new RoleModule(Role.ATTENTION_NORM, l, module(l, ATTENTION_NORM), true));
            r.add(new RoleModule(Role.ATTENTION_QKV, l, module(l, QKV), true));
            r.add(new RoleModule(Role.ATTENTION_OUT, l, module(l, ATTENTION_OUT), true));
            r.add(new RoleModule(Role.MLP_NORM, l, module(l, MLP_NORM), true));
            r.add(new RoleModule(Role.MLP_UP, l, module(l, MLP_UP), true));
            r.add(new RoleModule(Role.MLP_DOWN, l, module(l, MLP_DOWN), true));
        }
        r.add(new RoleModule(Role.FINAL_NORM, RoleModule.WHOLE_MODEL, FINAL_NORM, true));
        r.add(new RoleModule(Role.LM_HEAD, RoleModule.WHOLE_MODEL, TOKENS, false));
        this.roles = List.copyOf(r);
    }

    private static String module(int block, String suffix) {
        return "h." + block + "." + suffix;
    }

    /** The shape. */
    public GptConfig config() {
        return config;
    }

    /**
     * GPT-2's initialisation: weights ~ N(0, 0.02²), residual output projections ~ N(0, (0.02/√(2L))²)
     * (Radford et al. 2019, §2.3), position embeddings ~ N(0, 0.01²), biases 0, layer-norm gains 1.
     */
    @Override
    public List<ParameterSpec> parameters() {
        if (config.vocabSize() == 0) {
            throw new IllegalArgumentException("vocabSize is 0: resolve it from the tokenizer first");
        }
        int d = config.width();
        double residualStd = INIT_STD / Math.sqrt(2.0 * config.layers());
        List<ParameterSpec> specs = new ArrayList<>();
        specs.add(ParameterSpec.normal(TOKENS + ".weight", INIT_STD, config.vocabSize(), d));
        specs.add(ParameterSpec.normal(POSITIONS + ".weight", INIT_STD / 2, config.contextLength(), d));
        for (int l = 0; l < config.layers(); l++) {
            norm(specs, module(l, ATTENTION_NORM), d);
            linear(specs, module(l, QKV), INIT_STD, d, 3 * d);
            linear(specs, module(l, ATTENTION_OUT), residualStd, d, d);
            norm(specs, module(l, MLP_NORM), d);
            linear(specs, module(l, MLP_UP), INIT_STD, d, 4 * d);
            linear(specs, module(l, MLP_DOWN), residualStd, 4 * d, d);
        }
        norm(specs, FINAL_NORM, d);
        return specs;
    }

    private static void norm(List<ParameterSpec> specs, String module, int d) {
        specs.add(ParameterSpec.constant(module + ".weight", 1f, d));
        specs.add(ParameterSpec.constant(module + ".bias", 0f, d));
    }

    private static void linear(List<ParameterSpec> specs, String module, double std, int in, int out) {
        specs.add(ParameterSpec.normal(module + ".weight", std, in, out));
        specs.add(ParameterSpec.constant(module + ".bias", 0f, out));
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
     * <p>Without hooks the pass frees each intermediate array as soon as it is used (see {@link #free}); with
     * hooks it keeps every hidden state, since a hook may hold on to one.
     */
    @Override
    public NDArray forward(Weights weights, NDArray tokens, boolean training, Map<String, LowRank> adapters,
            List<ActivationHook> hooks) {
        Shape s = tokens.getShape();
        if (s.dimension() != 2) {
            throw new IllegalArgumentException("tokens must be (batch, time), was " + s);
        }
        long batch = s.get(0);
        long time = s.get(1);
        if (time > config.contextLength()) {
            throw new IllegalArgumentException("sequence of " + time + " tokens exceeds the context length "
                    + config.contextLength());
        }
        boolean hooked = !hooks.isEmpty();
        Pass pass = new Pass(weights, adapters, training && config.dropout() > 0);
        NDArray wte = weights.get(TOKENS + ".weight");
        NDArray tokenEmbeddings = embed(wte, tokens);
        NDArray positions = weights.get(POSITIONS + ".weight").get(new NDIndex().addSliceDim(0, time));
        NDArray x = pass.maybeDropout(tokenEmbeddings.add(positions));
        free(tokenEmbeddings, positions);
        x = hook(hooks, 0, ActivationHook.Position.ENTERING, x);
        NDArray mask = causalMask(wte.getManager(), time, x.getDataType());
        for (int l = 0; l < config.layers(); l++) {
            NDArray next = hook(hooks, l, ActivationHook.Position.LEAVING, pass.block(l, x, mask, batch, time, null));
            if (l + 1 < config.layers()) {
                next = hook(hooks, l + 1, ActivationHook.Position.ENTERING, next);
            }
            if (!hooked) {
                x.close();
            }
            x = next;
        }
        NDArray last = pass.layerNorm(x, FINAL_NORM);
        if (!hooked) {
            x.close();
        }
        NDArray logits = Linear.linear(last, wte).singletonOrThrow();
        last.close();
        return Precision.widened(logits);
    }

    @Override
    public boolean supportsKvCache() {
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * <p>GPT-2's learned position embeddings are the rows {@code wpe[positions]}; the attention is the one of
     * {@link #forward(Weights, NDArray, boolean, Map, List)} over the cached and new keys, with the key mask
     * added to the causal one. Without hooks intermediate arrays are freed as soon as they are used.
     */
    @Override
    public NDArray forward(Weights weights, NDArray tokens, NDArray positions, NDArray keyMask, KvCache cache,
            Map<String, LowRank> adapters, List<ActivationHook> hooks) {
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
        Pass pass = new Pass(weights, adapters, false);
        NDArray wte = weights.get(TOKENS + ".weight");
        NDArray tokenEmbeddings = embed(wte, tokens);
        NDArray positionEmbeddings = embed(weights.get(POSITIONS + ".weight"), positions);
        NDArray x = tokenEmbeddings.add(positionEmbeddings);
        free(tokenEmbeddings, positionEmbeddings);
        NDArray mask = paddedCausalMask(keyMask, past, time, x.getDataType());
        boolean hooked = !hooks.isEmpty();
        x = hook(hooks, 0, ActivationHook.Position.ENTERING, x);
        for (int l = 0; l < config.layers(); l++) {
            NDArray next = hook(hooks, l, ActivationHook.Position.LEAVING, pass.block(l, x, mask, batch, time, cache));
            if (l + 1 < config.layers()) {
                next = hook(hooks, l + 1, ActivationHook.Position.ENTERING, next);
            }
            if (!hooked) {
                x.close();
            }
            x = next;
        }
        NDArray lastPosition = x.get(new NDIndex().addAllDim().addSliceDim(time - 1, time));
        NDArray last = pass.layerNorm(lastPosition, FINAL_NORM);
        NDArray logits = Linear.linear(last, wte).singletonOrThrow();
        NDArray flat = logits.reshape(batch, config.vocabSize());
        free(mask, lastPosition, last, logits);
        if (!hooked) {
            x.close();
        }
        return Precision.widened(flat);
    }

    /**
     * Additive (batch, 1, new, cached + new) mask of type {@code type}: 0 where new position i may attend to
     * key j (j ≤ cached + i and {@code keyMask} 1 at j, or j = cached + i itself), -1e9 elsewhere (made in
     * float32 and cast, so float16 holds -∞ where every row keeps its finite diagonal).
     */
    private static NDArray paddedCausalMask(NDArray keyMask, long past, long time, DataType type) {
        NDManager m = keyMask.getManager();
        long keys = past + time;
        boolean[] causal = new boolean[(int) (time * keys)];
        boolean[] self = new boolean[causal.length];
        for (int i = 0; i < time; i++) {
            for (int j = 0; j <= past + i; j++) {
                causal[(int) (i * keys + j)] = true;
            }
            self[(int) (i * keys + past + i)] = true;
        }
        Shape square = new Shape(time, keys);
        NDArray causalArray = m.create(causal, square).toDevice(keyMask.getDevice(), false);
        NDArray selfArray = m.create(self, square).toDevice(keyMask.getDevice(), false);
        NDArray keep = keyMask.toType(DataType.BOOLEAN, false).reshape(keyMask.getShape().get(0), 1, 1, keys);
        NDArray attended = keep.logicalAnd(causalArray);
        NDArray allowed = attended.logicalOr(selfArray);
        NDArray blocked = allowed.logicalNot().toType(DataType.FLOAT32, false);
        NDArray f32 = Scalars.times(blocked, -1e9);
        free(causalArray, selfArray, keep, attended, allowed, blocked);
        if (type == DataType.FLOAT32) {
            return f32;
        }
        NDArray typed = f32.toType(type, false);
        f32.close();
        return typed;
    }

    private static NDArray hook(List<ActivationHook> hooks, int block, ActivationHook.Position position, NDArray x) {
        NDArray out = x;
        for (ActivationHook h : hooks) {
            out = h.apply(block, position, out);
        }
        return out;
    }

    /**
     * One forward pass's weights, projections and dropout switch, and the attention's 1/√(head width) as a
     * libtorch scalar made once for all the blocks.
     */
    private final class Pass {
        private final Weights weights;
        private final Projections projections;
        private final boolean dropout;
        private @Nullable NDArray attentionScale;

        Pass(Weights weights, Map<String, LowRank> adapters, boolean dropout) {
            this.weights = weights;
            this.projections = new Projections(weights, adapters);
            this.dropout = dropout;
        }

        private NDArray attentionScale(NDArray like) {
            if (attentionScale == null) {
                attentionScale = Scalars.scalar(like, 1.0 / Math.sqrt(config.headWidth()));
            }
            return attentionScale;
        }

        /**
         * Block {@code l} on {@code x}; with a cache, its new keys and values are appended there and the
         * attention runs over all the cached ones.
         */
        NDArray block(int l, NDArray x, NDArray mask, long batch, long time, @Nullable KvCache cache) {
            int d = config.width();
            int heads = config.heads();
            int hw = config.headWidth();
            // each handle is released right after its last use, as reference counting frees a tensor in
            // PyTorch, so that libtorch's allocator hands the next op a block that was just used (warm in cache)
            NDArray h = layerNorm(x, module(l, ATTENTION_NORM));
            NDArray qkv = project(h, module(l, QKV));
            free(h);
            // (batch, time, 3d) -> (3, batch, heads, time, hw): q, k, v by one split, each (1, batch, heads, time, hw)
            NDArray byHead = qkv.reshape(batch, time, 3, heads, hw);
            NDArray qkvFirst = byHead.transpose(2, 0, 3, 1, 4);
            NDList parts = qkvFirst.split(3, 0);
            free(qkv, byHead, qkvFirst);
            NDList kv = cache == null ? parts.subNDList(1) : cached(l, parts, cache);
            NDArray kt = kv.get(0).transpose(0, 1, 2, 4, 3);
            NDArray scores = parts.get(0).matMul(kt);
            free(kt);
            NDArray scaled = scores.mul(attentionScale(scores));
            free(scores);
            NDArray masked = scaled.add(mask);
            free(scaled);
            NDArray attention = maybeDropout(masked.softmax(-1));
            free(masked);
            NDArray heads5 = attention.matMul(kv.get(1));
            free(attention);
            parts.close();
            kv.close();
            NDArray merged = heads5.transpose(0, 1, 3, 2, 4);
            NDArray y = merged.reshape(batch, time, d);
            free(heads5, merged);
            NDArray attended = maybeDropout(project(y, module(l, ATTENTION_OUT)));
            free(y);
            NDArray x1 = x.add(attended);
            free(attended);
            NDArray h2 = layerNorm(x1, module(l, MLP_NORM));
            NDArray inner = project(h2, module(l, MLP_UP));
            free(h2);
            NDArray activated = activation(inner);
            free(inner);
            NDArray out = maybeDropout(project(activated, module(l, MLP_DOWN)));
            free(activated);
            NDArray x2 = x1.add(out);
            free(x1, out);
            return x2;
        }

        /** Appends the new keys and values (parts 1 and 2, each (1, batch, heads, new, hw)) to the cache. */
        private NDList cached(int l, NDList parts, KvCache cache) {
            NDArray k = parts.get(1).squeeze(0);
            NDArray v = parts.get(2).squeeze(0);
            NDArray[] all = cache.append(l, k, v);
            NDList kv = new NDList(all[0].expandDims(0), all[1].expandDims(0));
            free(k, v, all[0], all[1]);
            return kv;
        }

        /** {@code x·W + b} for the projection {@code module}, plus its low-rank update when there is one. */
        NDArray project(NDArray x, String module) {
            return projections.apply(x, module, true);
        }

        NDArray layerNorm(NDArray x, String module) {
            return LayerNorm.layerNorm(x, new Shape(config.width()), weights.get(module + ".weight"),
                    weights.get(module + ".bias"), LAYER_NORM_EPS).singletonOrThrow();
        }

        NDArray maybeDropout(NDArray x) {
            return dropout ? Dropout.dropout(x, config.dropout(), true).singletonOrThrow() : x;
        }
    }

    /**
     * Rows {@code wte[tokens]} by libtorch's {@code embedding} kernel, which does in one call what advanced
     * indexing ({@code wte.get(tokens)}) does after building an index in Java; same values and gradient.
     */
    private static NDArray embed(NDArray wte, NDArray tokens) {
        return wte.getNDArrayInternal().embedding(tokens, wte, SparseFormat.DENSE).singletonOrThrow();
    }

    /**
     * Releases this forward pass's handles on intermediate arrays as soon as they are no longer needed, so a
     * pass holds about one block's intermediates at a time instead of all of them until its scope closes.
     * Safe under autograd: libtorch's graph keeps its own references to what the backward pass needs.
     */
    private static void free(NDArray... arrays) {
        for (NDArray a : arrays) {
            a.close();
        }
    }

    private NDArray activation(NDArray x) {
        return config.activation() == GptConfig.Activation.GELU ? Activation.gelu(x) : geluTanh(x);
    }

    /**
     * GELU's tanh approximation, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (Hendrycks &amp; Gimpel 2016,
     * "Gaussian Error Linear Units", §2), the non-linearity GPT-2 was trained with.
     */
    static NDArray geluTanh(NDArray x) {
        NDArray inner = Scalars.times(x.add(Scalars.times(x.mul(x).mul(x), 0.044715)), Math.sqrt(2 / Math.PI));
        return Scalars.times(x.mul(Scalars.plus(inner.tanh(), 1)), 0.5);
    }

    /**
     * Additive (time, time) mask of type {@code type}: 0 on and below the diagonal, a large negative number
     * above it (-1e9, which float16 rounds to -∞; every row keeps its finite diagonal). Made once per
     * (length, type) in {@code manager}, the weights' (made anew if the cached one belongs elsewhere or was
     * freed).
     */
    private synchronized NDArray causalMask(NDManager manager, long time, DataType type) {
        String key = time + ":" + type;
        @Nullable NDArray cached = causalMasks.get(key);
        if (cached != null && !cached.isReleased() && cached.getManager() == manager) {
            return cached;
        }
        float[] m = new float[(int) (time * time)];
        for (int i = 0; i < time; i++) {
            for (int j = i + 1; j < time; j++) {
                m[(int) (i * time + j)] = -1e9f;
            }
        }
        NDArray f32 = manager.create(m, new Shape(time, time));
        NDArray mask = type == DataType.FLOAT32 ? f32 : f32.toType(type, true);
        NDScope.unregister(mask);
        causalMasks.put(key, mask);
        return mask;
    }

    /** Equal shapes make equal architectures (the mask cache is not compared). */
    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof Gpt2 g && config.equals(g.config);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Gpt2.class, config);
    }

    @Override
    public String toString() {
        return "Gpt2[" + config + "]";
    }
}
