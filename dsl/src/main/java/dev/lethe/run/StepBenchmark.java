package dev.lethe.run;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.lethe.adapter.Adapters;
import dev.lethe.adapter.Lora;
import dev.lethe.adapter.LoraTarget;
import dev.lethe.data.Batch;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Encoded;
import dev.lethe.data.Split;
import dev.lethe.model.Architecture;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Generation;
import dev.lethe.model.Generator;
import dev.lethe.model.ModelSpec;
import dev.lethe.model.Precision;
import dev.lethe.model.Role;
import dev.lethe.model.RoleModule;
import dev.lethe.model.Tokenizer;
import dev.lethe.model.WordTokenizer;
import dev.lethe.objective.Objective;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.AddDecayedWeights;
import dev.lethe.optim.LossOracle;
import dev.lethe.optim.Optimizer;
import dev.lethe.optim.Optimizers;
import dev.lethe.optim.ScaleByAdam;
import dev.lethe.optim.ScaleByLearningRate;
import dev.lethe.optim.Schedules;
import dev.lethe.optim.Spsa;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * Times the step types of an unlearning run on one model shape, with the runner's own step code: (a) a
 * forward pass of the trained model on one batch, made before timing (as the PyTorch twin's is), (b) one loss
 * evaluation without gradients, the inference a zeroth-order step repeats, (c) a first-order step (AdamW),
 * (d) a zeroth-order step, MeZO-SGD (SPSA, one query; fused, see {@code Optimizer.inPlace}; with
 * {@link Loss#NPO_RETAIN} also the loss at θ, as the GPT-2 twin does, with {@link Loss#NLL} the two perturbed
 * passes only, as Malladi et al.'s {@code zo_step} does),
 * (e) the same SPSA estimate followed by AdamW, which materialises the direction, (f) a SAM step (ρ = 0.05,
 * AdamW), (g) {@code lora}: a first-order AdamW step on rank-8 LoRA adapters of every block's query and value
 * projections (Hu et al. 2021, §4.2 adapts W_q and W_v; PEFT's default targets for Llama; α = r, the base
 * weights frozen), and (h) {@code generate_b<N>}: greedy generation with the KV cache ({@link Generator}) of
 * {@link Spec#newTokens()} tokens for a batch of N random prompts of {@link Spec#length()} tokens, eos off.
 * The loss is {@link Loss#NPO_RETAIN} (an unlearning step, with a frozen reference copy) or {@link Loss#NLL}
 * (the retain batch's NLL alone, what {@code transformers}' {@code model(ids, labels=...)} computes). Batches
 * are random token sequences of a fixed length, the second half of each being the "answer".
 *
 * <p>Peak memory is the process's peak resident set (VmHWM, reset through {@code /proc/self/clear_refs})
 * during the warm-up and timed steps, minus its resident set just before them (model, reference copy and
 * optimizer state already allocated, libtorch primed by one tiny forward pass): what one step type needs on
 * top of the weights. It is resident
 * memory, so it counts the Java heap too: Java heap pages touched for the first time during the steps are
 * counted as growth. Start the JVM with a fixed, pre-touched heap ({@code -Xms1g -Xmx1g
 * -XX:+AlwaysPreTouch}, see {@link #heapPreTouched}) so that the figure is native memory only (libtorch's
 * arrays, the noise staging buffer), and run one step type per process ({@code lethe bench --step}): memory
 * freed by one step type stays resident for the next (glibc keeps freed blocks). {@link Figure#peakNativeMib()}
 * is the whole peak instead (weights included) less the Java heap's committed size: what compares a MeZO step
 * with a no-grad loss (Malladi et al. 2023, "Fine-Tuning Language Models with Just Forward Passes", §2: MeZO
 * needs the memory of inference).
 */
public final class StepBenchmark {
    private StepBenchmark() {}

    /** The shortest sequence a benchmark batch can have: {@code <bos>}, one prompt token and one answer token. */
    public static final int MIN_LENGTH = 3;

    /** The step types, in the order {@code lethe bench} runs them on a GPT-2-style model. */
    public static final List<String> STEP_TYPES = List.of("forward", "loss", "first_order", "zeroth_order",
            "zeroth_order_adam", "sam");

    /** The step types {@code lethe bench} runs on a pretrained-family shape (Llama, SmolLM), in that order. */
    public static final List<String> LLM_STEP_TYPES = List.of("forward", "loss", "lora", "zeroth_order",
            "generate_b1", "generate_b8");

    /** The rank (and α) of the {@code lora} step's adapters: PEFT's {@code LoraConfig} defaults, r = α = 8. */
    public static final int LORA_RANK = 8;

    private static final String GENERATE = "generate_b";

    /** What the optimisation and loss steps minimise. */
    public enum Loss {
        /** NPO (β = 0.1) on the forget batch plus the retain NLL, against a frozen reference copy. */
        NPO_RETAIN,
        /** The mean per-token NLL of the retain batch's answers alone; no reference model. */
        NLL
    }

    /**
     * Whether this JVM's heap is fixed ({@code -Xms} = {@code -Xmx}) and pre-touched
     * ({@code -XX:+AlwaysPreTouch}), so that it is resident before the measurement and cannot grow during it.
     */
    public static boolean heapPreTouched() {
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return args.contains("-XX:+AlwaysPreTouch") && heap.getInit() == heap.getMax();
    }

    /**
     * What to measure.
     *
     * @param config the model shape (vocabulary size included)
     * @param batch sequences per split per step
     * @param length tokens per sequence (and per generation prompt)
     * @param warmup untimed steps first
     * @param steps timed steps
     * @param precision what the passes compute in: float32, or float16 mixed precision ({@code Unlearning}'s
     *     option; the forward pass then runs on a float16 copy of the model)
     * @param device where the model lives ({@link Runner#device} parses the names); on a GPU, the memory figure
     *     is still the host's
     * @param loss what the loss and optimisation steps minimise
     * @param newTokens tokens each {@code generate_b<N>} step generates per prompt
     */
    public record Spec(ModelSpec config, int batch, int length, int warmup, int steps, Precision precision,
            Device device, Loss loss, int newTokens) {
        /** Checks the sizes: at least one timed step, one sequence, {@link #MIN_LENGTH} tokens, one new token. */
        public Spec {
            if (steps < 1 || warmup < 0 || batch < 1 || length < MIN_LENGTH || newTokens < 1) {
                throw new IllegalArgumentException("a benchmark needs steps >= 1, warmup >= 0, batch >= 1, length >= "
                        + MIN_LENGTH + " and newTokens >= 1; got steps " + steps + ", warmup " + warmup + ", batch "
                        + batch + ", length " + length + ", newTokens " + newTokens);
            }
        }

        /** An unlearning-step ({@link Loss#NPO_RETAIN}) measurement, 128 new tokens per generation. */
        public Spec(ModelSpec config, int batch, int length, int warmup, int steps, Precision precision,
                Device device) {
            this(config, batch, length, warmup, steps, precision, device, Loss.NPO_RETAIN, 128);
        }

        /** A measurement on the CPU. */
        public Spec(ModelSpec config, int batch, int length, int warmup, int steps, Precision precision) {
            this(config, batch, length, warmup, steps, precision, Device.cpu());
        }

        /** A float32 measurement on the CPU. */
        public Spec(ModelSpec config, int batch, int length, int warmup, int steps) {
            this(config, batch, length, warmup, steps, Precision.FLOAT32);
        }

        /** A copy minimising {@code newLoss}. */
        public Spec withLoss(Loss newLoss) {
            return new Spec(config, batch, length, warmup, steps, precision, device, newLoss, newTokens);
        }

        /** A copy whose generation steps generate {@code n} tokens per prompt. */
        public Spec withNewTokens(int n) {
            return new Spec(config, batch, length, warmup, steps, precision, device, loss, n);
        }
    }

    /**
     * The figures of one step type.
     *
     * @param step the step type
     * @param medianMs median wall time per step
     * @param tokensPerSecond tokens processed per second at the median (the batches' tokens; for generation,
     *     the generated tokens of the whole batch)
     * @param peakMib growth of peak resident memory during the timed steps, MiB; NaN where not measurable
     * @param peakNativeMib the peak resident set during the steps less the Java heap's committed size, MiB
     *     (weights included; native memory alone when the heap is pre-touched); NaN where not measurable
     */
    public record Figure(String step, double medianMs, double tokensPerSecond, double peakMib, double peakNativeMib) {}

    /**
     * Runs the step types named in {@code which} ({@link #STEP_TYPES}, {@link #LLM_STEP_TYPES}) on a model of
     * {@code spec}'s shape with seeded random weights and returns their figures in that order. Memory freed by
     * one step type stays resident for the next, so measure one type per process for its peak.
     */
    public static List<Figure> run(Spec spec, List<String> which) {
        Threads.apply();
        try (CausalLm model = CausalLm.initialize(spec.config(), 1, spec.device())) {
            return run(spec, model, which, null);
        }
    }

    /**
     * Runs the step types named in {@code which} on {@code model} (whose shape must be {@code spec}'s; the
     * steps change its weights) and returns their figures in that order. With {@code profile}, each step type
     * then runs its timed steps once more under libtorch's profiler ({@code JniUtils.startProfile}), which
     * writes a Chrome trace of every operation to that file (one step type only: the file would be
     * overwritten); {@code bench/python/op_profile.py} sums it into GEMM time and the rest.
     */
    public static List<Figure> run(Spec spec, CausalLm model, List<String> which, @Nullable Path profile) {
        if (profile != null && which.size() != 1) {
            throw new IllegalArgumentException("a profile covers one step type, not " + which);
        }
        Threads.apply();
        Tokenizer tokenizer = syntheticTokenizer(spec.config().vocabSize());
        List<Figure> out = new ArrayList<>();
        boolean unlearning = spec.loss() == Loss.NPO_RETAIN;
        try (CausalLm reference = unlearning ? model.frozenCopy() : null;
                MixedPrecision evaluations = MixedPrecision.of(spec.precision(), model)) {
            Map<Split, BatchStream> streams = Map.of(Split.FORGET, randomStream(spec, tokenizer, 1),
                    Split.RETAIN, randomStream(spec, tokenizer, 2));
            Objective objective = unlearning ? Objectives.npo().plus(Objectives.nll(Split.RETAIN))
                    : Objectives.nll(Split.RETAIN);
            long tokens = (unlearning ? 2L : 1L) * spec.batch() * spec.length();
            prime(model);
            for (String name : which) {
                out.add(switch (name) {
                    case "forward" -> {
                        // the batch is made before timing, as the twin's is: the figure is the model's forward pass
                        try (NDScope batchScope = new NDScope()) {
                            Batch b = Batch.of(streams.get(Split.FORGET).next(), tokenizer, model.manager());
                            yield measure("forward", spec, (long) spec.batch() * spec.length(), profile, () -> {
                                try (NDScope scope = new NDScope()) {
                                    evaluations.working().forward(b.inputs()).logits().sum().getFloat();
                                }
                            });
                        }
                    }
                    case "loss" -> measure("loss", spec, tokens, profile, () -> {
                        try (NDScope scope = new NDScope()) {
                            evaluations.oracle(0, 1, () -> reference, streams, tokenizer, objective).loss()
                                    .getFloat();
                        }
                    });
                    case "first_order" -> optimizerFigure(name, spec, tokens, profile, model, evaluations, reference,
                            streams, tokenizer, objective, Optimizers.adamW(1e-4));
                    case "lora" -> loraFigure(spec, tokens, profile, model, streams, tokenizer, objective);
                    case "zeroth_order" -> optimizerFigure(name, spec, tokens, profile, model, evaluations, reference,
                            streams, tokenizer, objective, Optimizers.chain(new Spsa(1e-3, 1, unlearning),
                                    new ScaleByLearningRate(Schedules.constant(1e-6))));
                    case "zeroth_order_adam" -> optimizerFigure(name, spec, tokens, profile, model, evaluations,
                            reference, streams, tokenizer, objective, Optimizers.chain(new Spsa(1e-3, 1, true),
                                    new ScaleByAdam(0.9, 0.999, 1e-8), new AddDecayedWeights(0.01),
                                    new ScaleByLearningRate(Schedules.constant(1e-6))));
                    case "sam" -> optimizerFigure(name, spec, tokens, profile, model, evaluations, reference,
                            streams, tokenizer, objective, Optimizers.sam(1e-4, 0.05));
                    default -> {
                        int rows = generationBatch(name);
                        yield generationFigure(name, rows, spec, profile, evaluations.working());
                    }
                });
            }
        }
        return out;
    }

    /**
     * The batch size of a {@code generate_b<N>} step type.
     *
     * @throws IllegalArgumentException naming the step type and the supported ones when it is none
     */
    static int generationBatch(String name) {
        if (name.startsWith(GENERATE)) {
            try {
                int rows = Integer.parseInt(name.substring(GENERATE.length()));
                if (rows >= 1) {
                    return rows;
                }
            } catch (NumberFormatException e) {
                // named below
            }
        }
        throw new IllegalArgumentException("unknown step type '" + name + "'; expected one of " + STEP_TYPES
                + ", lora or generate_b<N> (N >= 1 prompts)");
    }

    /**
     * One forward pass of a single 3-token sequence, before any measurement: libtorch's first operations
     * allocate once-per-process buffers (thread pools, kernel workspaces), which no step type should be
     * charged with.
     */
    private static void prime(CausalLm model) {
        try (NDScope scope = new NDScope()) {
            model.forward(model.manager().create(new long[] {4, 5, 6}, new Shape(1, 3)))
                    .logits().sum().getFloat();
        }
    }

    private static Figure optimizerFigure(String name, Spec spec, long tokens, @Nullable Path profile,
            CausalLm model, MixedPrecision evaluations, @Nullable CausalLm reference,
            Map<Split, BatchStream> streams, Tokenizer tokenizer, Objective objective, Optimizer optimizer) {
        try (Optimizer.State state = optimizer.init(model.weights(), model.manager())) {
            long[] step = {0};
            return measure(name, spec, tokens, profile, () -> {
                try (NDScope scope = new NDScope()) {
                    LossOracle ctx = evaluations.oracle(step[0], Long.MAX_VALUE, () -> reference, streams,
                            tokenizer, objective);
                    optimizer.step(ctx, model.weights(), state, step[0], Long.MAX_VALUE, step[0]);
                    step[0]++;
                }
            });
        }
    }

    /**
     * AdamW on rank-{@link #LORA_RANK} adapters of every block's query and value projections (the fused q/k/v
     * projection where the architecture has no separate ones), the base weights frozen meanwhile.
     */
    private static Figure loraFigure(Spec spec, long tokens, @Nullable Path profile, CausalLm model,
            Map<Split, BatchStream> streams, Tokenizer tokenizer, Objective objective) {
        if (spec.precision() != Precision.FLOAT32) {
            throw new IllegalArgumentException("the lora step runs in float32 only, not " + spec.precision());
        }
        Architecture architecture = model.architecture();
        List<RoleModule> targets = new ArrayList<>();
        for (int l = 0; l < architecture.blocks(); l++) {
            int block = l;
            architecture.find(Role.ATTENTION_Q, block).ifPresentOrElse(q -> {
                targets.add(q);
                targets.add(architecture.find(Role.ATTENTION_V, block).orElseThrow());
            }, () -> targets.add(architecture.find(Role.ATTENTION_QKV, block).orElseThrow(
                    () -> new IllegalArgumentException(architecture + " has no query/value projection in block "
                            + block))));
        }
        Lora lora = new Lora(LORA_RANK, LORA_RANK, EnumSet.of(LoraTarget.ATTENTION_QKV), Lora.Init.STANDARD);
        NDManager adapterManager = model.manager().newSubManager();
        model.baseWeights().forEach((n, w) -> w.setRequiresGradient(false));
        try (CausalLm view = model.withAdapters(Adapters.standard(model, lora, targets, 3, adapterManager),
                adapterManager);
                MixedPrecision evaluations = MixedPrecision.of(Precision.FLOAT32, view)) {
            return optimizerFigure("lora", spec, tokens, profile, view, evaluations, null, streams, tokenizer,
                    objective, Optimizers.adamW(1e-4));
        } finally {
            adapterManager.close();
            model.baseWeights().forEach((n, w) -> w.setRequiresGradient(true));
        }
    }

    /** Greedy generation of {@link Spec#newTokens()} tokens with the KV cache for {@code rows} random prompts. */
    private static Figure generationFigure(String name, int rows, Spec spec, @Nullable Path profile,
            CausalLm model) {
        int vocab = spec.config().vocabSize();
        SplittableRandom random = new SplittableRandom(3);
        List<int[]> prompts = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            prompts.add(random.ints(spec.length(), 4, vocab).toArray());
        }
        Generator generator = new Generator(model);
        Generation greedy = Generation.greedy(spec.newTokens());
        return measure(name, spec, (long) rows * spec.newTokens(), profile, () -> {
            for (int[] generated : generator.generate(prompts, greedy)) {
                if (generated.length != spec.newTokens()) {
                    throw new IllegalStateException(name + " generated " + generated.length + " tokens, not "
                            + spec.newTokens() + " (greedy with eos off stops only at the context length, "
                            + spec.config().contextLength() + ")");
                }
            }
        });
    }

    private static Figure measure(String name, Spec spec, long tokens, @Nullable Path profile, Runnable step) {
        long before = settledResidentKb();
        boolean peakReset = resetPeak();
        for (int i = 0; i < spec.warmup(); i++) {
            step.run();
        }
        double[] ms = new double[spec.steps()];
        for (int i = 0; i < spec.steps(); i++) {
            long t0 = System.nanoTime();
            step.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        long peak = residentKb("VmHWM:");
        if (profile != null) {
            JniUtils.startProfile(false, false, false);
            try {
                for (int i = 0; i < spec.steps(); i++) {
                    step.run();
                }
            } finally {
                JniUtils.stopProfile(profile.toString());
            }
        }
        Arrays.sort(ms);
        double median = ms.length % 2 == 1 ? ms[ms.length / 2] : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2;
        double peakMib = peakReset && before > 0 && peak > 0 ? Math.max(0, peak - before) / 1024.0 : Double.NaN;
        double heapMib = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / (1024.0 * 1024);
        double nativeMib = peakReset && peak > 0 ? peak / 1024.0 - heapMib : Double.NaN;
        return new Figure(name, median, tokens / (median / 1000), peakMib, nativeMib);
    }

    private static BatchStream randomStream(Spec spec, Tokenizer tokenizer, long seed) {
        return new BatchStream(randomExamples(4 * spec.batch(), spec.length(), tokenizer, seed), spec.batch(), seed);
    }

    /**
     * {@code count} random examples whose batch rows are {@code length} inputs long: {@code <bos>}, a prompt of
     * {@code length / 2} tokens and the rest answer, token ids drawn from a generator seeded with {@code seed}.
     */
    static List<Encoded> randomExamples(int count, int length, Tokenizer tokenizer, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int prompt = length / 2;
        int answer = length - 1 - prompt;
        if (answer < 1) {
            throw new IllegalArgumentException("sequence length must be at least " + MIN_LENGTH + ", was " + length);
        }
        List<Encoded> examples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            examples.add(new Encoded(random.ints(prompt, 4, tokenizer.vocabSize()).toArray(),
                    random.ints(answer, 4, tokenizer.vocabSize()).toArray()));
        }
        return examples;
    }

    static Tokenizer syntheticTokenizer(int vocabSize) {
        List<String> words = new ArrayList<>();
        for (int i = 0; words.size() < vocabSize - 4; i++) {
            words.add("w" + i);
        }
        return WordTokenizer.fit(List.of(String.join(" ", words)));
    }

    /**
     * The resident set once garbage collection has settled: arrays created from Java arrays (a model's
     * initial weights) hold direct buffers that are freed only after a collection, by a cleaner thread, so a
     * baseline taken too early would include memory released during the measurement.
     */
    private static long settledResidentKb() {
        long last = -1;
        for (int i = 0; i < 20; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long now = residentKb("VmRSS:");
            if (last >= 0 && Math.abs(now - last) < 1024) {
                return now;
            }
            last = now;
        }
        return last;
    }

    private static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static long residentKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
