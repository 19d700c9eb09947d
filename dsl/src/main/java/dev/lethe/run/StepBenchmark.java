package dev.lethe.run;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import dev.lethe.data.Batch;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Encoded;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Tokenizer;
import dev.lethe.model.WordTokenizer;
import dev.lethe.objective.Objective;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.Optimizer;
import dev.lethe.optim.Optimizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Times the step types of an unlearning run on one model shape, with the runner's own step code: (a) a
 * forward pass, (b) a first-order step (NPO + retain NLL, AdamW), (c) a zeroth-order step (SPSA, one query,
 * loss at θ too), (d) a SAM step (ρ = 0.05, AdamW). Batches are random token sequences of a fixed length,
 * the second half of each being the "answer". Peak memory is the process's peak resident set (VmHWM, reset
 * through {@code /proc/self/clear_refs}) during the warm-up and timed steps, minus its resident set just
 * before them (model, reference copy and optimizer state already allocated): what one step type needs on top
 * of the weights. Run one step type per process ({@code lethe bench --step}) for a clean figure.
 */
public final class StepBenchmark {
    private StepBenchmark() {}

    /**
     * What to measure.
     *
     * @param config the model shape (vocabulary size included)
     * @param batch sequences per split per step
     * @param length tokens per sequence
     * @param warmup untimed steps first
     * @param steps timed steps
     */
    public record Spec(GptConfig config, int batch, int length, int warmup, int steps) {}

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
     * Runs the step types named in {@code which} (forward, first_order, zeroth_order, sam) and returns their
     * figures in that order. Memory freed by one step type stays resident for the next, so measure one type
     * per process for its peak.
     */
    public static List<Figure> run(Spec spec, List<String> which) {
        Threads.apply();
        Tokenizer tokenizer = syntheticTokenizer(spec.config().vocabSize());
        List<Figure> out = new ArrayList<>();
        try (CausalLm model = CausalLm.initialize(spec.config(), 1, Device.cpu());
                CausalLm reference = model.frozenCopy()) {
            Map<Split, BatchStream> streams = Map.of(Split.FORGET, randomStream(spec, tokenizer, 1),
                    Split.RETAIN, randomStream(spec, tokenizer, 2));
            Objective objective = Objectives.npo().plus(Objectives.nll(Split.RETAIN));
            long tokens = 2L * spec.batch() * spec.length();
            for (String name : which) {
                out.add(switch (name) {
                    case "forward" -> measure("forward", spec, tokens / 2, () -> {
                        try (NDScope scope = new NDScope()) {
                            Batch b = Batch.of(streams.get(Split.FORGET).next(), tokenizer, model.manager());
                            model.forward(b.inputs()).logits().sum().getFloat();
                        }
                    });
                    case "first_order" -> optimizerFigure(name, spec, tokens, model, reference, streams, tokenizer,
                            objective, Optimizers.adamW(1e-4));
                    case "zeroth_order" -> optimizerFigure(name, spec, tokens, model, reference, streams, tokenizer,
                            objective, Optimizers.zerothOrder(1e-6, 1e-3, 1));
                    case "sam" -> optimizerFigure(name, spec, tokens, model, reference, streams, tokenizer, objective,
                            Optimizers.sam(1e-4, 0.05));
                    default -> throw new IllegalArgumentException("unknown step type '" + name
                            + "'; expected forward, first_order, zeroth_order or sam");
                });
            }
        }
        return out;
    }

    private static Figure optimizerFigure(String name, Spec spec, long tokens, CausalLm model, CausalLm reference,
            Map<Split, BatchStream> streams, Tokenizer tokenizer, Objective objective, Optimizer optimizer) {
        try (Optimizer.State state = optimizer.init(model.weights(), model.manager())) {
            long[] step = {0};
            return measure(name, spec, tokens, () -> {
                try (NDScope scope = new NDScope()) {
                    StepContext ctx = new StepContext(step[0], Long.MAX_VALUE, model, () -> reference, streams,
                            tokenizer, objective);
                    optimizer.step(ctx, model.weights(), state, step[0], Long.MAX_VALUE, step[0]);
                    step[0]++;
                }
            });
        }
    }

    private static Figure measure(String name, Spec spec, long tokens, Runnable step) {
        System.gc();
        long before = residentKb("VmRSS:");
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
            throw new IllegalArgumentException("sequence length must be at least 3, was " + length);
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
