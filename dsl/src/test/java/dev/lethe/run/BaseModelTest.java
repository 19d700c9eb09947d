package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.data.Dataset;
import dev.lethe.data.Encoded;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.eval.AnswerScorer;
import dev.lethe.eval.TokenLogProbs;
import dev.lethe.model.CausalLm;
import dev.lethe.model.ChatMlTokenizer;
import dev.lethe.model.Generation;
import dev.lethe.model.Generator;
import dev.lethe.model.HfFolder;
import dev.lethe.model.HfTokenizer;
import dev.lethe.model.LlamaConfig;
import dev.lethe.model.PromptAnswer;
import dev.lethe.model.QaFormatter;
import dev.lethe.model.ReferencePython;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.Optimizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offline base model and the whole pretrained path on a tiny one: pretrain → load the Hugging Face folder with
 * its tokenizer and chat template → finetune on the forget and retain question-answer pairs formatted by the
 * template → unlearn the forget split with NPO plus retain NLL → evaluate (answer likelihood through
 * {@link AnswerScorer}, exact match of KV-cached greedy generation) → save → load again (identical logits),
 * and transformers reads both folders to Lethe's logits (the latter parts skipped without the reference venv).
 */
class BaseModelTest {
    private static final FictitiousFacts DATA = FictitiousFacts.of(10, 0.2).withFactsPerPerson(3);
    private static final long SEED = 7;
    private static final long[] TOKENS = {0, 1, 17, 200, 45, 3, 99, 250, 2, 120, 64, 7};
    @TempDir
    static Path dir;
    private static Path base;

    static BaseModel.Options tiny() {
        return BaseModel.Options.defaults().withCorpus(DATA, 100).withShape(300, 48, 2).withSteps(60).withSeed(SEED);
    }

    @BeforeAll
    static void pretrain() {
        base = BaseModel.pretrain(dir.resolve("base"), tiny());
    }

    @Test
    void writesAHuggingFaceFolderOfATiedLlamaWithAChatMlTokenizer() throws IOException {
        assertEquals(List.of("config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
                "tokenizer_config.json"), files(base));
        JsonNode config = new ObjectMapper().readTree(base.resolve("config.json").toFile());
        assertEquals("llama", config.get("model_type").asText());
        assertEquals(300, config.get("vocab_size").asInt());
        assertTrue(config.get("tie_word_embeddings").asBoolean());
        try (HfFolder.Pretrained p = HfFolder.load(base, Device.cpu());
                HfTokenizer tokenizer = HfTokenizer.fromFolder(base)) {
            LlamaConfig spec = (LlamaConfig) p.model().spec();
            assertEquals(List.of(48, 2, 4, 2), List.of(spec.hidden(), spec.layers(), spec.heads(), spec.kvHeads()));
            assertEquals(300, tokenizer.vocabSize());
            assertEquals(List.of(0, 2), tokenizer.stopIds());
            assertTrue(QaFormatter.of(tokenizer).usesChatTemplate());
        }
    }

    @Test
    void pretrainingLowersTheCorpusLoss() {
        try (HfFolder.Pretrained p = HfFolder.load(base, Device.cpu());
                HfTokenizer tokenizer = HfTokenizer.fromFolder(base);
                CausalLm untrained = CausalLm.initialize(p.model().spec(), Seeds.derive(SEED, "base.init"),
                        Device.cpu())) {
            List<String> passages = DATA.load(SEED).passages(Split.RETAIN).stream().map(x -> x.text()).toList();
            List<String> empty = passages.stream().map(x -> "").toList();
            double before = meanNll(new AnswerScorer(untrained, tokenizer, 16).score(empty, passages));
            double after = meanNll(new AnswerScorer(p.model(), tokenizer, 16).score(empty, passages));
            assertTrue(before > 5 && after < before - 1.5, "passage NLL " + before + " → " + after);
        }
    }

    @Test
    void theSameOptionsWriteTheSameFolderByteForByte() throws IOException {
        Path once = BaseModel.pretrain(dir.resolve("once"), tiny().withSteps(3));
        Path again = BaseModel.pretrain(dir.resolve("again"), tiny().withSteps(3));
        for (String f : files(once)) {
            assertArrayEquals(Files.readAllBytes(once.resolve(f)), Files.readAllBytes(again.resolve(f)), f);
        }
        Path other = BaseModel.pretrain(dir.resolve("other"), tiny().withSteps(3).withSeed(SEED + 1));
        assertTrue(!Arrays.equals(Files.readAllBytes(once.resolve("model.safetensors")),
                Files.readAllBytes(other.resolve("model.safetensors"))),
                "another seed, other weights");
    }

