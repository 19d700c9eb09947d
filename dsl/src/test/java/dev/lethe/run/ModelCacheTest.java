package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.JsonlData;
import dev.lethe.data.Split;
import dev.lethe.data.Texts;
import dev.lethe.model.GptConfig;
import dev.lethe.objective.Objectives;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Continual;
import dev.lethe.spec.Finetune;
import dev.lethe.spec.Learn;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Reference;
import dev.lethe.spec.Stage;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCacheTest {
    private static final GptConfig TINY = new GptConfig(0, 1, 16, 2, 32, 0f);

    private static Recipe onFolder(Path data) {
        return Lethe.recipe("cache")
                .model(TINY)
                .data(new JsonlData(data))
                .learn(Training.of(6).batchSize(4))
                .reference(Training.of(6).batchSize(4))
                .unlearn(Unlearning.of(Objectives.gradientAscent()).steps(1).batchSize(2))
                .seed(3)
                .build();
    }

    /** Which training stages came from the cache, by stage name. */
    private static Map<String, Boolean> cached(Recipe recipe, Path cache) {
        List<RunEvent> events = new ArrayList<>();
        Runner.of(recipe).cache(cache).listener(events::add).run();
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (RunEvent e : events) {
            if (e instanceof RunEvent.StageFinished f && List.of("learn", "reference", "finetune").contains(f.stage())) {
                out.put(f.stage(), f.cached());
            }
        }
        return out;
    }

    @Test
    void swappingTheForgetAndRetainFilesTrainsLearnAndReferenceAgain(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        new FictitiousFacts(6, 0.34, 1, 2, 1, 1).load(1).writeTo(data);
        Path cache = tmp.resolve("cache");
        assertEquals(Map.of("learn", false, "reference", false), cached(onFolder(data), cache));
        assertEquals(Map.of("learn", true, "reference", true), cached(onFolder(data), cache),
                "the same data again: both from the cache");

        Files.move(data.resolve("forget.jsonl"), tmp.resolve("swap.jsonl"));
        Files.move(data.resolve("retain.jsonl"), data.resolve("forget.jsonl"));
        Files.move(tmp.resolve("swap.jsonl"), data.resolve("retain.jsonl"));
        assertEquals(Map.of("learn", false, "reference", false), cached(onFolder(data), cache),
                "the reference trains on retain, which now holds other examples; learn samples each split apart");
    }

    @Test
    void movingTheDataFolderKeepsTheCachedModels(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        new FictitiousFacts(6, 0.34, 1, 2, 1, 1).load(1).writeTo(data);
        Path cache = tmp.resolve("cache");
        cached(onFolder(data), cache);
        Path moved = Files.move(data, tmp.resolve("elsewhere"));
        assertEquals(Map.of("learn", true, "reference", true), cached(onFolder(moved), cache),
                "the same examples in another folder: the key holds their content, not their path");
    }

    @Test
    void aCorruptCacheEntryIsTrainedAgainAndRewritten(@TempDir Path tmp) throws Exception {
        Path cache = tmp.resolve("cache");
        Recipe recipe = generated(6);
        cached(recipe, cache);
        List<Path> entries;
        try (var files = Files.list(cache)) {
            entries = files.sorted().toList();
        }
        assertEquals(2, entries.size(), "learned and reference, nothing else (no temporary files): " + entries);
        byte[] whole = Files.readAllBytes(entries.get(0));
        Files.write(entries.get(0), java.util.Arrays.copyOf(whole, whole.length / 3));
        Files.writeString(entries.get(1), "not a safetensors file");
        assertEquals(Map.of("learn", false, "reference", false), cached(recipe, cache), "unreadable entries are misses");
        assertEquals(whole.length, Files.size(entries.get(0)), "and rewritten whole");
        assertEquals(Map.of("learn", true, "reference", true), cached(recipe, cache));
    }

    @Test
    void aFinetuneIsCachedUnderTheWeightsItStartedFrom(@TempDir Path tmp) {
        Path cache = tmp.resolve("cache");
        assertEquals(Map.of("learn", false, "reference", false, "finetune", false),
                cached(withFinetune(generated(6)), cache));
        assertEquals(Map.of("learn", true, "reference", true, "finetune", true),
                cached(withFinetune(generated(6)), cache));
        assertEquals(Map.of("learn", false, "reference", true, "finetune", false),
                cached(withFinetune(generated(7)), cache),
                "another learned model: the finetune starting from it trains again");
    }

    @Test
    void aStageEvaluatedContinuallyIsTrainedForItsCurve(@TempDir Path tmp) {
        Path cache = tmp.resolve("cache");
        Recipe continual = Lethe.recipe("cache")
                .model(TINY)
                .data(new FictitiousFacts(6, 0.34, 1, 2, 1, 1))
                .stage(new Learn(Training.of(6).batchSize(4), List.of(Split.FORGET, Split.RETAIN), Texts.BOTH,
                        Continual.every(3)))
                .seed(3)
                .build();
        cached(continual, cache);
        List<RunEvent> events = new ArrayList<>();
        RunResult again = Runner.of(continual).cache(cache).listener(events::add).run();
        assertFalse(events.stream().anyMatch(e -> e instanceof RunEvent.StageFinished f && f.cached()));
        assertTrue(again.rows().stream().anyMatch(r -> r.stage().equals("learn") && r.step() == 6),
                "the learn curve is there the second time too");
    }

    private static Recipe generated(long learnSteps) {
        return Lethe.recipe("cache")
                .model(TINY)
                .data(new FictitiousFacts(6, 0.34, 1, 2, 1, 1))
                .learn(Training.of(learnSteps).batchSize(4))
                .reference(Training.of(6).batchSize(4))
                .seed(3)
                .build();
    }

    private static Recipe withFinetune(Recipe r) {
        List<Stage> stages = new ArrayList<>(r.stages());
        stages.add(stages.size() - 1, Finetune.of(Training.of(3).batchSize(4), Split.RETAIN));
        return r.withStages(stages);
    }

    @Test
    void theDefaultCacheIsOnAndTheFacadeAndARunnerUseItUnlessTurnedOff(@TempDir Path tmp) {
        String before = System.getProperty(ModelCache.PROPERTY);
        System.setProperty(ModelCache.PROPERTY, tmp.resolve("default").toString());
        try {
            assertEquals(tmp.resolve("default"), Runner.defaultCache());
            Recipe recipe = generated(6);
            assertEquals(Map.of("learn", false, "reference", false), defaultRun(recipe, Runner.of(recipe)));
            assertEquals(Map.of("learn", true, "reference", true), defaultRun(recipe, Runner.of(recipe)),
                    "a runner without options reuses what the first run trained");
            List<RunEvent> events = new ArrayList<>();
            Lethe.run(recipe, events::add);
            assertTrue(events.stream().anyMatch(e -> e instanceof RunEvent.StageFinished f && f.cached()),
                    "so does the facade (recipe.run() in a notebook)");
            assertEquals(Map.of("learn", false, "reference", false), defaultRun(recipe, Runner.of(recipe).noCache()));
            assertEquals(Map.of("learn", false, "reference", false), defaultRun(recipe, Lethe.runner(recipe).noCache()));
        } finally {
            if (before == null) {
                System.clearProperty(ModelCache.PROPERTY);
            } else {
                System.setProperty(ModelCache.PROPERTY, before);
            }
        }
    }

    @Test
    void theDefaultFolderIsThePropertyElseTheVariableElseTheHomeCacheAndOffTurnsItOff() {
        Map<String, String> env = Map.of(ModelCache.VARIABLE, "/var/models");
        assertEquals(Path.of("/p"), ModelCache.defaultDir("/p", env, "/home/u"));
        assertEquals(Path.of("/var/models"), ModelCache.defaultDir(null, env, "/home/u"));
        assertEquals(Path.of("/home/u/.cache/lethe/models"), ModelCache.defaultDir(null, Map.of(), "/home/u"));
        assertEquals(null, ModelCache.defaultDir("off", env, "/home/u"));
        assertEquals(null, ModelCache.defaultDir(null, Map.of(ModelCache.VARIABLE, "off"), "/home/u"));
        assertEquals(Path.of("/var/models"), ModelCache.defaultDir("", env, "/home/u"), "an empty property is unset");
    }

    @Test
    void testsDoNotTouchTheUsersCache() {
        assertEquals(null, Runner.defaultCache(), "the build turns the default cache off in test JVMs (pom.xml)");
    }

    private static Map<String, Boolean> defaultRun(Recipe recipe, Runner runner) {
        List<RunEvent> events = new ArrayList<>();
        runner.listener(events::add).run();
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (RunEvent e : events) {
            if (e instanceof RunEvent.StageFinished f && List.of("learn", "reference").contains(f.stage())) {
                out.put(f.stage(), f.cached());
            }
        }
        return out;
    }

    @Test
    void aCacheThatCannotBeWrittenDoesNotFailTheRun(@TempDir Path tmp) throws Exception {
        Path notADirectory = Files.writeString(tmp.resolve("cache"), "a file where the cache folder would be");
        Recipe recipe = generated(6);
        RunResult result = Runner.of(recipe).cache(notADirectory).run();
        assertTrue(result.stopReasons().isEmpty());
        assertEquals(Runner.of(recipe).noCache().run().table().doubleColumn("value").asList(),
                result.table().doubleColumn("value").asList(), "the models it trained are those of a run without a cache");
        assertEquals("a file where the cache folder would be", Files.readString(notADirectory));
    }

    @Test
    void aNewWordInASplitNoStageTrainsOnChangesTheVocabularyAndSoTheKey(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        new FictitiousFacts(6, 0.34, 1, 2, 1, 1).load(1).writeTo(data);
        Path cache = tmp.resolve("cache");
        cached(onFolder(data), cache);
        Path holdout = data.resolve("holdout.jsonl");
        Files.writeString(holdout, Files.readString(holdout).replaceFirst("\\?\"", " zyzzyva?\""));
        assertEquals(Map.of("learn", false, "reference", false), cached(onFolder(data), cache),
                "no stage trains on holdout, but its new word shifts the token ids the models were trained with");
    }

    @Test
    void variantsThatDifferAfterLearnAndReferenceShareThem(@TempDir Path tmp) {
        Path cache = tmp.resolve("cache");
        Recipe npo = generated(6).withStages(List.of(Learn.of(Training.of(6).batchSize(4)),
                Reference.of(Training.of(6).batchSize(4)), Unlearning.of(Objectives.npo()).withSteps(1)));
        cached(npo, cache);
        Recipe simNpo = npo.withStage("unlearn", Unlearning.class, u -> u.withObjective(Objectives.simNpo()));
        assertEquals(Map.of("learn", true, "reference", true), cached(simNpo, cache));
    }
}
