package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.lethe.Lethe;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.data.TofuData;
import dev.lethe.data.TofuFixtures;
import dev.lethe.eval.AnswerScorer;
import dev.lethe.eval.Suites;
import dev.lethe.eval.TokenLogProbs;
import dev.lethe.model.CausalLm;
import dev.lethe.model.HfFolder;
import dev.lethe.model.HfModel;
import dev.lethe.model.HfTokenizer;
import dev.lethe.model.PromptAnswer;
import dev.lethe.model.QaFormatter;
import dev.lethe.objective.Objectives;
import dev.lethe.recipe.RecipeCodec;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recipes on TOFU's files as published ({@code data: {tofu: ...}}, the hand-written folder {@link TofuFixtures}) from a
 * Hugging Face model folder: a tiny base model pretrained at test time ({@link BaseModel}).
 */
class TofuRecipeTest {
    private static final long SEED = 3;
    @TempDir
    static Path dir;
    private static Path base;

    @BeforeAll
    static void pretrain() {
        base = BaseModel.pretrain(dir.resolve("base"), BaseModel.Options.defaults()
                .withCorpus(FictitiousFacts.of(6, 0.34).withFactsPerPerson(2), 20).withShape(300, 32, 1).withSteps(4)
                .withSeed(SEED));
    }

    private static Recipe recipe(TofuData data) {
        return Lethe.recipe("tofu").model(HfModel.at(base)).data(data)
                .finetune(Training.of(4).batchSize(4), Split.FORGET, Split.RETAIN)
                .unlearn(Unlearning.of(Objectives.npo()).steps(2).batchSize(2))
                .evaluate(new Evaluation(List.of(Suites.tofu()), List.of(Split.values())))
                .seed(SEED).build();
    }

    @Test
    void aRecipeOnTofusFilesFinetunesUnlearnsAndEvaluates() {
        RunResult r = Runner.of(recipe(TofuData.at(TofuFixtures.folder()).forget("forget05"))).noCache().run();
        List<RunResult.Row> finals = r.rows().stream().filter(RunResult.Row::isFinal).toList();
        for (RunResult.Row row : finals) {
            assertTrue(Double.isFinite(row.value()), row.toString());
        }
        for (Split s : List.of(Split.FORGET, Split.RETAIN, Split.WORLD)) {
            double tr = r.value("unlearned", s, "truth_ratio");
            assertTrue(tr >= 0 && tr <= 1, s + ": truth ratio " + tr);
        }
        assertTrue(finals.stream().anyMatch(x -> x.model().equals("unlearned") && x.split().equals("holdout")),
                finals.toString());
    }

    @Test
    void theForgetTruthRatioComparesTheWrongAnswersWithTheParaphrasedAnswer() {
        TofuData data = TofuData.at(TofuFixtures.folder()).forget("forget05");
        Recipe evaluateOnly = Lethe.recipe("tofu").model(HfModel.at(base)).data(data)
                .finetune(Training.of(0), Split.FORGET)
                .evaluate(new Evaluation(List.of(Suites.tofu()), List.of(Split.FORGET))).seed(SEED).build();
        double inRun = Runner.of(evaluateOnly).noCache().run().value("finetuned", Split.FORGET, "truth_ratio");
        List<QaExample> forget = data.load(0).get(Split.FORGET);
        try (CausalLm model = HfFolder.loadModel(base, Device.cpu()); HfTokenizer hf = HfTokenizer.fromFolder(base)) {
            double paraphrased = forgetTruthRatio(model, hf, forget, true);
            assertEquals(paraphrased, inRun, 1e-5, "TOFU: R = geometric mean of P(perturbed) / P(paraphrased answer)");
            assertNotEquals(forgetTruthRatio(model, hf, forget, false), inRun, 1e-3,
                    "not the answer as trained");
        }
    }

    /** TOFU's forget truth ratio, mean(min(R, 1/R)), worked out from the answers' mean token NLLs. */
    private static double forgetTruthRatio(CausalLm model, HfTokenizer hf, List<QaExample> examples,
            boolean paraphrased) {
        QaFormatter format = QaFormatter.of(hf);
        AnswerScorer scorer = new AnswerScorer(model, hf, 8);
        double sum = 0;
        for (QaExample e : examples) {
            double correct = meanNll(scorer, format, e.question(), paraphrased ? e.paraphrasedAnswer() : e.answer());
            double wrong = 0;
            for (String p : e.perturbedAnswers()) {
                wrong += meanNll(scorer, format, e.question(), p) / e.perturbedAnswers().size();
            }
            double r = Math.exp(correct - wrong); // exp(-wrong) / exp(-correct)
            sum += Math.min(r, 1 / r);
        }
        return sum / examples.size();
    }

