package dev.lethe.run;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.lethe.data.Batch;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Encoded;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Precision;
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
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Times the step types of an unlearning run on one model shape, with the runner's own step code: (a) a
 * forward pass of the trained model on one batch, made before timing (as the PyTorch twin's is), (b) one loss evaluation without gradients (NPO + retain
 * NLL: the trained model on the forget and retain batches, the reference on the forget batch), the
 * inference a zeroth-order step repeats, (c) a first-order step (NPO + retain NLL, AdamW), (d) a zeroth-order
 * step, MeZO-SGD (SPSA, one query, loss at θ too; fused, see {@code Optimizer.inPlace}), (e) the same SPSA
 * estimate followed by AdamW, which materialises the direction, and (f) a SAM step (ρ = 0.05, AdamW).
 * Batches are random token sequences of a fixed length, the second half of each being the "answer".
 *
 * <p>Peak memory is the process's peak resident set (VmHWM, reset through {@code /proc/self/clear_refs})
 * during the warm-up and timed steps, minus its resident set just before them (model, reference copy and
 * optimizer state already allocated, libtorch primed by one tiny forward pass): what one step type needs on
 * top of the weights. It is resident
 * memory, so it counts the Java heap too: Java heap pages touched for the first time during the steps are
 * counted as growth. Start the JVM with a fixed, pre-touched heap ({@code -Xms1g -Xmx1g
 * -XX:+AlwaysPreTouch}, see {@link #heapPreTouched}) so that the figure is native memory only (libtorch's
 * arrays, the noise staging buffer), and run one step type per process ({@code lethe bench --step}): memory
 * freed by one step type stays resident for the next (glibc keeps freed blocks).
 */
public final class StepBenchmark {
    private StepBenchmark() {}

    /** The shortest sequence a benchmark batch can have: {@code <bos>}, one prompt token and one answer token. */
    public static final int MIN_LENGTH = 3;

    /** The step types, in the order {@code lethe bench} runs them. */
    public static final List<String> STEP_TYPES = List.of("forward", "loss", "first_order", "zeroth_order",
            "zeroth_order_adam", "sam");

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
     * @param length tokens per sequence
     * @param warmup untimed steps first
     * @param steps timed steps
     * @param precision what the passes compute in: float32, or float16 mixed precision ({@code Unlearning}'s
     *     option; the forward pass then runs on a float16 copy of the model)
     * @param device where the model lives ({@link Runner#device} parses the names); on a GPU, the memory figure
     *     is still the host's
     */
    public record Spec(GptConfig config, int batch, int length, int warmup, int steps, Precision precision,
            Device device) {
        /** Checks the sizes: at least one timed step, one sequence and {@link #MIN_LENGTH} tokens. */
        public Spec {
            if (steps < 1 || warmup < 0 || batch < 1 || length < MIN_LENGTH) {
                throw new IllegalArgumentException("a benchmark needs steps >= 1, warmup >= 0, batch >= 1 and length >= "
                        + MIN_LENGTH + "; got steps " + steps + ", warmup " + warmup + ", batch " + batch + ", length "
                        + length);
            }
        }

        /** A measurement on the CPU. */
        public Spec(GptConfig config, int batch, int length, int warmup, int steps, Precision precision) {
            this(config, batch, length, warmup, steps, precision, Device.cpu());
        }

        /** A float32 measurement on the CPU. */
        public Spec(GptConfig config, int batch, int length, int warmup, int steps) {
            this(config, batch, length, warmup, steps, Precision.FLOAT32);
        }
    }

    /**
     * The figures of one step type.
     *
     * @param step the step type
     * @param medianMs median wall time per step
     * @param tokensPerSecond tokens processed per second at the median (forget + retain batches)
     * @param peakMib growth of peak resident memory during the timed steps, MiB; NaN where not measurable
     */
    public record Figure(String step, double medianMs, double tokensPerSecond, double peakMib) {}

    /**
     * Runs the step types named in {@code which} ({@link #STEP_TYPES}) and returns their
     * figures in that order. Memory freed by one step type stays resident for the next, so measure one type
     * per process for its peak.
     */
    public static List<Figure> run(Spec spec, List<String> which) {
        Threads.apply();
        Tokenizer tokenizer = syntheticTokenizer(spec.config().vocabSize());
        List<Figure> out = new ArrayList<>();
        try (CausalLm model = CausalLm.initialize(spec.config(), 1, spec.device());
                CausalLm reference = model.frozenCopy();
                MixedPrecision evaluations = MixedPrecision.of(spec.precision(), model)) {
            Map<Split, BatchStream> streams = Map.of(Split.FORGET, randomStream(spec, tokenizer, 1),
                    Split.RETAIN, randomStream(spec, tokenizer, 2));
            Objective objective = Objectives.npo().plus(Objectives.nll(Split.RETAIN));
            long tokens = 2L * spec.batch() * spec.length();
            prime(model);
            for (String name : which) {
                out.add(switch (name) {
                    case "forward" -> {
                        // the batch is made before timing, as the twin's is: the figure is the model's forward pass
                        try (NDScope batchScope = new NDScope()) {
                            Batch b = Batch.of(streams.get(Split.FORGET).next(), tokenizer, model.manager());
                            yield measure("forward", spec, tokens / 2, () -> {
                                try (NDScope scope = new NDScope()) {
                                    evaluations.working().forward(b.inputs()).logits().sum().getFloat();
                                }
                            });
                        }
                    }
                    case "loss" -> measure("loss", spec, tokens, () -> {
                        try (NDScope scope = new NDScope()) {
                            evaluations.oracle(0, 1, () -> reference, streams, tokenizer, objective).loss()
                                    .getFloat();
                        }
                    });
                    case "first_order" -> optimizerFigure(name, spec, tokens, model, evaluations, reference, streams,
                            tokenizer, objective, Optimizers.adamW(1e-4));
                    case "zeroth_order" -> optimizerFigure(name, spec, tokens, model, evaluations, reference, streams,
                            tokenizer, objective, Optimizers.zerothOrder(1e-6, 1e-3, 1));
                    case "zeroth_order_adam" -> optimizerFigure(name, spec, tokens, model, evaluations, reference,
                            streams, tokenizer, objective, Optimizers.chain(new Spsa(1e-3, 1, true),
                                    new ScaleByAdam(0.9, 0.999, 1e-8), new AddDecayedWeights(0.01),
                                    new ScaleByLearningRate(Schedules.constant(1e-6))));
                    case "sam" -> optimizerFigure(name, spec, tokens, model, evaluations, reference, streams,
                            tokenizer, objective, Optimizers.sam(1e-4, 0.05));
                    default -> throw new IllegalArgumentException("unknown step type '" + name
                            + "'; expected one of " + STEP_TYPES);
                });
            }
        }
        return out;
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

    private static Figure optimizerFigure(String name, Spec spec, long tokens, CausalLm model,
            MixedPrecision evaluations, CausalLm reference, Map<Split, BatchStream> streams, Tokenizer tokenizer,
            Objective objective, Optimizer optimizer) {
        try (Optimizer.State state = optimizer.init(model.weights(), model.manager())) {
            long[] step = {0};
            return measure(name, spec, tokens, () -> {
                try (NDScope scope = new NDScope()) {
                    LossOracle ctx = evaluations.oracle(step[0], Long.MAX_VALUE, () -> reference, streams,
                            tokenizer, objective);
                    optimizer.step(ctx, model.weights(), state, step[0], Long.MAX_VALUE, step[0]);
                    step[0]++;
                }
            });
        }
    }

    private static Figure measure(String name, Spec spec, long tokens, Runnable step) {
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
        Arrays.sort(ms);
        double median = ms.length % 2 == 1 ? ms[ms.length / 2] : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2;
        double peakMib = peakReset && before > 0 && peak > 0 ? Math.max(0, peak - before) / 1024.0 : Double.NaN;
        return new Figure(name, median, tokens / (median / 1000), peakMib);
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
