package dev.lethe.recipe;

import dev.lethe.Attacking;
import dev.lethe.Continual;
import dev.lethe.Evaluation;
import dev.lethe.Finetune;
import dev.lethe.Learn;
import dev.lethe.Reference;
import dev.lethe.Relearning;
import dev.lethe.Save;
import dev.lethe.Stage;
import dev.lethe.Recipe;
import dev.lethe.Training;
import dev.lethe.Unlearning;
import dev.lethe.adapter.Lora;
import dev.lethe.adapter.LoraTarget;
import dev.lethe.attack.Attack;
import dev.lethe.attack.Attacks;
import dev.lethe.data.DataSource;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.JsonlData;
import dev.lethe.data.Split;
import dev.lethe.data.Texts;
import dev.lethe.eval.AnswerSuite;
import dev.lethe.eval.MultipleChoiceSuite;
import dev.lethe.eval.MuseSuite;
import dev.lethe.eval.PrivacySuite;
import dev.lethe.eval.Suite;
import dev.lethe.eval.TofuSuite;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Precision;
import dev.lethe.objective.CatnipStyle;
import dev.lethe.objective.CombinedObjective;
import dev.lethe.objective.ConceptCorrection;
import dev.lethe.objective.Dpo;
import dev.lethe.objective.Flat;
import dev.lethe.objective.GradDiff;
import dev.lethe.objective.GradientAscent;
import dev.lethe.objective.Idk;
import dev.lethe.objective.InvertedHinge;
import dev.lethe.objective.KlRetain;
import dev.lethe.objective.Nll;
import dev.lethe.objective.Npo;
import dev.lethe.objective.Objective;
import dev.lethe.objective.Objectives;
import dev.lethe.objective.Rmu;
import dev.lethe.objective.SimNpo;
import dev.lethe.optim.AddDecayedWeights;
import dev.lethe.optim.ClipByGlobalNorm;
import dev.lethe.optim.ConflictProjection;
import dev.lethe.optim.Estimator;
import dev.lethe.optim.FirstOrder;
import dev.lethe.optim.FreezeExcept;
import dev.lethe.optim.GradientCombiner;
import dev.lethe.optim.Hybrid;
import dev.lethe.optim.Optimizer;
import dev.lethe.optim.Sam;
import dev.lethe.optim.ScaleByAdam;
import dev.lethe.optim.ScaleByLearningRate;
import dev.lethe.optim.ScaleBySign;
import dev.lethe.optim.ScaleBySnr;
import dev.lethe.optim.Schedule;
import dev.lethe.optim.Schedules;
import dev.lethe.optim.Spsa;
import dev.lethe.optim.StableUn;
import dev.lethe.optim.TraceMomentum;
import dev.lethe.optim.Transform;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Random valid recipes built from every built-in part, for the property tests. */
final class RandomRecipes {
    private final Random random;

    RandomRecipes(long seed) {
        this.random = new Random(seed);
    }

    Recipe recipe() {
        int heads = 1 + random.nextInt(4);
        GptConfig model = new GptConfig(random.nextBoolean() ? 0 : 2 + random.nextInt(500), 1 + random.nextInt(4),
                heads * (1 + random.nextInt(16)), heads, 1 + random.nextInt(64), random.nextInt(5) / 10f,
                GptConfig.Activation.values()[random.nextInt(2)]);
        List<Stage> stages = new ArrayList<>();
        List<String> models = new ArrayList<>();
        for (int i = 1 + random.nextInt(6); i > 0; i--) {
            Stage stage = stage(models);
            stages.add(stage);
            if (stage.produces() != null) {
                models.add(stage.produces());
            }
        }
        return new Recipe(word(), random.nextLong(), random.nextBoolean() ? "cpu" : "gpu:" + random.nextInt(4), model,
                data(), stages);
    }

    /** Any kind of stage; a reference starts from scratch or from a model in {@code models}, made before it. */
    private Stage stage(List<String> models) {
        return switch (random.nextInt(8)) {
            case 0 -> new Learn(training(), splits(), texts(), continual());
            case 1 -> new Finetune(training(), splits(), texts(), continual());
            case 2 -> new Reference(training(), splits(), texts(), models.isEmpty() || random.nextBoolean()
                    ? Reference.SCRATCH : models.get(random.nextInt(models.size())), continual());
            case 3 -> unlearning();
            case 4 -> new Relearning(random.nextInt(50), 1 + random.nextInt(10), positive(), continual());
            case 5 -> attacking();
            case 6 -> new Save(word() + "/" + word() + ".safetensors");
            default -> evaluation();
        };
    }