    @Test
    void aFailedPretrainingLeavesNoFolder(@TempDir Path empty) throws IOException {
        BaseModel.Options shortContext = new BaseModel.Options(DATA, 10, 300, 16, 48, 1, 4, 2, 8, 1, 4, 1e-3, SEED,
                Device.cpu());
        String message = assertThrows(IllegalArgumentException.class, () -> BaseModel.pretrain(empty.resolve("base"),
                shortContext)).getMessage();
        assertTrue(message.contains("more than maxPositions - 1 = 7"), message);
        assertEquals(List.of(), files(empty), "neither the folder nor its partial twin is left");
        BaseModel.Options badShape = new BaseModel.Options(DATA, 10, 300, 18, 48, 1, 4, 2, 64, 1, 4, 1e-3, SEED,
                Device.cpu());
        assertThrows(IllegalArgumentException.class, () -> BaseModel.pretrain(empty.resolve("base"), badShape));
        assertEquals(List.of(), files(empty));
    }

    @Test
    void refusesAFolderThatIsNotEmpty() {
        String message = assertThrows(IllegalArgumentException.class, () -> BaseModel.pretrain(base, tiny()))
                .getMessage();
        assertTrue(message.contains("is not empty"), message);
    }

    @Test
    void finetuneUnlearnSaveAndLoadAgain() throws IOException {
        Dataset data = DATA.load(SEED);
        List<QaExample> forget = data.get(Split.FORGET);
        List<QaExample> retain = data.get(Split.RETAIN);
        Path saved = dir.resolve("unlearned");
        float[] ours;
        try (HfFolder.Pretrained p = HfFolder.load(base, Device.cpu());
                HfTokenizer tokenizer = HfTokenizer.fromFolder(base)) {
            CausalLm model = p.model();
            QaFormatter format = QaFormatter.of(tokenizer);
            List<PromptAnswer> f = formatted(format, forget);
            List<PromptAnswer> r = formatted(format, retain);
            assertTrue(f.get(0).prompt().startsWith("<|im_start|>user\n")
                    && f.get(0).answer().endsWith("<|im_end|>\n"), f.get(0).toString());
            double[] base0 = {meanLogProb(model, tokenizer, f), meanLogProb(model, tokenizer, r)};

            new DirectTraining(tokenizer, Objectives.nll(Split.FORGET, Split.RETAIN), Optimizers.adamW(5e-3), 8, 120,
                    SEED).train(model, Map.of(Split.FORGET, encoded(tokenizer, f), Split.RETAIN, encoded(tokenizer, r)),
                    null);
            double[] tuned = {meanLogProb(model, tokenizer, f), meanLogProb(model, tokenizer, r)};
            double[] tunedMatch = {exactMatch(model, tokenizer, f), exactMatch(model, tokenizer, r)};
            try (CausalLm reference = model.frozenCopy()) {
                // NPO with a heavy retain term: forget and retain answers share their frames and values here
                new DirectTraining(tokenizer, Objectives.npo(0.1).plus(Objectives.nll(Split.RETAIN).times(8)),
                        Optimizers.adamW(1e-3), 8, 25, SEED + 1).train(model, Map.of(Split.FORGET,
                        encoded(tokenizer, f), Split.RETAIN, encoded(tokenizer, r)), reference);
            }
            double[] unlearned = {meanLogProb(model, tokenizer, f), meanLogProb(model, tokenizer, r)};
            double[] unlearnedMatch = {exactMatch(model, tokenizer, f), exactMatch(model, tokenizer, r)};
            String figures = String.format("answer log-prob per token (forget, retain): base %s, finetuned %s, "
                    + "unlearned %s; exact match: finetuned %s, unlearned %s", Arrays.toString(base0),
                    Arrays.toString(tuned), Arrays.toString(unlearned), Arrays.toString(tunedMatch),
                    Arrays.toString(unlearnedMatch));
            System.out.println("pretrained path: " + figures);
            assertTrue(tuned[0] > base0[0] + 1 && tuned[1] > base0[1] + 1, "finetuning raises answer likelihood: "
                    + figures);
            assertTrue(tunedMatch[0] >= 0.6 && tunedMatch[1] >= 0.6, "finetuning teaches the answers: " + figures);
            double forgetDrop = tuned[0] - unlearned[0];
            double retainDrop = tuned[1] - unlearned[1];
            assertTrue(forgetDrop > 1 && forgetDrop > 5 * Math.max(retainDrop, 0.05), "unlearning lowers forget "
                    + "likelihood much more than retain: " + figures);
            assertTrue(unlearnedMatch[0] <= tunedMatch[0] - 0.5 && unlearnedMatch[1] >= 0.5,
                    "unlearning removes forget answers and keeps most retain ones: " + figures);

            HfFolder.save(saved, model, tokenizer, HfFolder.SaveOptions.defaults().withSource(base));
            ours = logits(model);
        }
        assertEquals(files(base), files(saved));
        try (HfFolder.Pretrained again = HfFolder.load(saved, Device.cpu())) {
            assertArrayEquals(ours, logits(again.model()), "load → save → load gives identical logits");
        }
        assertEquals(Files.readString(base.resolve("tokenizer_config.json")),
                Files.readString(saved.resolve("tokenizer_config.json")));
        double delta = maxDelta(transformersLogits(saved), ours);
        System.out.println("pretrained path: transformers reads the unlearned folder, max |Δlogit| " + delta);
        assertTrue(delta <= 1e-5, "max |Δlogit| " + delta);
    }

