package dev.lethe.model;

import ai.djl.Device;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * A GPT-2-style causal language model written directly on DJL's {@link NDArray} operations, so that
 * every parameter is a plain named array (Hugging Face GPT-2 names) that objectives, optimizers and
 * zeroth-order estimators can read, perturb and update in place.
 *
 * <p>Architecture (Radford et al. 2019): {@code x = wte[tokens] + wpe[0..T)}; per block
 * {@code x += attn(ln_1(x)); x += mlp(ln_2(x))} with causal multi-head attention and a GELU MLP of width
 * 4d; {@code logits = ln_f(x) · wteᵀ}. Layer norm is taken over the feature axis only.
 *
 * <p>The model owns a {@link NDManager}; {@link #close()} frees its weights. Forward passes create their
 * intermediate arrays in the caller's {@link NDScope}.
 */
public final class CausalLm implements AutoCloseable {
    private static final float LAYER_NORM_EPS = 1e-5f;

    private final GptConfig config;
    private final NDManager manager;
    private final Weights weights;
    private final boolean trainable;
    /** Low-rank updates by projection ({@code h.0.attn.c_attn}, ...); empty except in an adapter view. */
    private final Map<String, LowRank> adapters;
    /** What {@link #weights()} returns: {@link #weights} itself, or the adapter arrays of a view. */
    private final Weights trained;
    private final Map<String, NDArray> causalMasks = new HashMap<>();

    private CausalLm(GptConfig config, NDManager manager, Weights weights, boolean trainable) {
        this(config, manager, weights, trainable, Map.of(), weights);
    }

    private CausalLm(GptConfig config, NDManager manager, Weights weights, boolean trainable,
            Map<String, LowRank> adapters, Weights trained) {
        this.config = config;
        this.manager = manager;
        this.weights = weights;
        this.trainable = trainable;
        this.adapters = adapters;
        this.trained = trained;
    }

    /**
     * A new model with GPT-2's initialisation: weights ~ N(0, 0.02²), residual output projections
     * ~ N(0, (0.02/√(2L))²), position embeddings ~ N(0, 0.01²), biases 0, layer-norm gains 1. The random
     * numbers come from a Java {@link SplittableRandom} seeded with {@code seed}, so the same seed gives the
     * same weights on any engine or device.
     */
    public static CausalLm initialize(GptConfig config, long seed, Device device) {
        NDManager manager = NDManager.newBaseManager(device);
        SplittableRandom random = new SplittableRandom(seed);
        LinkedHashMap<String, NDArray> p = new LinkedHashMap<>();
        for (ParameterSpec spec : ParameterSpec.of(config)) {
            p.put(spec.name(), spec.create(manager, random));
        }
        return fromArrays(config, manager, p, true);
    }

    /**
     * Loads weights written by {@link #save(Path)} (or any safetensors file in GPT-2's layout whose
     * shapes match {@code config}).
     */
    public static CausalLm load(Path file, GptConfig config, Device device) {
        NDManager manager = NDManager.newBaseManager(device);
        try {
            return fromTensors(file, Safetensors.read(file, manager), config, manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * A model of shape {@code config} from tensors named as GPT-2 names them, read from {@code file} into
     * {@code manager} (which the model then owns); F16 tensors are widened to F32.
     *
     * @throws IllegalArgumentException naming {@code file} and the tensor when one is missing or misshapen
     */
    static CausalLm fromTensors(Path file, Map<String, NDArray> read, GptConfig config, NDManager manager) {
        LinkedHashMap<String, NDArray> ordered = new LinkedHashMap<>();
        for (ParameterSpec spec : ParameterSpec.of(config)) {
            NDArray a = read.get(spec.name());
            if (a == null) {
                throw new IllegalArgumentException(file + ": tensor '" + spec.name() + "' is missing");
            }
            if (!a.getShape().equals(spec.shape())) {
                throw new IllegalArgumentException(file + ": tensor '" + spec.name() + "' has shape "
                        + a.getShape() + ", expected " + spec.shape());
            }
            NDArray f32 = a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
            try (NDArray nan = f32.isNaN(); NDArray inf = f32.isInfinite(); NDArray bad = nan.logicalOr(inf);
                    NDArray anyBad = bad.any()) {
                if (anyBad.getBoolean()) {
                    throw new IllegalArgumentException(file + ": tensor '" + spec.name() + "' has values that are not "
                            + "finite (NaN or infinite)");
                }
            }
            ordered.put(spec.name(), f32);
        }
        return fromArrays(config, manager, ordered, true);
    }

    /**
     * Wraps {@code p} as a model. Every array is first copied into memory that libtorch allocated itself:
     * arrays made from Java data share a Java direct buffer whose alignment changes from one process to
     * the next, and the CPU matrix kernels round differently on differently aligned data, which made runs
     * differ between processes in the last bits.
     */
    private static CausalLm fromArrays(GptConfig config, NDManager manager, LinkedHashMap<String, NDArray> p,
            boolean trainable) {
        LinkedHashMap<String, NDArray> owned = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : p.entrySet()) {
            NDArray a = e.getValue().duplicate();
            e.getValue().close();
            a.attach(manager);
            NDScope.unregister(a);
            a.setName(e.getKey());
            if (trainable) {
                a.setRequiresGradient(true);
            }
            owned.put(e.getKey(), a);
        }
        return new CausalLm(config, manager, new Weights(owned), trainable);
    }

    /** Writes the weights as safetensors (atomically: a temporary file, then a rename). */
    public void save(Path file) {
        requireNoAdapters("save");
        Safetensors.write(file, weights.asMap(), Map.of("format", "pt", "lethe.config", config.toString()));
    }

    /** A trainable deep copy on the same device. */
    public CausalLm copy() {
        return duplicate(true, null);
    }

    /** A frozen deep copy (no gradients) on the same device, e.g. the reference model of NPO. */
    public CausalLm frozenCopy() {
        return duplicate(false, null);
    }

    /**
     * A trainable copy whose weights are leaf arrays of {@code precision}'s type (the float16 working copy of
     * mixed precision, whose gradients are then float16 too). Its forward pass computes in that type and
     * returns float32 logits.
     */
    public CausalLm castCopy(Precision precision) {
        return duplicate(true, precision.dataType());
    }

    /** A deep copy on the same device, its arrays cast to {@code type} (null: each keeps its own type). */
    private CausalLm duplicate(boolean trainableCopy, @Nullable DataType type) {
        requireNoAdapters("copy");
        NDManager m = NDManager.newBaseManager(manager.getDevice());
        LinkedHashMap<String, NDArray> p = new LinkedHashMap<>();
        weights.forEach((name, a) -> {
            NDArray c = type == null || a.getDataType() == type ? a.duplicate() : a.toType(type, true);
            c.attach(m);
            NDScope.unregister(c);
            p.put(name, c);
        });
        return fromArrays(config, m, p, trainableCopy);
    }

    /** The model's shape. */
    public GptConfig config() {
        return config;
    }

    /**
     * The named parameters that training updates: every weight of a model, or only the adapter arrays of a
     * view made by {@link #withAdapters}.
     */
    public Weights weights() {
        return trained;
    }

    /**
     * A view of this model for training low-rank adapters (Hu et al. 2021, "LoRA", §4.1): its forward pass
     * adds {@link LowRank#apply} to the output of each projection named in {@code lowRanks} (keys such as
     * {@code h.0.attn.c_attn} or {@code h.1.mlp.c_proj}), and its {@link #weights()} are the adapter arrays
     * only, named {@code <projection>.lora_A} and {@code <projection>.lora_B}, so that optimizers,
     * estimators and objectives train just them. The base arrays are shared, not copied (freezing them is
     * the caller's business). The view's {@link #manager()} is {@code adapterManager}, which should own the
     * adapter arrays; closing the view closes it and leaves this model open. A view cannot be copied or
     * saved: merge the adapters into this model first.
     */
    public CausalLm withAdapters(Map<String, LowRank> lowRanks, NDManager adapterManager) {
        requireNoAdapters("adapt");
        if (lowRanks.isEmpty()) {
            throw new IllegalArgumentException("an adapter view needs at least one low-rank update");
        }
        LinkedHashMap<String, NDArray> adapterArrays = new LinkedHashMap<>();
        for (Map.Entry<String, LowRank> e : lowRanks.entrySet()) {
            String name = e.getKey();
            Shape w = weights.get(name + ".weight").getShape();
            LowRank lr = e.getValue();
            if (w.dimension() != 2 || lr.a().getShape().get(0) != w.get(0) || lr.b().getShape().get(1) != w.get(1)) {
                throw new IllegalArgumentException("adapter for '" + name + "' has a " + lr.a().getShape() + " and b "
                        + lr.b().getShape() + ", which do not fit the weight " + w);
            }
            adapterArrays.put(name + ".lora_A", lr.a());
            adapterArrays.put(name + ".lora_B", lr.b());
        }
        return new CausalLm(config, adapterManager, weights, true, Map.copyOf(lowRanks), new Weights(adapterArrays));
    }

    /** The base weights of a model or of an adapter view (which {@link #weights()} leaves out). */
    public Weights baseWeights() {
        return weights;
    }

    private void requireNoAdapters(String what) {
        if (!adapters.isEmpty()) {
            throw new IllegalStateException("cannot " + what + " a model with adapters attached: merge them first");
        }
    }

    /** Whether the parameters carry gradients. */
    public boolean isTrainable() {
        return trainable;
    }

    /** The device the weights live on. */
    public Device device() {
        return manager.getDevice();
    }

    /** The manager that owns the weights; long-lived state (optimizer moments) may be created under it. */
    public NDManager manager() {
        return manager;
    }

    /** Forward pass without hidden states, in evaluation mode (no dropout). */
    public ModelOutput forward(NDArray tokens) {
        return forward(tokens, false, false);
    }

    /**
     * Forward pass.
     *
     * @param tokens token ids, shape (batch, time), integer type, time ≤ context length
     * @param training apply dropout (when the config has any)
     * @param keepHiddenStates also return the residual stream after every block
     */
    public ModelOutput forward(NDArray tokens, boolean training, boolean keepHiddenStates) {
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
        int d = config.width();
        boolean dropout = training && config.dropout() > 0;
        List<NDArray> hidden = keepHiddenStates ? new ArrayList<>() : List.of();
        NDArray tokenEmbeddings = embed(tokens);
        NDArray positions = weights.get("wpe.weight").get(new NDIndex().addSliceDim(0, time));
        NDArray x = maybeDropout(tokenEmbeddings.add(positions), dropout);
        free(tokenEmbeddings, positions);
        if (keepHiddenStates) {
            hidden.add(x);
        }
        NDArray mask = causalMask(time, x.getDataType());
        for (int l = 0; l < config.layers(); l++) {
            NDArray next = block(l, x, mask, batch, time, d, dropout);
            if (keepHiddenStates) {
                hidden.add(next);
            } else {
                x.close();
            }
            x = next;
        }
        NDArray last = layerNorm(x, "ln_f");
        if (!keepHiddenStates) {
            x.close();
        }
        NDArray logits = Linear.linear(last, weights.get("wte.weight")).singletonOrThrow();
        last.close();
        return new ModelOutput(widened(logits), hidden);
    }

    private NDArray block(int l, NDArray x, NDArray mask, long batch, long time, int d, boolean dropout) {
        String b = "h." + l + ".";
        int heads = config.heads();
        int hw = config.headWidth();
        NDArray h = layerNorm(x, b + "ln_1");
        NDArray qkv = project(h, b + "attn.c_attn");
        // (batch, time, 3d) -> (3, batch, heads, time, hw): q, k, v by one split, each (1, batch, heads, time, hw)
        NDArray byHead = qkv.reshape(batch, time, 3, heads, hw);
        NDArray qkvFirst = byHead.transpose(2, 0, 3, 1, 4);
        NDList parts = qkvFirst.split(3, 0);
        NDArray kt = parts.get(1).transpose(0, 1, 2, 4, 3);
        NDArray scores = parts.get(0).matMul(kt);
        NDArray scaled = Scalars.times(scores, 1.0 / Math.sqrt(hw));
        NDArray masked = scaled.add(mask);
        NDArray attention = maybeDropout(masked.softmax(-1), dropout);
        NDArray heads5 = attention.matMul(parts.get(2));
        NDArray merged = heads5.transpose(0, 1, 3, 2, 4);
        NDArray y = merged.reshape(batch, time, d);
        NDArray attended = maybeDropout(project(y, b + "attn.c_proj"), dropout);
        NDArray x1 = x.add(attended);
        free(h, qkv, byHead, qkvFirst, kt, scores, scaled, masked, attention, heads5, merged, y, attended);
        parts.close();
        NDArray h2 = layerNorm(x1, b + "ln_2");
        NDArray inner = project(h2, b + "mlp.c_fc");
        NDArray activated = activation(inner);
        NDArray out = maybeDropout(project(activated, b + "mlp.c_proj"), dropout);
        NDArray x2 = x1.add(out);
        free(x1, h2, inner, activated, out);
        return x2;
    }

    /**
     * Rows {@code wte[tokens]} by libtorch's {@code embedding} kernel, which does in one call what advanced
     * indexing ({@code wte.get(tokens)}) does after building an index in Java; same values and gradient.
     */
    private NDArray embed(NDArray tokens) {
        NDArray wte = weights.get("wte.weight");
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

    /**
     * {@code x·W + b} for the projection {@code name}, plus its low-rank update when a view has one. One fused
     * libtorch {@code linear} (a matrix multiply that starts from the bias, as Hugging Face GPT-2's
     * {@code Conv1D} does with {@code addmm}) on a transposed view of the (in, out) weight: no copy, and no
     * separate (batch, time, out) product array to add the bias to.
     */
    private NDArray project(NDArray x, String name) {
        NDArray wt = weights.get(name + ".weight").transpose();
        NDArray y = Linear.linear(x, wt, weights.get(name + ".bias")).singletonOrThrow();
        wt.close();
        if (adapters.isEmpty()) {
            return y;
        }
        LowRank update = adapters.get(name);
        return update == null ? y : y.add(update.apply(x));
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

    private NDArray layerNorm(NDArray x, String prefix) {
        return LayerNorm.layerNorm(x, new Shape(config.width()), weights.get(prefix + ".weight"),
                weights.get(prefix + ".bias"), LAYER_NORM_EPS).singletonOrThrow();
    }

    private NDArray maybeDropout(NDArray x, boolean on) {
        return on ? Dropout.dropout(x, config.dropout(), true).singletonOrThrow() : x;
    }

    /**
     * Float32 logits from a float16 forward pass, so that log-softmax over the vocabulary and the objectives
     * run in float32, as under PyTorch's autocast. A product with a float32 one of shape (1) promotes the
     * type and stays in the autograd graph ({@code toType} would cut it).
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

    /**
     * Additive (time, time) mask of type {@code type}: 0 on and below the diagonal, a large negative number
     * above it (-1e9, which float16 rounds to -∞; every row keeps its finite diagonal).
     */
    private synchronized NDArray causalMask(long time, DataType type) {
        return causalMasks.computeIfAbsent(time + ":" + type, key -> {
            float[] m = new float[(int) (time * time)];
            for (int i = 0; i < time; i++) {
                for (int j = i + 1; j < time; j++) {
                    m[(int) (i * time + j)] = -1e9f;
                }
            }
            NDArray f32 = manager.create(m, new Shape(time, time));
            NDArray mask = type == DataType.FLOAT32 ? f32 : f32.toType(type, true);
            NDScope.unregister(mask);
            return mask;
        });
    }

    @Override
    public void close() {
        manager.close();
    }
}
