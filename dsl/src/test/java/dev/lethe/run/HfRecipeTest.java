package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.lethe.Lethe;
import dev.lethe.data.Batch;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Dataset;
import dev.lethe.data.Encoded;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.eval.AnswerScorer;
import dev.lethe.eval.Suites;
import dev.lethe.eval.TokenLogProbs;
import dev.lethe.model.CausalLm;
import dev.lethe.model.ChatTemplate;
import dev.lethe.model.HfFolder;
import dev.lethe.model.HfModel;
import dev.lethe.model.HfTokenizer;
import dev.lethe.model.PromptAnswer;
import dev.lethe.model.QaFormatter;
import dev.lethe.model.QaTokenizer;
import dev.lethe.objective.Objectives;
import dev.lethe.recipe.RecipeCodec;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Save;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recipes that start from a Hugging Face model folder ({@code model: {hf: DIR}}): the run's first model is the
 * folder's weights, its tokenizer and chat template format the question-answer pairs, the model cache and the
 * provenance key on the folder's content, and {@code save} writes a folder that loads back to the same logits. The
 * folder is a tiny base model pretrained at test time ({@link BaseModel}: a Llama-family model with a ChatML
 * template).
 */
class HfRecipeTest {
    private static final FictitiousFacts DATA = FictitiousFacts.of(6, 0.34).withFactsPerPerson(2);
    private static final long SEED = 3;
    @TempDir
    static Path dir;
    private static Path base;

    @BeforeAll
    static void pretrain() {
        base = BaseModel.pretrain(dir.resolve("base"), BaseModel.Options.defaults().withCorpus(DATA, 20)
                .withShape(300, 32, 1).withSteps(4).withSeed(SEED));
    }

    private static Recipe recipe(Path model) {
        return Lethe.recipe("hf").model(HfModel.at(model)).data(DATA)
                .finetune(Training.of(6).batchSize(4), Split.FORGET, Split.RETAIN)
                .unlearn(Unlearning.of(Objectives.npo()).steps(3).batchSize(2))
                .evaluate(new Evaluation(List.of(Suites.answers(), Suites.tofu()), List.of(Split.FORGET, Split.RETAIN)))
                .seed(SEED).build();
    }

    @Test
    void aRecipeFromAFolderFinetunesUnlearnsAndEvaluatesToFiniteMetrics() {
        RunResult r = Runner.of(recipe(base)).noCache().run();
        List<RunResult.Row> finals = r.rows().stream().filter(RunResult.Row::isFinal).toList();
        assertTrue(finals.stream().anyMatch(x -> x.model().equals("unlearned")), finals.toString());
        for (RunResult.Row row : finals) {
            assertTrue(Double.isFinite(row.value()), row.toString());
        }
        double forget = r.value("unlearned", Split.FORGET, "nll");
        assertTrue(forget > 0, "forget nll " + forget);
    }

    @Test
    void theFirstModelIsTheFoldersWeightsReadWithItsTokenizerAndChatTemplate() {
        // a finetune of no steps: a copy of the first model, evaluated
        Recipe evaluateOnly = Lethe.recipe("hf").model(HfModel.at(base)).data(DATA)
                .finetune(Training.of(0), Split.FORGET)
                .evaluate(new Evaluation(List.of(Suites.answers()), List.of(Split.FORGET))).seed(SEED).build();
        double inRun = Runner.of(evaluateOnly).noCache().run().value("finetuned", Split.FORGET, "nll");
        Dataset data = DATA.load(Seeds.derive(SEED, Runner.DATA_STREAM));
        try (CausalLm model = HfFolder.loadModel(base, Device.cpu()); HfTokenizer hf = HfTokenizer.fromFolder(base)) {
            QaFormatter format = QaFormatter.of(hf);
            assertTrue(format.usesChatTemplate());
            List<String> prompts = new ArrayList<>();
            List<String> answers = new ArrayList<>();
            for (QaExample e : data.get(Split.FORGET)) {
                PromptAnswer pa = format.format(e.question(), e.answer());
                prompts.add(pa.prompt());
                answers.add(pa.answer());
            }
            // the plain tokenizer on the chat-formatted texts: what the run must have computed
            double expected = new AnswerScorer(model, hf, 8).score(prompts, answers).stream()
                    .mapToDouble(TokenLogProbs::meanNll).average().orElseThrow();
            assertEquals(expected, inRun, 1e-5);
        }
    }

