package dev.lethe.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * A causal language model's lifecycle: its weights as plain named arrays (that objectives, optimizers and
 * zeroth-order estimators read, perturb and update in place), created, loaded, saved and copied here, and
 * its {@link Architecture}, which owns the math (parameters, roles, forward pass). A model of a
 * {@link GptConfig} runs {@link Gpt2}.
 *
 * <p>The model owns a {@link NDManager}; {@link #close()} frees its weights. Forward passes create their
 * intermediate arrays in the caller's {@link NDScope}.
 */
public final class CausalLm implements AutoCloseable {
    private final ModelSpec spec;
    private final Architecture architecture;
    private final NDManager manager;
    private final Weights weights;
    private final boolean trainable;
    /** Low-rank updates by projection module ({@link RoleModule#name()}); empty except in an adapter view. */
    private final Map<String, LowRank> adapters;
    /** What {@link #weights()} returns: {@link #weights} itself, or the adapter arrays of a view. */
    private final Weights trained;
    /** The analytic head whose logits replace the LM head's, or null ({@link #withHead}). */
    private final @Nullable AnalyticHead head;
    /** Its arrays, owned by {@link #manager} (by the base model's, in an adapter view); null without a head. */
    private final AnalyticHead.@Nullable Attached attached;
    /** GUARD-IT's steering, applied in every forward pass; null for none. */
    private @Nullable GatedSteering steering;

    private CausalLm(ModelSpec spec, Architecture architecture, NDManager manager, Weights weights, boolean trainable,
            Map<String, LowRank> adapters, Weights trained, @Nullable AnalyticHead head,
            AnalyticHead.@Nullable Attached attached) {
        this.spec = spec;
        this.architecture = architecture;
        this.manager = manager;
        this.weights = weights;
        this.trainable = trainable;
        this.adapters = adapters;
        this.trained = trained;
        this.head = head;
        this.attached = attached;
    }

    /**
     * A new model with its architecture's initialisation ({@link Architecture#parameters()}; GPT-2's is
     * described at {@link Gpt2#parameters()}). The random numbers come from a Java {@link SplittableRandom}
     * seeded with {@code seed}, so the same seed gives the same weights on any engine or device.
     */
    public static CausalLm initialize(ModelSpec spec, long seed, Device device) {
        NDManager manager = NDManager.newBaseManager(device);
        SplittableRandom random = new SplittableRandom(seed);
        Architecture architecture = spec.architecture();
        LinkedHashMap<String, NDArray> p = new LinkedHashMap<>();
        for (ParameterSpec parameter : architecture.parameters()) {
            p.put(parameter.name(), parameter.create(manager, random));
        }
        return fromArrays(spec, architecture, manager, p, true, null);
    }

    /**
     * Loads weights written by {@link #save(Path)} (or any safetensors file with the architecture's names
     * whose shapes match {@code spec}), with the analytic head and the GUARD-IT steering the file holds, if any.
     */
    public static CausalLm load(Path file, ModelSpec spec, Device device) {
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Map<String, NDArray> read = Safetensors.read(file, manager);
            Map<String, String> metadata = Safetensors.metadata(file);
            AnalyticHead head = AnalyticHead.read(file, metadata, read);
            CausalLm model = fromTensors(file, read, spec, manager);
            if (head != null) {
                model = new CausalLm(model.spec, model.architecture, manager, model.weights, true, Map.of(),
                        model.weights, head, head.attach(manager));
            }
            model.steering = GatedSteering.read(read, metadata, file);
            model.checkSteering(model.steering);
            return model;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * A model of shape {@code spec} from tensors named as its architecture names them, read from {@code file}
     * into {@code manager} (which the model then owns); F16 tensors are widened to F32.
     *
     * @throws IllegalArgumentException naming {@code file} and the tensor when one is missing or misshapen
     */
    static CausalLm fromTensors(Path file, Map<String, NDArray> read, ModelSpec spec, NDManager manager) {
        Architecture architecture = spec.architecture();
        LinkedHashMap<String, NDArray> ordered = new LinkedHashMap<>();
        for (ParameterSpec parameter : architecture.parameters()) {
            String name = parameter.name();
            NDArray a = read.get(name);
            if (a == null) {
                throw new IllegalArgumentException(file + ": tensor '" + name + "' is missing");
            }
            if (!a.getShape().equals(parameter.shape())) {
                throw new IllegalArgumentException(file + ": tensor '" + name + "' has shape "
                        + a.getShape() + ", expected " + parameter.shape());
            }
            NDArray f32 = a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
            try (NDArray nan = f32.isNaN(); NDArray inf = f32.isInfinite(); NDArray bad = nan.logicalOr(inf);
                    NDArray anyBad = bad.any()) {
                if (anyBad.getBoolean()) {
                    throw new IllegalArgumentException(file + ": tensor '" + name + "' has values that are not "
                            + "finite (NaN or infinite)");
                }
            }
            ordered.put(name, f32);
        }
        return fromArrays(spec, architecture, manager, ordered, true, null);
    }

    /**
     * Wraps {@code p} as a model. Every array is first copied into memory that libtorch allocated itself:
     * arrays made from Java data share a Java direct buffer whose alignment changes from one process to
     * the next, and the CPU matrix kernels round differently on differently aligned data, which made runs
     * differ between processes in the last bits.
     */
    private static CausalLm fromArrays(ModelSpec spec, Architecture architecture, NDManager manager,
            LinkedHashMap<String, NDArray> p, boolean trainable, @Nullable AnalyticHead head) {
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
        Weights w = new Weights(owned, architecture.roles());
        return new CausalLm(spec, architecture, manager, w, trainable, Map.of(), w, head,
                head == null ? null : head.attach(manager));
    }

    /**
     * Writes the weights as safetensors (atomically: a temporary file, then a rename), with the analytic head when
     * there is one (its R and W as float64 tensors, its configuration and members as metadata) and a GUARD-IT
     * steering bank ({@link #steering()}, as tensors and metadata named {@code lethe.guard_it.*}), which
     * {@link #load} reads back bit for bit (and other readers of the weights ignore).
     */
    public void save(Path file) {
        requireNoAdapters("save");
        Map<String, String> metadata = new LinkedHashMap<>(Map.of("format", "pt", "lethe.config", spec.toString()));
        GatedSteering s = steering;
        if (head == null && s == null) {
            Safetensors.write(file, weights.asMap(), metadata);
            return;
        }
        try (NDManager m = manager.newSubManager()) {
            Map<String, NDArray> all = new LinkedHashMap<>(weights.asMap());
            if (head != null) {
                all.putAll(head.tensors(m));
                metadata.put(AnalyticHead.METADATA, head.metadata());
            }
            if (s != null) {
                all.putAll(s.tensors(m));
                metadata.putAll(s.metadata());
            }
            Safetensors.write(file, all, metadata);
        }
    }

    /**
     * A trainable deep copy whose next-token logits come from {@code newHead} instead of the LM head (ACU's
     * analytic head, {@link AnalyticHead}); null gives a copy without one. The head's features read this model's
     * residual stream, so the copy's weights are this model's.
     */
    public CausalLm withHead(@Nullable AnalyticHead newHead) {
        return duplicate(true, null, newHead);
    }

    /** The analytic head whose logits replace the LM head's, or null. */
    public @Nullable AnalyticHead head() {
        return head;
    }

    /** A trainable deep copy on the same device, with the same steering ({@link #steering()}). */
    public CausalLm copy() {
        return duplicate(true, null, head);
    }

    /** A frozen deep copy (no gradients) on the same device, e.g. the reference model of NPO. */
    public CausalLm frozenCopy() {
        return duplicate(false, null, head);
    }

    /**
     * A trainable copy whose weights are leaf arrays of {@code precision}'s type (the float16 working copy of
     * mixed precision, whose gradients are then float16 too). Its forward pass computes in that type and
     * returns float32 logits.
     */
    public CausalLm castCopy(Precision precision) {
        return duplicate(true, precision.dataType(), head);
    }

    /** A deep copy on the same device, its arrays cast to {@code type} (null: each keeps its own type). */
    private CausalLm duplicate(boolean trainableCopy, @Nullable DataType type, @Nullable AnalyticHead newHead) {
        requireNoAdapters("copy");
        NDManager m = NDManager.newBaseManager(manager.getDevice());
        LinkedHashMap<String, NDArray> p = new LinkedHashMap<>();
        weights.forEach((name, a) -> {
            NDArray c = type == null || a.getDataType() == type ? a.duplicate() : a.toType(type, true);
            c.attach(m);
            NDScope.unregister(c);
            p.put(name, c);
        });
        CausalLm copy = fromArrays(spec, spec.architecture(), m, p, trainableCopy, newHead);
        copy.steering = steering;
        return copy;
    }

    /** The model's shape. */
    public ModelSpec spec() {
        return spec;
    }

    /**
     * The model's shape as a {@link GptConfig}, for code that still reads GPT-2's fields.
     *
     * @throws IllegalStateException when the model is of another architecture
     */
    public GptConfig config() {
        if (spec instanceof GptConfig c) {
            return c;
        }
        throw new IllegalStateException("the model is a " + spec.getClass().getSimpleName() + ", not a GptConfig");
    }

    /** The math of this model: parameters, roles, forward pass. */
    public Architecture architecture() {
        return architecture;
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
     * adds {@link LowRank#apply} to the output of each projection module named in {@code lowRanks} (keys are
     * {@link RoleModule#name()}s of projection roles, see {@link Architecture#find(Role, int)}), and its
     * {@link #weights()} are the adapter arrays only, named {@code <module>.lora_A} and {@code <module>.lora_B},
     * so that optimizers, estimators and objectives train just them. The base arrays are shared, not copied
     * (freezing them is the caller's business). The view's {@link #manager()} is {@code adapterManager}, which
     * should own the adapter arrays; closing the view closes it and leaves this model open. A view cannot be
     * copied or saved: merge the adapters into this model first.
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
        CausalLm view = new CausalLm(spec, architecture, adapterManager, weights, true, Map.copyOf(lowRanks),
                new Weights(adapterArrays, List.of()), head, attached);
        view.steering = steering;
        return view;
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

    /**
     * GUARD-IT's steering bank this model applies in every forward pass (teacher-forced, cached and recomputed
     * generation, training), or null for none. Copies ({@link #copy()}, {@link #frozenCopy()},
     * {@link #castCopy}, adapter views) carry it, so a quantized or fine-tuned copy is its changed weights plus
     * the same steering; {@link #save} and {@link #load} keep it.
     */
    public @Nullable GatedSteering steering() {
        return steering;
    }

    /**
     * Makes this model apply {@code newSteering} in every forward pass from now on (null: none). The weights are
     * untouched.
     *
     * @throws IllegalArgumentException when its width or layer does not fit the model
     */
    public void setSteering(@Nullable GatedSteering newSteering) {
        checkSteering(newSteering);
        this.steering = newSteering;
    }

    private void checkSteering(@Nullable GatedSteering s) {
        if (s != null && (s.layer() > architecture.blocks() || s.width() != weights.get(
                architecture.find(Role.TOKEN_EMBEDDING).orElseThrow().name() + ".weight").getShape().get(1))) {
            throw new IllegalArgumentException("guard_it: a steering of layer " + s.layer() + " and width " + s.width()
                    + " does not fit a model of " + architecture.blocks() + " blocks and width "
                    + weights.get(architecture.find(Role.TOKEN_EMBEDDING).orElseThrow().name() + ".weight")
                    .getShape().get(1));
        }
    }

    /** Forward pass without hidden states, in evaluation mode (no dropout). */
    public ModelOutput forward(NDArray tokens) {
        return forward(tokens, false, false);
    }

    /**
     * Forward pass.
     *
     * @param tokens token ids, shape (batch, time), integer type, time ≤ context length
     * @param training apply dropout (when the architecture has any)
     * @param keepHiddenStates also return the residual stream after every block (a {@link HiddenStates} hook)
     */
    public ModelOutput forward(NDArray tokens, boolean training, boolean keepHiddenStates) {
        return forward(tokens, training, keepHiddenStates, List.of());
    }

    /**
     * Forward pass with activation hooks, which read or replace the residual stream where it enters or leaves
     * each block ({@link ActivationHook}), in order, after the model's own {@link #steering()}. The kept hidden
     * states are what flowed after the hooks.
     *
     * @param tokens token ids, shape (batch, time), integer type, time ≤ context length
     * @param training apply dropout (when the architecture has any)
     * @param keepHiddenStates also return the residual stream after every block
     * @param hooks applied in order; empty for none
     */
    public ModelOutput forward(NDArray tokens, boolean training, boolean keepHiddenStates, List<ActivationHook> hooks) {
        GatedSteering s = steering;
        List<ActivationHook> all = new ArrayList<>();
        if (s != null) {
            all.add(s.wholeSequences());
        }
        all.addAll(hooks);
        if (!keepHiddenStates && attached == null) {
            return new ModelOutput(architecture.forward(weights, tokens, training, adapters, all), List.of());
        }
        HiddenStates kept = new HiddenStates();
        all.add(kept);
        NDArray logits = architecture.forward(weights, tokens, training, adapters, all);
        List<NDArray> states = kept.states();
        if (attached != null) {
            logits = attached.logits(states.get(attached.layer()), logits.getShape().get(2));
        }
        return new ModelOutput(logits, keepHiddenStates ? states : List.of());
    }

    /**
     * Whether {@link #forward(NDArray, NDArray, NDArray, KvCache)} works: the architecture has a cached pass
     * ({@link Architecture#supportsKvCache()}) and no analytic head replaces its logits (the cached pass keeps no
     * hidden states, so it cannot read the head's features); generation otherwise recomputes the prefix.
     */
    public boolean supportsKvCache() {
        return attached == null && architecture.supportsKvCache();
    }

    /**
     * The cached forward pass of incremental decoding, with this model's adapters and steering: runs {@code tokens} after
     * the positions {@code cache} holds, appends their keys and values, and returns the next-token logits at
     * the last new position, (batch, vocabulary). Shapes, position ids and the key mask are described at
     * {@link Architecture#forward(Weights, NDArray, NDArray, NDArray, KvCache, Map, List)}.
     *
     * @throws UnsupportedOperationException when the model has no cached pass ({@link #supportsKvCache()})
     */
    public NDArray forward(NDArray tokens, NDArray positions, NDArray keyMask, KvCache cache) {
        if (attached != null) {
            throw new UnsupportedOperationException("a model with an analytic head has no cached forward pass: check "
                    + "supportsKvCache() and recompute the prefix instead");
        }
        GatedSteering s = steering;
        return architecture.forward(weights, tokens, positions, keyMask, cache, adapters,
                s == null ? List.of() : List.of(s.incremental(positions, keyMask, cache)));
    }

    @Override
    public void close() {
        manager.close();
    }
}
