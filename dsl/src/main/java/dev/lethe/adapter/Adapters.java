package dev.lethe.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.lethe.data.Dataset;
import dev.lethe.data.Encoded;
import dev.lethe.data.Split;
import dev.lethe.model.Architecture;
import dev.lethe.model.CausalLm;
import dev.lethe.model.LowRank;
import dev.lethe.model.Role;
import dev.lethe.model.RoleModule;
import dev.lethe.model.Tokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Runs a training stage on low-rank adapters instead of the full model: attach {@link Lora} adapters to
 * {@code model}, freeze its base weights, hand the stage a view whose {@link CausalLm#weights()} are the
 * adapter arrays only (so every estimator and transform of {@code dev.lethe.optim} trains just them), then
 * merge {@code W ← W + (α/r)·A·B} (Hu et al. 2021, "LoRA", §4.1, "No Additional Inference Latency": "we
 * can explicitly compute and store W = W₀ + BA") and unfreeze, so that afterwards {@code model} is a plain
 * model again. With FILA the merge is the same: base residual plus trained adapters. (LoKU's script, when
 * FILA is on, saves PEFT's {@code unload()} instead, i.e. the residual without the adapters; we follow LoRA
 * and keep what was trained.)
 */
public final class Adapters {
    private Adapters() {}

    /**
     * Runs {@code stage} on the model to train: {@code model} itself when {@code lora} is null, otherwise an
     * adapter view of it whose adapters are merged into {@code model} once {@code stage} returns (also when it
     * stopped early: the adapters then hold the last applied step). FILA's Fisher pass reads the forget and
     * retain splits of {@code data} in batches of {@code batchSize}; the standard initialisation draws from
     * {@code seed}. {@code model} must be trainable.
     */
    public static void train(CausalLm model, @Nullable Lora lora, Dataset data, Tokenizer tokenizer, int batchSize,
            long seed, Consumer<CausalLm> stage) {
        if (lora == null) {
            stage.accept(model);
            return;
        }
        if (!model.isTrainable()) {
            throw new IllegalArgumentException("adapters need a trainable model, not a frozen copy");
        }
        List<RoleModule> targets = targets(model, lora);
        Map<String, double[]> outputWeights = lora.init() == Lora.Init.FILA
                ? filaWeights(model, targets, data, tokenizer, batchSize) : Map.of();
        NDManager adapterManager = model.manager().newSubManager();
        model.weights().forEach((name, w) -> w.setRequiresGradient(false));
        try {
            Map<String, LowRank> lowRanks = attach(model, lora, targets, outputWeights, seed, adapterManager);
            stage.accept(model.withAdapters(lowRanks, adapterManager));
            merge(model, targets, lowRanks);
        } finally {
            adapterManager.close(); // the adapters and whatever the view allocated
            model.weights().forEach((name, w) -> w.setRequiresGradient(true));
        }
    }

    /**
     * The modules of every targeted projection, block by block, in {@link LoraTarget} order and within a
     * target in the order of its roles; the roles the model's architecture lacks are skipped.
     *
     * @throws IllegalArgumentException when a target matches no projection of the architecture
     */
    private static List<RoleModule> targets(CausalLm model, Lora lora) {
        Architecture architecture = model.architecture();
        List<RoleModule> modules = new ArrayList<>();
        for (int l = 0; l < architecture.blocks(); l++) {
            for (LoraTarget t : lora.targets()) {
                int before = modules.size();
                for (Role role : t.roles()) {
                    architecture.find(role, l).ifPresent(modules::add);
                }
                if (modules.size() == before) {
                    throw new IllegalArgumentException("LoRA target " + t.name().toLowerCase(Locale.ROOT)
                            + " matches no projection of block " + l + " of " + architecture);
                }
            }
        }
        return modules;
    }

    /** {@code examples} encoded and {@linkplain Encoded#fit fitted} to the model's context. */
    private static List<Encoded> fitted(Tokenizer tokenizer, List<dev.lethe.data.QaExample> examples, int context) {
        return Encoded.all(tokenizer, examples).stream().map(e -> e.fit(context)).toList();
    }

    /** FILA's per-output weights of each targeted weight, by weight name, from the forget and retain Fisher. */
    private static Map<String, double[]> filaWeights(CausalLm model, List<RoleModule> targets, Dataset data,
            Tokenizer tokenizer, int batchSize) {
        List<String> names = targets.stream().map(RoleModule::weight).toList();
        int context = model.spec().contextLength();
        Map<String, double[]> forget = Fila.fisher(model, names, fitted(tokenizer, data.get(Split.FORGET), context),
                tokenizer, batchSize);
        Map<String, double[]> retain = Fila.fisher(model, names, fitted(tokenizer, data.get(Split.RETAIN), context),
                tokenizer, batchSize);
        Map<String, double[]> weights = new LinkedHashMap<>();
        for (String n : names) {
            Shape s = model.weights().get(n).getShape();
            weights.put(n, Fila.outputWeights(Fila.relativeImportance(forget.get(n), retain.get(n)),
                    Math.toIntExact(s.get(0)), Math.toIntExact(s.get(1))));
        }
        return weights;
    }

    /**
     * Standard-initialised adapters (A ~ U(−1/√in, 1/√in), B = 0; see {@link Lora.Init#STANDARD}) of
     * {@code lora}'s rank and scale on exactly {@code targets}, owned by {@code manager}, for
     * {@link CausalLm#withAdapters}: what {@link #train} attaches without FILA, for a caller that picks the
     * projections itself (the benchmark's LoRA on the query and value projections, PEFT's default for Llama).
     * The base weights are left as they are, trainable or not.
     */
    public static Map<String, LowRank> standard(CausalLm model, Lora lora, List<RoleModule> targets, long seed,
            NDManager manager) {
        return attach(model, lora, targets, Map.of(), seed, manager);
    }

    /**
     * Creates the adapters in {@code manager}: A ~ U(−1/√in, 1/√in) (PEFT's Kaiming-uniform with a = √5)
     * and B = 0, or FILA's factors, in which case the base weight becomes the residual {@code W − (α/r)·A·B}.
     */
    private static Map<String, LowRank> attach(CausalLm model, Lora lora, List<RoleModule> targets,
            Map<String, double[]> outputWeights, long seed, NDManager manager) {
        SplittableRandom random = new SplittableRandom(seed);
        int r = lora.rank();
        Map<String, LowRank> lowRanks = new LinkedHashMap<>();
        for (RoleModule target : targets) {
            String name = target.weight();
            NDArray w = model.weights().get(name);
            int in = Math.toIntExact(w.getShape().get(0));
            int out = Math.toIntExact(w.getShape().get(1));
            if (r > Math.min(in, out)) {
                throw new IllegalArgumentException("LoRA rank " + r + " exceeds the smaller side of " + name + " "
                        + w.getShape());
            }
            float[][] ab;
            double[] weights = outputWeights.get(name);
            if (weights != null) {
                ab = Fila.factor(w.toFloatArray(), in, out, weights, r, lora.scale());
            } else {
                float[] a = new float[in * r];
                double bound = 1 / Math.sqrt(in);
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) ((2 * random.nextDouble() - 1) * bound);
                }
                ab = new float[][] {a, new float[r * out]};
            }
            String projection = target.name();
            LowRank lowRank = new LowRank(owned(manager, ab[0], new Shape(in, r), projection + ".lora_A"),
                    owned(manager, ab[1], new Shape(r, out), projection + ".lora_B"), lora.scale());
            if (weights != null) {
                try (NDScope scope = new NDScope()) {
                    w.subi(lowRank.delta());
                }
            }
            lowRanks.put(projection, lowRank);
        }
        return lowRanks;
    }

    /** A trainable array in libtorch-allocated memory owned by {@code manager} (see CausalLm#fromArrays). */
    private static NDArray owned(NDManager manager, float[] values, Shape shape, String name) {
        NDArray staged = manager.create(values, shape);
        NDArray a = staged.duplicate();
        staged.close();
        NDScope.unregister(a);
        a.setName(name);
        a.setRequiresGradient(true);
        return a;
    }

    /** {@code W ← W + (α/r)·A·B} for every adapter. */
    private static void merge(CausalLm model, List<RoleModule> targets, Map<String, LowRank> lowRanks) {
        try (NDScope scope = new NDScope()) {
            for (RoleModule target : targets) {
                model.weights().get(target.weight()).addi(lowRanks.get(target.name()).delta());
            }
        }
    }
}