    @Test
    void batchesHoldTheFoldersEncodingOfTheChatFormattedText() {
        QaExample e = DATA.load(SEED).get(Split.FORGET).get(0);
        try (QaTokenizer tokenizer = HfModel.at(base).tokenizer(); HfTokenizer hf = HfTokenizer.fromFolder(base);
                NDManager m = NDManager.newBaseManager(Device.cpu())) {
            PromptAnswer pa = QaFormatter.of(hf).format(e.question(), e.answer());
            assertTrue(pa.prompt().startsWith("<|im_start|>user\n") && pa.answer().endsWith("<|im_end|>\n"),
                    pa.toString());
            long[] expected = concat(new int[] {hf.bosId()}, hf.encode(pa.prompt()), hf.encode(pa.answer()));
            Batch batch = Batch.of(List.of(Encoded.of(tokenizer, e.question(), e.answer())), tokenizer, m);
            assertArrayEquals(expected, batch.inputs().toLongArray());
            float[] mask = batch.mask().toFloatArray();
            int prompt = hf.encode(pa.prompt()).length;
            for (int t = 0; t < mask.length; t++) {
                assertEquals(t >= prompt ? 1f : 0f, mask[t], "position " + t + ": only the answer is in the loss");
            }
        }
    }

    /**
     * IdK's, IdkPO's and FLAT's refusal replaces the answer as the answer is written: through the folder's chat
     * template, so it ends with the template's end of turn, not as bare text.
     */
    @Test
    void aRefusalIsEncodedAsAnAnswerThroughTheChatTemplate() {
        Dataset data = DATA.load(SEED);
        try (QaTokenizer tokenizer = HfModel.at(base).tokenizer(); HfTokenizer hf = HfTokenizer.fromFolder(base);
                CausalLm model = HfModel.at(base).load(Device.cpu()); CausalLm reference = model.frozenCopy()) {
            Map<Split, BatchStream> streams = Streams.perSplit("unlearn", SEED, data, tokenizer, 3,
                    model.spec().contextLength(), dev.lethe.data.Texts.ANSWERS, data.get(Split.FORGET), List.of());
            List<QaExample> forget = data.get(Split.FORGET);
            int[] checked = new int[1];
            try (NDScope scope = new NDScope()) {
                new StepContext(0, 1, model, () -> reference, streams, tokenizer, step -> {
                    float[] mask = step.refusalBatch(Split.FORGET).mask().toFloatArray();
                    long[] targets = step.refusalBatch(Split.FORGET).targets().toLongArray();
                    int time = (int) step.refusalBatch(Split.FORGET).targets().getShape().get(1);
                    int[] drawn = streams.get(Split.FORGET).lastIndices();
                    for (int r = 0; r < drawn.length; r++) {
                        QaExample e = forget.get(drawn[r]);
                        String refusal = dev.lethe.data.Refusals.forExample(drawn[r]);
                        PromptAnswer pa = QaFormatter.of(hf).format(e.question(), refusal);
                        assertTrue(pa.answer().endsWith("<|im_end|>\n"), pa.answer());
                        List<Long> answer = new ArrayList<>();
                        for (int t = 0; t < time; t++) {
                            if (mask[r * time + t] == 1f) {
                                answer.add(targets[r * time + t]);
                            }
                        }
                        int[] expected = hf.encode(pa.answer());
                        assertEquals(expected.length + 1, answer.size(), "the answer's tokens and <eos>, row " + r);
                        for (int t = 0; t < expected.length; t++) {
                            assertEquals(expected[t], answer.get(t).intValue(), "row " + r + ", token " + t);
                        }
                        assertNotEquals(expected.length, hf.encode(refusal).length, "bare text would differ");
                        checked[0]++;
                    }
                    return step.refusalScores(Split.FORGET).meanNll().mean();
                }).loss();
            }
            assertEquals(3, checked[0]);
        }
    }