    @Test
    void transformersReadsTheBaseFolderToTheSameLogits() throws IOException {
        float[] ours;
        try (HfFolder.Pretrained p = HfFolder.load(base, Device.cpu())) {
            ours = logits(p.model());
        }
        double delta = maxDelta(transformersLogits(base), ours);
        System.out.println("base model: transformers max |Δlogit| " + delta);
        assertTrue(delta <= 1e-5, "max |Δlogit| " + delta);
    }

    private static List<PromptAnswer> formatted(QaFormatter format, List<QaExample> examples) {
        return examples.stream().map(e -> format.format(e.question(), e.answer())).toList();
    }

    private static List<Encoded> encoded(HfTokenizer tokenizer, List<PromptAnswer> pairs) {
        return pairs.stream().map(pa -> Encoded.of(tokenizer, pa.prompt(), pa.answer())).toList();
    }

    /** The mean over examples of the mean log-probability per answer token (the closing eos included). */
    private static double meanLogProb(CausalLm model, HfTokenizer tokenizer, List<PromptAnswer> pairs) {
        return -meanNll(new AnswerScorer(model, tokenizer, 32).score(pairs.stream().map(PromptAnswer::prompt).toList(),
                pairs.stream().map(PromptAnswer::answer).toList()));
    }

    private static double meanNll(List<TokenLogProbs> scores) {
        return scores.stream().mapToDouble(TokenLogProbs::meanNll).average().orElseThrow();
    }

    /**
     * The share of prompts whose greedy continuation ({@link Generator}, KV-cached, stopping at the folder's stop
     * ids) is the answer's text before its end of message.
     */
    private static double exactMatch(CausalLm model, HfTokenizer tokenizer, List<PromptAnswer> pairs) {
        List<int[]> prompts = new ArrayList<>();
        for (PromptAnswer pa : pairs) {
            int[] ids = tokenizer.encode(pa.prompt());
            int[] withBos = new int[ids.length + 1];
            withBos[0] = tokenizer.bosId();
            System.arraycopy(ids, 0, withBos, 1, ids.length);
            prompts.add(withBos);
        }
        List<int[]> out = new Generator(model).generate(prompts, Generation.greedy(16)
                .withEos(tokenizer.stopIds().stream().mapToInt(Integer::intValue).toArray()));
        int hits = 0;
        for (int i = 0; i < pairs.size(); i++) {
            String answer = pairs.get(i).answer().replace(ChatMlTokenizer.END_OF_MESSAGE, "").strip();
            hits += tokenizer.decode(out.get(i)).strip().equals(answer) ? 1 : 0;
        }
        return hits / (double) pairs.size();
    }

    private static float[] logits(CausalLm model) {
        try (NDScope scope = new NDScope()) {
            return model.forward(model.manager().create(TOKENS, new Shape(1, TOKENS.length))).logits().toFloatArray();
        }
    }

    private static float[] transformersLogits(Path folder) throws IOException {
        Path out = dir.resolve(folder.getFileName() + "-logits.json");
        ReferencePython.run("hf_reference.py", 300, "logits", "--model", folder.toString(), "--tokens",
                String.join(",", Arrays.stream(TOKENS).mapToObj(Long::toString).toList()), "--out",
                out.toString());
        List<Float> values = new ArrayList<>();
        new ObjectMapper().readTree(out.toFile()).get("logits").get(0)
                .forEach(row -> row.forEach(v -> values.add((float) v.asDouble())));
        float[] a = new float[values.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = values.get(i);
        }
        return a;
    }

    private static double maxDelta(float[] theirs, float[] ours) {
        assertEquals(ours.length, theirs.length);
        double max = 0;
        for (int i = 0; i < ours.length; i++) {
            max = Math.max(max, Math.abs(theirs[i] - ours[i]));
        }
        return max;
    }

    private static List<String> files(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(x -> x.getFileName().toString()).sorted().toList();
        }
    }
}