    private Attacking attacking() {
        Map<String, Attack> byName = new LinkedHashMap<>();
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
            Attack a = attack();
            byName.putIfAbsent(a.name(), a);
        }
        return new Attacking(List.copyOf(byName.values()), continual());
    }

    private List<Split> splits() {
        List<Split> all = new ArrayList<>(List.of(Split.values()));
        Collections.shuffle(all, random);
        return all.subList(0, 1 + random.nextInt(all.size()));
    }

    private Texts texts() {
        return Texts.values()[random.nextInt(Texts.values().length)];
    }

    private @Nullable Continual continual() {
        if (random.nextBoolean()) {
            return null;
        }
        Evaluation e = evaluation();
        return new Continual(1 + random.nextInt(50), e.suites(), e.splits());
    }

    /** Float16 only without adapters, which it does not support. */
    private Unlearning unlearning() {
        @Nullable Lora adapters = random.nextBoolean() ? null : lora();
        return new Unlearning(objective(3), optimizer(), random.nextInt(500), 1 + random.nextInt(64),
                1 + random.nextInt(3), adapters, random.nextBoolean() ? Double.POSITIVE_INFINITY : positive(),
                texts(), adapters == null && random.nextBoolean() ? Precision.FLOAT16 : Precision.FLOAT32, continual());
    }

    private Lora lora() {
        List<LoraTarget> targets = new ArrayList<>(List.of(LoraTarget.values()));
        Collections.shuffle(targets, random);
        Lora l = new Lora(1 + random.nextInt(16), positive(), Set.copyOf(targets.subList(0, 1 + random.nextInt(4))),
                Lora.Init.values()[random.nextInt(2)]);
        return random.nextBoolean() ? l : Lora.rank(l.rank());
    }

    private String word() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1 + random.nextInt(10); i > 0; i--) {
            sb.append((char) ('a' + random.nextInt(26)));
        }
        return sb.toString();
    }

    private double unit() {
        return random.nextInt(1000) / 1000.0;
    }

    private double positive() {
        return (1 + random.nextInt(10_000)) / 1000.0;
    }

    private Split split() {
        return Split.values()[random.nextInt(4)];
    }

    private DataSource data() {
        return random.nextInt(3) == 0 ? new JsonlData(Path.of("data", word()))
                : new FictitiousFacts(2 + random.nextInt(100), 0.05 + 0.9 * unit(), random.nextInt(20),
                        1 + random.nextInt(6), random.nextInt(30));
    }

    private Training training() {
        return new Training(random.nextInt(2000), 1 + random.nextInt(64), optimizer());
    }

    private Evaluation evaluation() {
        List<Suite> suites = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            int b = 1 + random.nextInt(128);
            suites.add(switch (random.nextInt(5)) {
                case 0 -> new AnswerSuite(b);
                case 1 -> new TofuSuite(b, 1 + random.nextInt(32));
                case 2 -> new MuseSuite(b, 1 + random.nextInt(8), 1 + random.nextInt(32));
                case 3 -> new MultipleChoiceSuite(b);
                default -> new PrivacySuite(b);
            });
        }
        List<Split> splits = new ArrayList<>();
        for (int i = random.nextInt(5); i > 0; i--) {
            splits.add(split());
        }
        return new Evaluation(suites, splits);
    }

    private Attack attack() {
        return switch (random.nextInt(5)) {
            case 0 -> Attacks.quantize(2 + random.nextInt(15));
            case 1 -> Attacks.prune(unit());
            case 2 -> Attacks.relearn(random.nextInt(50), 1 + random.nextInt(10), positive());
            case 3 -> Attacks.paraphrase();
            default -> Attacks.jailbreak(word() + " " + word() + ".");
        };
    }

    Objective objective(int depth) {
        int pick = random.nextInt(depth > 0 ? 23 : 13);
        return switch (pick) {
            case 0 -> new GradientAscent(split());
            case 1 -> new GradDiff(positive());
            case 2 -> new Npo(positive());
            case 3 -> new SimNpo(positive(), unit() - 0.5);
            case 4 -> new Idk(split());
            case 5 -> new Dpo(positive());
            case 6 -> new Flat(Flat.Divergence.values()[random.nextInt(4)]);
            case 7 -> new KlRetain(split());
            case 8 -> new InvertedHinge(split());
            case 9 -> new CatnipStyle(positive(), unit() * 3);
            case 10 -> new Nll(List.of(split(), split()).subList(0, 1 + random.nextInt(2)));
            case 11 -> new Rmu(random.nextBoolean() ? Rmu.MIDDLE : 1 + random.nextInt(4), positive(), unit() * 100,
                    random.nextInt(100));
            case 12 -> new ConceptCorrection(random.nextBoolean() ? Split.HOLDOUT : Split.WORLD,
                    random.nextBoolean() ? ConceptCorrection.LAST : random.nextInt(5), positive(), unit() / 10,
                    1 + random.nextInt(4));
            case 13, 14 -> objective(depth - 1).plus(objective(depth - 1));
            case 15 -> objective(depth - 1).times(unit() * 4 - 2);
            case 16 -> objective(depth - 1).times(schedule());
            case 17, 18 -> Objectives.conflictProjection(objective(depth - 1), objective(depth - 1).times(unit() * 2));
            case 19, 20 -> Objectives.stableUn(objective(depth - 1), objective(depth - 1).times(unit() * 2), positive(),
                    1 + random.nextInt(4), random.nextLong());
            default -> combined(depth - 1);
        };
    }

    /** Any combiner over named parts, including names and shapes the shorthands do not cover. */
    private Objective combined(int depth) {
        Map<String, Objective> parts = new LinkedHashMap<>();
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
            parts.put(random.nextBoolean() ? word() : "part " + i, objective(depth));
        }
        List<String> names = List.copyOf(parts.keySet());
        String forget = names.get(0);
        String retain = names.size() > 1 ? names.get(1) : null;
        GradientCombiner combiner = retain == null ? GradientCombiner.sum() : switch (random.nextInt(3)) {
            case 0 -> GradientCombiner.sum();
            case 1 -> new ConflictProjection(forget, retain);
            default -> new StableUn(forget, retain, positive(), 1 + random.nextInt(4), random.nextLong());
        };
        CombinedObjective c = new CombinedObjective(parts, combiner);
        return switch (random.nextInt(4)) {
            case 0 -> c.plus(objective(depth));
            case 1 -> c.times(unit());
            default -> c;
        };
    }

    private Schedule schedule() {
        return switch (random.nextInt(5)) {
            case 0 -> Schedules.constant(positive());
            case 1 -> new Schedules.LinearDecay(positive(), random.nextInt(20));
            case 2 -> new Schedules.Cosine(positive(), random.nextInt(20));
            case 3 -> new Schedules.Rewarm(positive(), unit() / 100, random.nextInt(10), 1 + random.nextInt(4));
            default -> new Schedules.Refined(List.of(positive(), positive(), unit()));
        };
    }

    private Estimator estimator(int depth) {
        return switch (random.nextInt(depth > 0 ? 4 : 2)) {
            case 0 -> new FirstOrder();
            case 1 -> new Spsa(positive() / 100, 1 + random.nextInt(4), random.nextBoolean());
            case 2 -> new Sam(estimator(depth - 1), unit(), random.nextBoolean(), unit() / 10);
            default -> new Hybrid(estimator(depth - 1), estimator(depth - 1),
                    Hybrid.Mode.values()[random.nextInt(2)], unit(), 1 + random.nextInt(5));
        };
    }

    private Transform transform() {
        return switch (random.nextInt(8)) {
            case 0 -> new ScaleByAdam(unit() * 0.99, 0.9 + unit() * 0.09, 1e-8);
            case 1 -> new AddDecayedWeights(unit() / 10);
            case 2 -> new ScaleBySign(random.nextBoolean(), random.nextLong());
            case 3 -> new TraceMomentum(unit() * 0.99, random.nextBoolean());
            case 4 -> new ClipByGlobalNorm(positive());
            case 5 -> new ScaleBySnr(2 + random.nextInt(10), positive());
            case 6 -> new FreezeExcept(List.of("h." + random.nextInt(4) + ".mlp.*", "ln_f.*"));
            default -> new ScaleByLearningRate(schedule());
        };
    }

    private Optimizer optimizer() {
        List<Transform> chain = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            chain.add(transform());
        }
        chain.add(new ScaleByLearningRate(schedule()));
        return new Optimizer(estimator(2), chain);
    }
}