    @Test
    void aTemplateThatWritesTheBosTokenGetsNoSecondOne() {
        QaExample e = DATA.load(SEED).get(Split.FORGET).get(0);
        try (HfTokenizer hf = HfTokenizer.fromFolder(base); NDManager m = NDManager.newBaseManager(Device.cpu())) {
            ChatTemplate withBos = ChatTemplate.of("{{ bos_token }}{% for message in messages %}{{ message['role'] "
                    + "+ ': ' + message['content'] + '\\n' }}{% endfor %}{% if add_generation_prompt %}"
                    + "{{ 'assistant: ' }}{% endif %}", Map.of("bos_token", "<|endoftext|>"));
            QaTokenizer tokenizer = new QaTokenizer(hf, QaFormatter.chat(withBos));
            String prompt = "<|endoftext|>user: " + e.question() + "\nassistant: ";
            assertEquals(hf.bosId(), hf.encode(prompt)[0], "the template's text starts with the bos token");
            Batch batch = Batch.of(List.of(Encoded.of(tokenizer, e.question(), e.answer())), tokenizer, m);
            long[] inputs = batch.inputs().toLongArray();
            long[] expected = concat(hf.encode(prompt), hf.encode(e.answer() + "\n"));
            assertArrayEquals(expected, inputs, "one bos, from the template");
            assertNotEquals(hf.bosId(), inputs[1]);
        }
    }

    @Test
    void aRecipeFileNamesTheFolderAndReadsBackExactly() {
        RecipeCodec codec = RecipeCodec.standard();
        // README's example, with this folder
        String text = "name: from-a-folder\nmodel: {hf: " + base + "}\ndata: {fictitious_facts: {people: 20}}\n"
                + "stages:\n  - finetune: {steps: 200, splits: [forget, retain]}\n"
                + "  - unlearn: {objective: npo, steps: 50}\n  - evaluate: {suites: [answers, tofu]}\n"
                + "  - save: {file: unlearned}\n";
        Recipe read = codec.read(text, "r.yaml");
        assertEquals(HfModel.at(base), read.model());
        assertTrue(((Save) read.stages().get(3)).folder());
        String written = codec.write(read);
        assertTrue(written.contains("hf: " + base), written);
        assertEquals(read, codec.read(written, "again.yaml"));
        assertEquals(written, codec.write(codec.read(written, "again.yaml")));
        Recipe java = recipe(base);
        assertEquals(java, codec.read(codec.write(java), "java.yaml"));
    }

    @Test
    void aMissingOrBrokenFolderIsReportedNamingTheField(@TempDir Path tmp) throws IOException {
        assertEquals("model.hf: the model folder " + tmp.resolve("none") + " does not exist; hf: DIR names a Hugging "
                + "Face model folder (config.json, model.safetensors, tokenizer.json)", problem(tmp.resolve("none")));
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertEquals("model.hf: the model folder " + empty + " has no config.json; a Hugging Face model folder holds "
                + "config.json, the weights and the tokenizer files", problem(empty));
        Path unknown = Files.createDirectory(tmp.resolve("unknown"));
        Files.writeString(unknown.resolve("config.json"), "{\"model_type\": \"bert\"}");
        String message = problem(unknown);
        assertTrue(message.startsWith("model.hf: ") && message.contains("model_type") && message.contains("llama"),
                message);
        Path noTokenizer = copy(base, tmp.resolve("no-tokenizer"));
        Files.delete(noTokenizer.resolve("tokenizer.json"));
        assertEquals("model.hf: " + noTokenizer + " has no tokenizer.json; a model folder needs the tokenizer it was "
                + "trained with", problem(noTokenizer));
    }

    private static String problem(Path folder) {
        return assertThrows(IllegalArgumentException.class, () -> Preflight.checked(recipe(folder))).getMessage();
    }

    @Test
    void theCacheKeysOnTheFoldersContentNotItsPath(@TempDir Path tmp) throws IOException {
        Path cache = tmp.resolve("cache");
        assertEquals(List.of(false), finetuneCached(base, cache));
        assertEquals(List.of(true), finetuneCached(base, cache), "the same folder: the finetuned model is reused");
        Path moved = copy(base, tmp.resolve("elsewhere/copy"));
        assertEquals(List.of(true), finetuneCached(moved, cache), "a copy elsewhere: the same key");
        flipLastByte(moved.resolve("model.safetensors"));
        assertEquals(List.of(false), finetuneCached(moved, cache), "one weight byte changed: another key");

        List<Path> files = HfModel.at(base).files();
        assertEquals(List.of("config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
                "tokenizer_config.json"), files.stream().map(Path::toString).toList());
        Path again = copy(base, tmp.resolve("again"));
        assertEquals(ContentHash.files(base, files), ContentHash.files(again, HfModel.at(again).files()));
        assertNotEquals(ContentHash.files(base, files), ContentHash.files(moved, HfModel.at(moved).files()));
    }

