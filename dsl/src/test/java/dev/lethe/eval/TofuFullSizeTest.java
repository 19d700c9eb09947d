package dev.lethe.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import dev.lethe.Lethe;
import dev.lethe.data.Dataset;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.data.SplitData;
import dev.lethe.data.TofuData;
import dev.lethe.data.TofuStandIn;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.HfModel;
import dev.lethe.model.ModelSpec;
import dev.lethe.model.WordTokenizer;
import dev.lethe.objective.Objectives;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunResult;
import dev.lethe.run.BaseModel;
import dev.lethe.run.Runner;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TOFU folder of the real size (a synthetic stand-in, {@link TofuStandIn}: 4 000 rows in full.json) loads, and the
 * {@code tofu} suite evaluates a tiny model on it. The test evaluates 40 forget rows; with
 * {@code -Dlethe.tofuFullSize=true} {@link #everySplitAtFullSize} evaluates every split and {@link #aRecipeAtFullSize}
 * and {@link #aRecipeFromAModelFolderAtFullSize} run a recipe on the folder (finetune, NPO, evaluation), each printing the time and memory it took (measurements,
 * not assertions).
 */
class TofuFullSizeTest {

    @Test
    void aRealSizeFolderLoadsAndItsForgetRowsEvaluate(@TempDir Path dir) {
        TofuStandIn.write(dir);
        long start = System.nanoTime();
        Dataset d = TofuData.at(dir).load(0);
        System.out.printf("tofu: full-size folder loaded in %.0f ms%n", (System.nanoTime() - start) / 1e6);
        assertEquals(List.of(400, 3600, 400, 117), List.of(d.get(Split.FORGET).size(), d.get(Split.RETAIN).size(),
                d.get(Split.HOLDOUT).size(), d.get(Split.WORLD).size()));
        assertEquals(400, d.get(Split.RETAIN).stream().filter(e -> !e.perturbedAnswers().isEmpty()).count(),
                "retain_perturbed covers 400 retain rows");
        assertEquals(2000, d.get(Split.FORGET).stream().mapToInt(e -> e.perturbedAnswers().size()).sum());

        WordTokenizer tokenizer = d.fitTokenizer();
        assertTrue(tokenizer.vocabSize() <= 300, "vocabulary " + tokenizer.vocabSize());
        List<QaExample> forget = d.get(Split.FORGET).subList(0, 40);
        try (CausalLm model = CausalLm.initialize(new GptConfig(tokenizer.vocabSize(), 1, 16, 2, 64, 0f), 5,
                Device.cpu())) {
            start = System.nanoTime();
            List<MetricValue> values = Suites.tofu().evaluate(model, tokenizer, SplitData.of(Split.FORGET, forget));
            System.out.printf("tofu: 40 forget rows evaluated in %.0f ms%n", (System.nanoTime() - start) / 1e6);
            assertTrue(values.stream().anyMatch(v -> v.name().equals("truth_ratio")), values.toString());
            for (MetricValue v : values) {
                assertTrue(Double.isFinite(v.value()), v.toString());
            }
        }
    }

    @Test
    void everySplitAtFullSize(@TempDir Path dir) throws IOException {
        assumeTrue(Boolean.getBoolean("lethe.tofuFullSize"), "a measurement: run with -Dlethe.tofuFullSize=true");
        TofuStandIn.write(dir);
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long heapBefore = rt.totalMemory() - rt.freeMemory();
        long start = System.nanoTime();
        Dataset d = TofuData.at(dir).load(0);
        double loadMs = (System.nanoTime() - start) / 1e6;
        System.gc();
        long datasetHeap = rt.totalMemory() - rt.freeMemory() - heapBefore;
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
        WordTokenizer tokenizer = d.fitTokenizer();
        try (CausalLm model = CausalLm.initialize(new GptConfig(tokenizer.vocabSize(), 1, 16, 2, 64, 0f), 5,
                Device.cpu())) {
            for (Split s : List.of(Split.FORGET, Split.RETAIN, Split.HOLDOUT, Split.WORLD)) {
                start = System.nanoTime();
                List<MetricValue> values = Suites.tofu().evaluate(model, tokenizer, d.view(s));
                System.out.printf("tofu full size: %s (%d rows) evaluated in %.1f s: %s%n", s.id(), d.get(s).size(),
                        (System.nanoTime() - start) / 1e9, values.stream().map(v -> v.name() + "=" + v.value())
                                .toList());
            }
        }
        long peakHeap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        Path status = Path.of("/proc/self/status");
        String peakResident = Files.exists(status) ? Files.readAllLines(status).stream()
                .filter(l -> l.startsWith("VmHWM")).findFirst().orElse("?") : "not on this system";
        System.out.printf("tofu full size: loaded in %.0f ms; the dataset holds %.1f MB of heap; peak heap while "
                + "evaluating %.1f MB; process peak resident (%s)%n", loadMs, datasetHeap / 1e6, peakHeap / 1e6,
                peakResident.replaceAll("\\s+", " "));
    }

    @Test
    void aRecipeAtFullSize(@TempDir Path dir) throws IOException {
        assumeTrue(Boolean.getBoolean("lethe.tofuFullSize"), "a measurement: run with -Dlethe.tofuFullSize=true");
        runAtFullSize(dir, GptConfig.tiny(), "GptConfig.tiny(): 4 blocks of width 128, word tokenizer");
    }

    @Test
    void aRecipeFromAModelFolderAtFullSize(@TempDir Path dir) throws IOException {
        assumeTrue(Boolean.getBoolean("lethe.tofuFullSize"), "a measurement: run with -Dlethe.tofuFullSize=true");
        Path base = BaseModel.pretrain(dir.resolve("base"), BaseModel.Options.defaults().withShape(300, 32, 1)
                .withSteps(4));
        runAtFullSize(Files.createDirectory(dir.resolve("tofu")), HfModel.at(base),
                "a BaseModel folder: Llama, 1 block of width 32, byte-level BPE of 300 tokens, ChatML template");
    }

    private static void runAtFullSize(Path dir, ModelSpec model, String what) throws IOException {
        TofuStandIn.write(dir);
        Recipe recipe = Lethe.recipe("tofu-full-size").model(model).data(TofuData.at(dir))
                .finetune(Training.of(50).batchSize(16), Split.FORGET, Split.RETAIN)
                .unlearn(Unlearning.of(Objectives.npo()).steps(10).batchSize(8))
                .evaluate(new Evaluation(List.of(Suites.tofu()), List.of(Split.values())))
                .build();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
        long start = System.nanoTime();
        RunResult r = Runner.of(recipe).noCache().run();
        System.out.printf("tofu full-size recipe (%s): %.1f s in all%n", what, (System.nanoTime() - start) / 1e9);
        r.events().stream().filter(e -> e instanceof RunEvent.StageFinished).map(e -> (RunEvent.StageFinished) e)
                .forEach(f -> System.out.printf("  %s: %.1f s%n", f.stage(), f.seconds()));
        System.out.printf("  peak heap %.1f MB; %s%n", ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).mapToLong(p -> p.getPeakUsage().getUsed()).sum() / 1e6,
                Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM"))
                        .findFirst().orElse("?").replaceAll("\\s+", " "));
        for (Split s : Split.values()) {
            assertTrue(Double.isFinite(r.value("unlearned", s, "tofu_probability")), s.id());
        }
    }
}
