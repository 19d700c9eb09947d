package dev.lethe.cli;

import ai.djl.Device;
import dev.lethe.io.AtomicFiles;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Precision;
import dev.lethe.run.Runner;
import dev.lethe.run.StepBenchmark;
import dev.lethe.run.TwinExport;
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
 * zeroth-order (MeZO-SGD, and SPSA + AdamW) and SAM steps.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time a forward pass, a no-grad loss (NPO+RT), first-order (AdamW), zeroth-order (MeZO-SGD;"
                + " SPSA+AdamW) and SAM steps on one model shape. For native memory alone, run with"
                + " LETHE_JAVA_OPTS='-Xms1g -Xmx1g -XX:+AlwaysPreTouch' and one --step per process.")
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", description = "quickstart (4x128, vocab 1000) or gpt2-small (12x768, vocab 50257).",
            defaultValue = "quickstart")
    String model;

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
            + " zeroth_order_adam, sam): peak memory is then not shared with the other step types of the process.")
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
        GptConfig config = switch (model) {
            case "quickstart" -> new GptConfig(1000, 4, 128, 4, Math.max(32, length), 0f);
            case "gpt2-small" -> new GptConfig(50257, 12, 768, 12, Math.max(1024, length), 0f);
            default -> throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--model must be quickstart or gpt2-small, was " + model);
        };
        if (exportTwin != null) {
            List<Double> losses = TwinExport.export(exportTwin, config, batch, length, 5);
            System.out.printf(Locale.ROOT, "wrote %s (weights, batch, losses %s)%n", exportTwin, losses);
            return 0;
        }
        Precision type = switch (precision) {
            case "float32" -> Precision.FLOAT32;
            case "float16" -> Precision.FLOAT16;
            default -> throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--precision must be float32 or float16 (no bfloat16: DJL's JNI aborts on it), was " + precision);
        };
        Device on = Runner.device(device);
        List<StepBenchmark.Figure> figures = StepBenchmark.run(new StepBenchmark.Spec(config, batch, length, warmup,
                steps, type, on), only == null ? StepBenchmark.STEP_TYPES : List.of(only));
        System.out.printf(Locale.ROOT, "model %s (%d layers, width %d), batch %d x %d tokens, %d timed steps, %s, %s%n",
                model, config.layers(), config.width(), batch, length, steps, precision, on);
        if (!StepBenchmark.heapPreTouched()) {
            System.out.println("note: the Java heap is not fixed and pre-touched, so peak memory includes its growth");
        }
        System.out.printf(Locale.ROOT, "%-17s %12s %12s %14s%n", "step", "median ms", "tokens/s", "peak +MiB");
        StringBuilder sb = new StringBuilder("step,median_ms,tokens_per_s,peak_mib\n");
        for (StepBenchmark.Figure f : figures) {
            System.out.printf(Locale.ROOT, "%-17s %12.2f %12.0f %14.1f%n", f.step(), f.medianMs(), f.tokensPerSecond(),
                    f.peakMib());
            sb.append(String.format(Locale.ROOT, "%s,%.4f,%.1f,%.2f%n", f.step(), f.medianMs(), f.tokensPerSecond(),
                    f.peakMib()));
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