    @Test
    void provenanceCarriesTheFoldersContentHash(@TempDir Path tmp) throws IOException {
        Path copy = copy(base, tmp.resolve("copy"));
        Provenance a = Provenance.of(recipe(base), "yaml");
        Provenance b = Provenance.of(recipe(copy), "yaml");
        assertEquals(a.modelHash(), b.modelHash());
        assertEquals(a.hash(), b.hash(), "the same recipe text and folder content");
        flipLastByte(copy.resolve("model.safetensors"));
        Provenance c = Provenance.of(recipe(copy), "yaml");
        assertNotEquals(a.modelHash(), c.modelHash());
        assertNotEquals(a.hash(), c.hash());
        assertTrue(a.json().contains("\"model_hash\" : \"" + a.modelHash() + "\""), a.json());
    }

    private static List<Boolean> finetuneCached(Path model, Path cache) {
        Recipe r = Lethe.recipe("hf").model(HfModel.at(model)).data(DATA)
                .finetune(Training.of(2).batchSize(4), Split.FORGET, Split.RETAIN)
                .evaluate(new Evaluation(List.of(Suites.answers()), List.of(Split.FORGET))).seed(SEED).build();
        return Runner.of(r).cache(cache).run().events().stream()
                .filter(e -> e instanceof RunEvent.StageFinished f && f.stage().equals("finetune"))
                .map(e -> ((RunEvent.StageFinished) e).cached()).toList();
    }

    @Test
    void aRunKilledPartWayContinuesFromItsCheckpointsToTheSameMetrics(@TempDir Path checkpoints) {
        Recipe r = recipe(base);
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
    void saveWritesAFolderThatLoadsBackToTheSameLogitsAndMetrics(@TempDir Path out) throws IOException {
        Recipe r = Lethe.recipe("hf").model(HfModel.at(base)).data(DATA)
                .finetune(Training.of(4).batchSize(4), Split.FORGET, Split.RETAIN)
                .unlearn(Unlearning.of(Objectives.npo()).steps(2).batchSize(2)).save("unlearned")
                .save("unlearned.safetensors")
                .evaluate(new Evaluation(List.of(Suites.answers()), List.of(Split.FORGET))).seed(SEED).build();
        RunResult result = Runner.of(r).noCache().saveTo(out).run();
        Path saved = out.resolve("unlearned");
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                "generation_config.json")) {
            assertTrue(Files.isRegularFile(saved.resolve(f)), f);
        }
        assertEquals(Files.readString(base.resolve("tokenizer_config.json")),
                Files.readString(saved.resolve("tokenizer_config.json")));
        try (CausalLm folder = HfFolder.loadModel(saved, Device.cpu());
                CausalLm file = CausalLm.load(out.resolve("unlearned.safetensors"), HfModel.at(base).spec(),
                        Device.cpu())) {
            float[] a = logits(folder);
            float[] b = logits(file);
            double delta = 0;
            for (int i = 0; i < a.length; i++) {
                delta = Math.max(delta, Math.abs(a[i] - b[i]));
            }
            System.out.println("hf recipe: saved folder against the run's model, max |Δlogit| " + delta);
            assertTrue(delta <= 1e-6, "max |Δlogit| " + delta);
        }
        Recipe reread = Lethe.recipe("hf").model(HfModel.at(saved)).data(DATA)
                .finetune(Training.of(0), Split.FORGET)
                .evaluate(new Evaluation(List.of(Suites.answers()), List.of(Split.FORGET))).seed(SEED).build();
        assertEquals(result.value("unlearned", Split.FORGET, "nll"),
                Runner.of(reread).noCache().run().value("finetuned", Split.FORGET, "nll"), 1e-6,
                "the saved folder, read as a recipe's model, measures as the unlearned model did");
    }

    private static float[] logits(CausalLm model) {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray tokens = m.create(new long[] {0, 1, 17, 200, 45, 3, 99, 250, 2, 120}, new Shape(1, 10));
            return model.forward(tokens).logits().toFloatArray();
        }
    }

    private static long[] concat(int[]... parts) {
        return Stream.of(parts).flatMapToInt(java.util.Arrays::stream).asLongStream().toArray();
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
