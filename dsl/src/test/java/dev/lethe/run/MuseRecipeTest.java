package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.data.MuseData;
import dev.lethe.data.Split;
import dev.lethe.recipe.RecipeCodec;
import dev.lethe.report.ConsoleSummary;
import dev.lethe.report.HtmlReport;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Recipe;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A recipe on MUSE's files (the committed fixture): learn → reference → unlearn → evaluate with MUSE's metrics. */
class MuseRecipeTest {

    private static Path fixture() {
        try {
            return Path.of(MuseRecipeTest.class.getResource("/muse").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String yaml(Path dir) {
        return "name: muse-fixture\nseed: 7\n"
                + "model: {gpt: {layers: 2, width: 48, heads: 2, context_length: 64}}\n"
                + "data: {muse: {dir: " + dir + "}}\n"
                + "stages:\n"
                + "  - learn: {steps: 300, batch_size: 4, splits: [forget, retain]}\n"
                + "  - reference: {steps: 300, batch_size: 4, splits: [retain]}\n"
                + "  - unlearn: {objective: npo, steps: 30, batch_size: 2, train_on: passages}\n"
                + "  - evaluate: {suites: [muse, privacy], splits: [forget, retain, holdout]}\n";
    }

    @Test
    void aRecipeFileNamesTheMuseFolderAndReadsBackExactly() {
        RecipeCodec codec = RecipeCodec.standard();
        Recipe read = codec.read(yaml(fixture()), "muse.yaml");
        assertEquals(new MuseData(fixture()), read.data());
        String written = codec.write(read);
        assertTrue(written.contains("  muse:\n    dir: " + fixture() + "\n"), written);
        assertEquals(read, codec.read(written, "again.yaml"));
        assertEquals(written, codec.write(codec.read(written, "again.yaml")));
    }

    @Test
    void trainingOnAnswersOrOnTheWorldSplitIsRefusedBeforeTheRunSayingWhatMusesFilesHold() {
        RecipeCodec codec = RecipeCodec.standard();
        String answers = yaml(fixture()).replace("train_on: passages", "train_on: answers");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Preflight.checked(codec.read(answers, "muse.yaml")));
        assertTrue(e.getMessage().contains("forget split, which has no examples (MUSE's files give"), e.getMessage());
        String world = yaml(fixture()).replace(", splits: [forget, retain]}", "}");
        e = assertThrows(IllegalArgumentException.class, () -> Preflight.checked(codec.read(world, "muse.yaml")));
        assertTrue(e.getMessage().contains("stage learn trains on the world split"), e.getMessage());
    }

    @Test
    void theProvenanceHashCoversEveryMuseFileButNotWhereTheFolderIs(@TempDir Path a, @TempDir Path b)
            throws IOException {
        copyFixture(a);
        copyFixture(b);
        assertEquals(ContentHash.of(new MuseData(a).load(0)), ContentHash.of(new MuseData(b).load(0)));
        for (String file : new String[] {"verbmem/forget.json", "knowmem/forget_qa_icl.json", "privleak/holdout.json",
            "knowmem/retain_qa.jsonl"}) {
            Path f = b.resolve(file);
            String before = Files.readString(f);
            Files.writeString(f, before.replaceFirst("the ", "a "));
            assertNotEquals(ContentHash.of(new MuseData(a).load(0)), ContentHash.of(new MuseData(b).load(0)), file);
            Files.writeString(f, before);
        }
    }

    private static void copyFixture(Path to) throws IOException {
        try (Stream<Path> files = Files.walk(fixture())) {
            for (Path f : files.toList()) {
                Path target = to.resolve(fixture().relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    /**
     * A run without a reference stage gets MUSE's PrivLeak against the published retrain AUC, as {@code eval.py}
     * computes it: (AUC − 0.47719999999999996) / 0.47719999999999996 × 100, with AUC = 1 − {@code mia_auc_min_k}.
     */
    @Test
    void withoutAReferenceStagePrivleakPublishedDividesByMusesPublishedNewsAuc() {
        String yaml = "name: muse-published\nseed: 7\n"
                + "model: {gpt: {layers: 1, width: 16, heads: 2, context_length: 64}}\n"
                + "data: {muse: {dir: " + fixture() + "}}\n"
                + "stages:\n"
                + "  - learn: {steps: 3, batch_size: 4, splits: [forget, retain]}\n"
                + "  - evaluate:\n"
                + "      suites: [{privacy: {grad_norm: off, privleak_retrain_auc: news}}]\n"
                + "      splits: [forget, holdout]\n";
        RunResult r = Runner.of(RecipeCodec.standard().read(yaml, "muse.yaml")).noCache().run();
        double auc = 1 - r.value("learned", "forget+holdout", "mia_auc_min_k");
        assertEquals((auc - 0.47719999999999996) / 0.47719999999999996 * 100,
                r.value("learned", "forget+holdout", "privleak_published"), 1e-9);
        assertTrue(r.rows().stream().noneMatch(row -> row.metric().equals("privleak")), "no reference, no privleak");
        String headline = ConsoleSummary.headline(r);
        assertTrue(headline.contains("privleak published")
                && headline.contains("privleak published: against retrain AUC news (MUSE's AUC_RETRAIN "
                        + "0.47719999999999996)"), headline);
    }

    @Test
    void learnUnlearnAndEvaluateOnMusesFiles() {
        Recipe recipe = RecipeCodec.standard().read(yaml(fixture()), "muse.yaml");
        long start = System.nanoTime();
        RunResult r = Runner.of(recipe).noCache().run();
        System.out.printf("MUSE fixture run: %.1f s%n", (System.nanoTime() - start) / 1e9);
        for (String model : new String[] {"learned", "reference", "unlearned"}) {
            System.out.printf("%-10s verbmem %.3f knowmem f/r %.3f/%.3f  mia_auc_min_k %.3f  privleak %.2f%n", model,
                    r.value(model, Split.FORGET, "verbmem_rouge_l_f1"),
                    r.value(model, Split.FORGET, "knowmem_rouge_l_f1"),
                    r.value(model, Split.RETAIN, "knowmem_rouge_l_f1"),
                    r.value(model, "forget+holdout", "mia_auc_min_k"), r.value(model, "forget+holdout", "privleak"));
        }
        double learned = r.value("learned", Split.FORGET, "verbmem_rouge_l_f1");
        assertTrue(learned > r.value("reference", Split.FORGET, "verbmem_rouge_l_f1") + 0.3,
                "the learned model read the forget texts, the reference did not");
        assertEquals(0.0, r.value("reference", "forget+holdout", "privleak"), 0.0);
        // the learned model holds the forget texts: every forget privleak text is more familiar than every holdout
        // one, MUSE's AUC is 0 and PrivLeak −100
        assertEquals(1.0, r.value("learned", "forget+holdout", "mia_auc_min_k"), 0.0);
        assertEquals(-100.0, r.value("learned", "forget+holdout", "privleak"), 1e-9);
        // what `lethe run` prints and writes works without exact match (MUSE's files have no answers to match)
        assertTrue(ConsoleSummary.headline(r).contains("privleak"), ConsoleSummary.headline(r));
        assertTrue(HtmlReport.figures(r).containsKey("tradeoff"), "forget vs retain KnowMem");
    }
}
