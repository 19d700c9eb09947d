package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.Lethe;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.eval.Suites;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.HfFolder;
import dev.lethe.model.HfModel;
import dev.lethe.objective.Objectives;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reference loaded from a Hugging Face folder ({@code reference: {hf: DIR}}): it measures exactly as the trained
 * reference it was saved from, the preflight refuses a folder of another architecture, vocabulary or tokenizer naming
 * the recipe field, the folder and what differs, the provenance records the folder's content hash, and a killed run
 * resumes to the same metrics. The folders are a tiny base model pretrained at test time, as in {@link HfRecipeTest}.
 */
class HfReferenceTest {
    private static final FictitiousFacts DATA = FictitiousFacts.of(6, 0.34).withFactsPerPerson(2);
    private static final long SEED = 3;
    private static final Evaluation EVALUATION = new Evaluation(List.of(Suites.answers(), Suites.tofu(),
            Suites.privacy()), List.of(Split.FORGET, Split.RETAIN, Split.HOLDOUT));
    /** The cross-model metrics that read the reference. */
    private static final Set<String> CROSS_MODEL = Set.of("forget_quality", "privleak", "kl_to_reference");
    @TempDir
    static Path dir;
    private static Path base;
    /** The reference that {@link #trained} trains, saved as a folder. */
    private static Path saved;
    private static RunResult trainedResult;

    @BeforeAll
    static void pretrainTrainAndSave() {
        base = BaseModel.pretrain(dir.resolve("base"), BaseModel.Options.defaults().withCorpus(DATA, 20)
                .withShape(300, 32, 1).withSteps(4).withSeed(SEED));
        Recipe trained = trained();
        Path checkpoints = dir.resolve("checkpoints");
        trainedResult = Runner.of(trained).noCache().checkpoints(checkpoints, 0).run();
        Checkpoints kept = Checkpoints.readOnly(checkpoints, trained);
        saved = dir.resolve("retain-model");
        try (CausalLm reference = kept.loadModel(kept.manifest().models().get("reference"), HfModel.at(base).spec(),
                Device.cpu())) {
            HfFolder.save(saved, reference, null, HfFolder.SaveOptions.defaults().withSource(base));
        }
    }

    /** Finetune the base, train a reference on the retain split, unlearn with NPO, evaluate with the privacy suite. */
    private static Recipe trained() {
        return Lethe.recipe("hf-reference").model(HfModel.at(base)).data(DATA)
                .finetune(Training.of(6).batchSize(4), Split.FORGET, Split.RETAIN)
                .reference(Training.of(4).batchSize(4))
                .unlearn(Unlearning.of(Objectives.npo()).steps(3).batchSize(2))
                .evaluate(EVALUATION).seed(SEED).build();
    }

    /** {@link #trained()} with the reference loaded from {@code folder}. */
    private static Recipe loaded(Path folder) {
        return Lethe.recipe("hf-reference").model(HfModel.at(base)).data(DATA)
                .finetune(Training.of(6).batchSize(4), Split.FORGET, Split.RETAIN)
                .reference(HfModel.at(folder))
                .unlearn(Unlearning.of(Objectives.npo()).steps(3).batchSize(2))
                .evaluate(EVALUATION).seed(SEED).build();
    }

    private static List<RunResult.Row> finals(RunResult r) {
        return r.rows().stream().filter(RunResult.Row::isFinal).toList();
    }

    @Test
    void aLoadedReferenceMeasuresExactlyAsTheTrainedReferenceItWasSavedFrom() {
        RunResult loaded = Runner.of(loaded(saved)).noCache().run();
        List<RunResult.Row> expected = finals(trainedResult);
        Set<String> crossModel = expected.stream().map(RunResult.Row::metric).filter(CROSS_MODEL::contains)
                .collect(Collectors.toSet());
        assertEquals(CROSS_MODEL, crossModel, "the trained run has every cross-model metric");
        assertTrue(expected.stream().anyMatch(r -> r.model().equals("reference")), expected.toString());
        assertEquals(expected, finals(loaded), "every final row, the cross-model metrics included");
        assertTrue(loaded.events().stream().anyMatch(e -> e instanceof RunEvent.StageFinished f
                && f.stage().equals("reference") && f.stepsDone() == 1 && !f.cached()), "the reference stage ran");
    }

    @Test
    void aRunKilledPartWayContinuesFromItsCheckpointsToTheSameMetrics(@TempDir Path checkpoints) {
        Recipe r = loaded(saved);
        String uninterrupted = Runner.of(r).noCache().run().csv();
        assertThrows(IllegalStateException.class, () -> Runner.of(r).noCache().checkpoints(checkpoints, 1)
                .listener(e -> {
                    if (e instanceof RunEvent.Progress p && p.stage().equals("unlearn") && p.step() == 2) {
                        throw new IllegalStateException("stopped on purpose");
                    }
                }).run());
        assertEquals(uninterrupted, Runner.of(r).noCache().checkpoints(checkpoints, 1).run().csv());
    }

