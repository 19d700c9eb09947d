package dev.lethe.cli;

import ai.djl.Device;
import dev.lethe.io.AtomicFiles;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.HfConfig;
import dev.lethe.model.HfFamilies;
import dev.lethe.model.HfFolder;
import dev.lethe.model.ModelSpec;
import dev.lethe.model.Precision;
import dev.lethe.run.Runner;
import dev.lethe.run.StepBenchmark;
import dev.lethe.run.Threads;
import dev.lethe.run.TwinExport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lethe bench}: ms/step, tokens/s and peak memory of a forward pass, a loss evaluation, first-order,
 * zeroth-order (MeZO-SGD, and SPSA + AdamW) and SAM steps on a GPT-2-style shape (NPO + retain NLL, like
 * {@code bench/python/twin.py}); on a pretrained-family shape or Hugging Face folder (the retain NLL, like
 * {@code bench/python/hf_twin.py}) forward, loss, LoRA (q/v, rank 8, AdamW), MeZO-SGD and cached greedy
 * generation with batches of 1 and 8 ({@link StepBenchmark#LLM_STEP_TYPES}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time a forward pass, a no-grad loss (NPO+RT), first-order (AdamW), zeroth-order (MeZO-SGD;"
                + " SPSA+AdamW) and SAM steps on one model shape; on a Llama-family shape or folder: forward, loss"
                + " (NLL), lora, zeroth_order, generate_b1, generate_b8. For native memory alone, run with"
                + " LETHE_JAVA_OPTS='-Xms1g -Xmx1g -XX:+AlwaysPreTouch' and one --step per process.")
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", description = "quickstart (4x128, vocab 1000), gpt2-small (12x768, vocab 50257),"
            + " smollm-135m, llama-3.2-1b (random weights of those shapes), tiny-smollm, tiny-llama3 (small Llama"
            + " shapes for checking scripts), or a Hugging Face model folder (its weights).",
            defaultValue = "quickstart")
    String model;

    @Option(names = "--threads", paramLabel = "N", description = "libtorch's intra-op threads (default: the"
            + " lethe.threads property, else 1).")
    @Nullable Integer threads;

    @Option(names = "--new-tokens", defaultValue = "128", description = "Tokens each generate_b<N> step generates"
            + " per prompt (prompts are --length tokens; default: ${DEFAULT-VALUE}).")
    int newTokens;

    @Option(names = "--profile", paramLabel = "FILE", description = "With one --step: run its timed steps once more"
            + " under libtorch's profiler and write the Chrome trace to FILE (bench/python/op_profile.py sums it).")
    @Nullable Path profile;

    @Option(names = "--write-config", paramLabel = "DIR", description = "Instead of timing, write the Llama-family"
            + " shape's Hugging Face config.json into DIR (what bench/python/hf_twin.py builds its model from).")
    @Nullable Path writeConfig;

    @Option(names = "--batch", description = "Sequences per split per step (default: ${DEFAULT-VALUE}).",
            defaultValue = "8")
    int batch;

    @Option(names = "--length", description = "Tokens per sequence (default: ${DEFAULT-VALUE}).", defaultValue = "32")
    int length;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--steps", defaultValue = "20", description = "Timed steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--step", description = "Measure only this step type (forward, loss, first_order, zeroth_order,"
            + " zeroth_order_adam, sam, lora, generate_b<N>): peak memory is then not shared with the other step"
            + " types of the process.")
    @Nullable String only;

    @Option(names = "--precision", defaultValue = "float32", description = "float32, or float16 mixed precision "
            + "(float32 weights and optimizer state, float16 passes; meant for GPUs, CPU float16 kernels are slow).")
    String precision;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu, gpu:N or auto (default: "
            + "${DEFAULT-VALUE}); on a GPU the memory column is still host memory.")
    String device;

    @Option(names = "--csv", paramLabel = "FILE", description = "Also write the figures as CSV.")
    @Nullable Path csv;

    @Option(names = "--export-twin", paramLabel = "DIR", description = "Instead of timing, write initial weights, a "
            + "batch and the losses of a few AdamW steps (NPO + retain NLL) for bench/python/twin.py check DIR.")
    @Nullable Path exportTwin;

    @Override
    public Integer call() {
        @Nullable String bad = badSize();
        if (bad != null) {
            return BadInput.report(spec.commandLine().getErr(), "bench", bad);
        }
        if (threads != null) {
            System.setProperty(Threads.PROPERTY, Integer.toString(threads));
        }
        @Nullable ModelSpec named = BenchShapes.of(model, length);
        Path folder = Path.of(model);
        if (named == null && !Files.isRegularFile(folder.resolve(HfConfig.FILE))) {
            return BadInput.report(spec.commandLine().getErr(), "bench", "--model must be one of "
                    + BenchShapes.NAMES + " or a Hugging Face model folder (with a " + HfConfig.FILE + "), was "
                    + model);
        }
        boolean gpt = named instanceof GptConfig;
        if (exportTwin != null) {
            if (!(named instanceof GptConfig config)) {
                return BadInput.report(spec.commandLine().getErr(), "bench", "--export-twin needs --model quickstart"
                        + " or gpt2-small (bench/python/twin.py's GPT-2 twin), was " + model);
            }
            List<Double> losses = TwinExport.export(exportTwin, config, batch, length, 5);
            System.out.printf(Locale.ROOT, "wrote %s (weights, batch, losses %s)%n", exportTwin, losses);
            return 0;
        }
        if (writeConfig != null) {
            if (named == null || gpt) {
                return BadInput.report(spec.commandLine().getErr(), "bench", "--write-config needs a Llama-family"
                        + " shape (smollm-135m, llama-3.2-1b, tiny-smollm, tiny-llama3), was " + model);
            }
            Path file = writeConfig.resolve(HfConfig.FILE);
            AtomicFiles.writeString(file, HfFamilies.forSpec(named).config(named).toPrettyString() + "\n");
            System.out.println("wrote " + file);
            return 0;
        }
        Precision type = switch (precision) {
            case "float32" -> Precision.FLOAT32;
            case "float16" -> Precision.FLOAT16;
            default -> throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--precision must be float32 or float16 (no bfloat16: DJL's JNI aborts on it), was " + precision);
        };
        List<String> which = only != null ? List.of(only) : gpt ? StepBenchmark.STEP_TYPES
                : StepBenchmark.LLM_STEP_TYPES;
        if (profile != null && which.size() != 1) {
            return BadInput.report(spec.commandLine().getErr(), "bench", "--profile needs one --step");
        }
        Device on = Runner.device(device);
        List<StepBenchmark.Figure> figures;
        ModelSpec shape;
        try (HfFolder.Pretrained loaded = named != null
                ? new HfFolder.Pretrained(CausalLm.initialize(named, 1, on), null) : HfFolder.load(folder, on)) {
            CausalLm lm = loaded.model();
            shape = lm.spec();
            StepBenchmark.Spec measured = new StepBenchmark.Spec(shape, batch, length, warmup, steps, type, on)
                    .withLoss(gpt ? StepBenchmark.Loss.NPO_RETAIN : StepBenchmark.Loss.NLL).withNewTokens(newTokens);
            figures = StepBenchmark.run(measured, lm, which, profile);
        }
        System.out.printf(Locale.ROOT, "model %s (%.1f M parameters), batch %d x %d tokens, %d timed steps, %s, %s,"
                + " %d thread(s), loss %s%n", model, shape.parameterCount() / 1e6, batch, length, steps, precision, on,
                Threads.configured(), gpt ? "NPO + retain NLL" : "NLL");
        if (!StepBenchmark.heapPreTouched()) {
            System.out.println("note: the Java heap is not fixed and pre-touched, so peak memory includes its growth");
        }
        System.out.printf(Locale.ROOT, "%-17s %12s %12s %14s %16s%n", "step", "median ms", "tokens/s", "peak +MiB",
                "peak native MiB");
        StringBuilder sb = new StringBuilder("step,median_ms,tokens_per_s,peak_mib,peak_native_mib\n");
        for (StepBenchmark.Figure f : figures) {
            System.out.printf(Locale.ROOT, "%-17s %12.2f %12.0f %14.1f %16.1f%n", f.step(), f.medianMs(),
                    f.tokensPerSecond(), f.peakMib(), f.peakNativeMib());
            sb.append(String.format(Locale.ROOT, "%s,%.4f,%.1f,%.2f,%.2f%n", f.step(), f.medianMs(),
                    f.tokensPerSecond(), f.peakMib(), f.peakNativeMib()));
        }
        if (csv != null) {
            AtomicFiles.writeString(csv, sb.toString());
        }
        return 0;
    }

    /**
     * Why the sizes measure nothing (a step count of 0 has no median; a batch of 0 has no rows), or null;
     * checked before the engine starts.
     */
    private @Nullable String badSize() {
        if (steps < 1) {
            return "--steps must be at least 1, was " + steps + " (timed steps: the median needs one)";
        }
        if (warmup < 0) {
            return "--warmup must be at least 0, was " + warmup;
        }
        if (newTokens < 1) {
            return "--new-tokens must be at least 1, was " + newTokens;
        }
        if (threads != null && threads < 1) {
            return "--threads must be at least 1, was " + threads;
        }
        if (batch < 1) {
            return "--batch must be at least 1, was " + batch + " (sequences per split and step)";
        }
        if (length < StepBenchmark.MIN_LENGTH) {
            return "--length must be at least " + StepBenchmark.MIN_LENGTH + " (<bos>, a prompt token and an answer"
                    + " token), was " + length;
        }
        return null;
    }
}