    private static double meanNll(AnswerScorer scorer, QaFormatter format, String question, String answer) {
        PromptAnswer pa = format.format(question, answer);
        List<TokenLogProbs> s = scorer.score(List.of(pa.prompt()), List.of(pa.answer()));
        return s.get(0).meanNll();
    }

    @Test
    void aRecipeFileNamesTheFolderAndReadsBackExactly() {
        RecipeCodec codec = RecipeCodec.standard();
        Path folder = TofuFixtures.folder();
        String text = "name: tofu-files\nmodel: {hf: " + base + "}\n"
                + "data: {tofu: {dir: " + folder + ", forget: forget05, retain: retain99}}\n"
                + "stages:\n  - finetune: {steps: 4, splits: [forget, retain]}\n"
                + "  - unlearn: {objective: npo, steps: 2}\n  - evaluate: {suites: [tofu]}\n";
        Recipe read = codec.read(text, "r.yaml");
        assertEquals(new TofuData(folder, TofuData.Forget.FORGET05, "retain99", null), read.data());
        assertEquals(List.of(2, 9, 2), sizes(read.data().load(0)));
        String written = codec.write(read);
        assertTrue(written.contains("forget: forget05") && written.contains("retain: retain99")
                && !written.contains("holdout:"), written);
        assertEquals(read, codec.read(written, "again.yaml"));
        assertEquals(written, codec.write(codec.read(written, "again.yaml")));
        Recipe defaults = codec.read(text.replace(", forget: forget05, retain: retain99", ""), "d.yaml");
        assertEquals(TofuData.at(folder), defaults.data(), "forget10 with its retain90 and holdout10");
        Recipe java = recipe(TofuData.at(folder).forget("forget01").holdout("holdout10"));
        assertEquals(java, codec.read(codec.write(java), "java.yaml"));
    }

    @Test
    void theCacheAndTheProvenanceKeyOnTheFilesContentNotTheirPlace(@TempDir Path tmp) throws IOException {
        Path cache = tmp.resolve("cache");
        Path copy = TofuFixtures.copy(tmp.resolve("elsewhere/tofu"));
        assertEquals(List.of(false), finetuneCached(TofuFixtures.folder(), cache));
        assertEquals(List.of(true), finetuneCached(copy, cache), "the same files elsewhere: the same key");
        Provenance a = Provenance.of(recipe(TofuData.at(TofuFixtures.folder())), "yaml");
        assertEquals(a.dataHash(), Provenance.of(recipe(TofuData.at(copy)), "yaml").dataHash());

        // one wrong answer in forget10_perturbed: part of the forget examples, so of both keys
        Path perturbed = copy.resolve("forget10_perturbed.json");
        Files.writeString(perturbed, Files.readString(perturbed).replace("Marrowgate", "Marrowmoor"));
        assertNotEquals(a.dataHash(), Provenance.of(recipe(TofuData.at(copy)), "yaml").dataHash());
        assertEquals(List.of(false), finetuneCached(copy, cache));
    }

    private static List<Boolean> finetuneCached(Path tofu, Path cache) {
        Recipe r = Lethe.recipe("tofu").model(HfModel.at(base)).data(TofuData.at(tofu))
                .finetune(Training.of(2).batchSize(4), Split.FORGET, Split.RETAIN)
                .evaluate(new Evaluation(List.of(Suites.answers()), List.of(Split.FORGET))).seed(SEED).build();
        return Runner.of(r).cache(cache).run().events().stream()
                .filter(e -> e instanceof RunEvent.StageFinished f && f.stage().equals("finetune"))
                .map(e -> ((RunEvent.StageFinished) e).cached()).toList();
    }

    private static List<Integer> sizes(dev.lethe.data.Dataset d) {
        List<Integer> out = new ArrayList<>();
        for (Split s : List.of(Split.FORGET, Split.RETAIN, Split.HOLDOUT)) {
            out.add(d.get(s).size());
        }
        return out;
    }
}