    @Test
    void theProvenanceRecordsTheFoldersContentHashNotItsPath(@TempDir Path tmp) throws IOException {
        Path copy = copy(saved, tmp.resolve("elsewhere/copy"));
        Provenance a = Provenance.of(loaded(saved), "yaml");
        Provenance b = Provenance.of(loaded(copy), "yaml");
        String files = ContentHash.files(saved, HfModel.at(saved).files());
        assertEquals(java.util.Map.of("reference", files), a.referenceHashes());
        assertEquals(a.referenceHashes(), b.referenceHashes(), "a copy elsewhere: the same hash");
        assertEquals(a.hash(), b.hash(), "the same recipe text and folder content: the same run hash");
        assertNotEquals(a.modelHash(), files, "the reference's hash is its own, not the model folder's");
        flipLastByte(copy.resolve("model.safetensors"));
        Provenance c = Provenance.of(loaded(copy), "yaml");
        assertNotEquals(a.referenceHashes(), c.referenceHashes());
        assertNotEquals(a.hash(), c.hash(), "the run hash covers the reference's content");
        assertTrue(a.json().contains("\"reference_hashes\" : {\n    \"reference\" : \"" + files + "\"\n  }"), a.json());
        assertEquals(java.util.Map.of(), Provenance.of(trained(), "yaml").referenceHashes(), "a trained reference");
    }

    @Test
    void aFolderOfAnotherVocabularyIsRefusedNamingTheFieldTheFolderAndTheSizes(@TempDir Path tmp) {
        Path other = BaseModel.pretrain(tmp.resolve("other-vocabulary"), BaseModel.Options.defaults()
                .withCorpus(DATA, 20).withShape(280, 32, 1).withSteps(1).withSeed(SEED));
        int theirs = HfModel.at(other).spec().vocabSize();
        int ours = HfModel.at(base).spec().vocabSize();
        assertNotEquals(ours, theirs);
        assertEquals("stages[1].reference.hf: the reference folder " + other + " has a vocabulary of " + theirs
                + " tokens (config.json vocab_size), and the run's model " + ours + RULE, problem(loaded(other)));
    }

    private static final String RULE = "; a reference must have the run's model's architecture, vocabulary and "
            + "tokenizer (for model: {hf: DIR}, a model finetuned from the same base, as TOFU's retain models are)";

    @Test
    void aFolderOfAnotherArchitectureOrShapeIsRefusedNamingWhatDiffers(@TempDir Path tmp) throws IOException {
        Recipe fromScratch = Lethe.recipe("scratch").model(GptConfig.tiny()).data(DATA)
                .reference(HfModel.at(saved)).evaluate(EVALUATION).seed(SEED).build();
        assertEquals("stages[0].reference.hf: the reference folder " + saved + " holds a Llama model, and the run's "
                + "model is a Gpt" + RULE, problem(fromScratch));

        Path wider = copy(saved, tmp.resolve("wider"));
        ObjectNode config = (ObjectNode) new ObjectMapper().readTree(wider.resolve("config.json").toFile());
        int layers = config.get("num_hidden_layers").asInt();
        config.put("num_hidden_layers", layers + 1);
        Files.writeString(wider.resolve("config.json"), config.toPrettyString());
        String message = problem(loaded(wider));
        assertTrue(message.startsWith("stages[1].reference.hf: the reference folder " + wider + " has layers "
                + (layers + 1) + ", and the run's model " + layers + RULE), message);
    }

    @Test
    void aFolderWithAnotherChatTemplateIsRefused(@TempDir Path tmp) throws IOException {
        Path plain = copy(saved, tmp.resolve("plain"));
        ObjectNode settings = (ObjectNode) new ObjectMapper().readTree(plain.resolve("tokenizer_config.json").toFile());
        assertTrue(settings.has("chat_template"), settings.toString());
        settings.remove("chat_template");
        Files.writeString(plain.resolve("tokenizer_config.json"), settings.toPrettyString());
        assertEquals("stages[1].reference.hf: the reference folder " + plain + " has another tokenizer than the run's "
                + "model: it encodes a question-answer pair otherwise (another chat template or tokenization)" + RULE,
                problem(loaded(plain)));
    }

    @Test
    void aMissingFolderIsRefusedNamingTheField(@TempDir Path tmp) {
        assertEquals("stages[1].reference.hf: the model folder " + tmp.resolve("none") + " does not exist; hf: DIR "
                + "names a Hugging Face model folder (config.json, model.safetensors, tokenizer.json)",
                problem(loaded(tmp.resolve("none"))));
    }

    private static String problem(Recipe recipe) {
        return assertThrows(IllegalArgumentException.class, () -> Preflight.checked(recipe)).getMessage();
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }

    private static void flipLastByte(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 1;
        Files.write(file, bytes);
    }
}
