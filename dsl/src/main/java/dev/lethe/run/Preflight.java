package dev.lethe.run;

import ai.djl.Device;
import dev.lethe.data.Dataset;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.data.Texts;
import dev.lethe.eval.MultipleChoiceSuite;
import dev.lethe.model.HfModel;
import dev.lethe.model.ModelSpec;
import dev.lethe.model.QaTokenizer;
import dev.lethe.model.Tokenizer;
import dev.lethe.objective.GradDiff;
import dev.lethe.objective.Objective;
import dev.lethe.objective.Rmu;
import dev.lethe.part.FieldException;
import dev.lethe.spec.AcuLearning;
import dev.lethe.spec.AcuUnlearning;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Finetune;
import dev.lethe.spec.HfReference;
import dev.lethe.spec.Learn;
import dev.lethe.spec.NamedStage;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Reference;
import dev.lethe.spec.Unlearning;
import dev.lethe.util.Printable;
import java.lang.management.ManagementFactory;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The checks of a recipe against the machine and its data that can be made before anything is written: that
 * the engine's native libraries come from a safe folder ({@link EngineCache}), that the device exists, that the
 * data loads (its files are ordinary files, well formed), that no example is in both the forget and the retain
 * split, that every split a training stage trains on or an unlearning objective reads has examples, and that the model fits in memory. The
 * command line calls {@link #checked} before it creates a run directory; {@link Runner#run()} starts with the
 * same checks, so a recipe run from Java or a notebook fails the same way, with the same one-line message.
 */
public final class Preflight {
    /** Bytes per parameter while training: float32 weights, gradients and Adam's two moments. */
    static final int TRAINING_BYTES_PER_PARAMETER = 16;

    private Preflight() {}

    /**
     * What a recipe resolves to on this machine.
     *
     * @param device the device
     * @param data the examples
     * @param tokenizer the tokenizer fitted to them, or a model folder's ({@link HfModel#tokenizer()})
     * @param config the model spec with its vocabulary size resolved (a model folder's: its config.json's)
     */
    record Resolved(Device device, Dataset data, Tokenizer tokenizer, ModelSpec config) {}

    /** Closes what {@code tokenizer} holds natively (a model folder's tokenizer). */
    static void close(Tokenizer tokenizer) {
        if (tokenizer instanceof QaTokenizer t) {
            t.close();
        }
    }

    /**
     * {@code recipe}, after the checks.
     *
     * @throws IllegalArgumentException saying what is wrong (naming the file, field or split) and what to do
     */
    public static Recipe checked(Recipe recipe) {
        close(resolve(recipe).tokenizer());
        return recipe;
    }

    /**
     * Resolves {@code recipe}'s device, data, tokenizer and model, checking each, and that every reference loaded
     * from a folder ({@code reference: {hf: DIR}}) has the run's model's architecture, vocabulary and tokenizer; first,
     * that the privacy suites give at most one {@code privleak_retrain_auc} ({@link Recipe#privleakRetrainAuc}).
     */
    static Resolved resolve(Recipe recipe) {
        recipe.privleakRetrainAuc();
        Resolved resolved = resolveModel(recipe);
        try {
            for (NamedStage s : recipe.named()) {
                if (s.stage() instanceof HfReference r) {
                    requireSameModel(HfReference.field(s.index()), r.folder(), resolved.config(), resolved.tokenizer());
                } else if (s.stage() instanceof Evaluation e) {
                    requireLetters(s.index(), e, resolved.tokenizer());
                }
            }
        } catch (RuntimeException e) {
            close(resolved.tokenizer());
            throw e;
        }
        return resolved;
    }

    private static Resolved resolveModel(Recipe recipe) {
        EngineCache.requireSafe();
        Device device = Runner.device(recipe.device());
        Dataset data = recipe.data().load(Seeds.derive(recipe.seed(), Runner.DATA_STREAM));
        requireDisjoint(data);
        requireAnalyticFits(recipe, Runtime.getRuntime().maxMemory());
        for (NamedStage s : recipe.named()) {
            if (s.stage() instanceof Unlearning u) {
                for (Split split : reads(u.objective())) {
                    requireExamples("stage " + s.name() + ": the objective reads", split, u.trainOn(), data,
                            "bind the objective to another split");
                }
            } else if (s.stage() instanceof Learn l) {
                requireTrainingSplits(s.name(), l.splits(), l.texts(), data);
            } else if (s.stage() instanceof Finetune f) {
                requireTrainingSplits(s.name(), f.splits(), f.texts(), data);
            } else if (s.stage() instanceof Reference r) {
                requireTrainingSplits(s.name(), r.splits(), r.texts(), data);
            } else if (s.stage() instanceof AcuLearning a) {
                requireTrainingSplits(s.name(), a.splits(), Texts.ANSWERS, data);
            } else if (s.stage() instanceof AcuUnlearning) {
                requireTrainingSplits(s.name(), List.of(Split.FORGET), Texts.ANSWERS, data);
            }
        }
        if (!(recipe.model() instanceof HfModel hf)) {
            Tokenizer tokenizer = data.fitTokenizer();
            ModelSpec config = recipe.model().vocabSize() == 0
                    ? recipe.model().withVocabSize(tokenizer.vocabSize()) : recipe.model();
            requireFits(config, physicalMemory());
            requireRoom(recipe, data, tokenizer, config.contextLength());
            return new Resolved(device, data, tokenizer, config);
        }
        ModelSpec config = hf.spec();
        QaTokenizer tokenizer = hf.tokenizer();
        try {
            if (tokenizer.vocabSize() > config.vocabSize()) {
                throw new IllegalArgumentException("model.hf: the tokenizer of " + Printable.escape(hf.dir().toString())
                        + " has " + tokenizer.vocabSize() + " tokens but its config.json's vocab_size is "
                        + config.vocabSize() + "; give the folder the tokenizer its model was trained with");
            }
            requireFits(config, physicalMemory());
            requireRoom(recipe, data, tokenizer, config.contextLength());
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
        return new Resolved(device, data, tokenizer, config);
    }

    /** The question-answer pair whose encoding shows whether two tokenizers read pairs alike (chat template included). */
    private static final String PROBE_QUESTION = "Who wrote the novel 'The Quiet Harbour', and when?";
    private static final String PROBE_ANSWER = "Mara Lindqvist wrote it in 1987.";
    /** Spec fields that only training reads (a reference may have been trained with other values). */
    private static final Set<String> TRAINING_SETTINGS = Set.of("dropout", "initializerRange");

    /**
     * Refuses a reference folder ({@code field}, e.g. {@code stages[1].reference.hf}) whose model is not the run's:
     * another architecture (spec type), vocabulary size or shape (every field of the spec but dropout and the
     * initialiser's range, which only training reads), or another tokenizer (its tokens, special ids, or how it
     * encodes a question-answer pair, chat template included). The run scores the reference with its own tokenizer,
     * so any of these would make the cross-model metrics compare unlike things.
     *
     * @throws FieldException naming {@code field}, the folder and what differs
     */
    static void requireSameModel(String field, HfModel folder, ModelSpec run, Tokenizer runTokenizer) {
        String where = "the reference folder " + Printable.escape(folder.dir().toString());
        String rule = "; a reference must have the run's model's architecture, vocabulary and tokenizer (for model: "
                + "{hf: DIR}, a model finetuned from the same base, as TOFU's retain models are)";
        ModelSpec spec = folder.spec(field);
        if (spec.getClass() != run.getClass()) {
            throw new FieldException(field, where + " holds a " + architecture(spec) + " model, and the run's model "
                    + "is a " + architecture(run) + rule);
        }
        if (spec.vocabSize() != run.vocabSize()) {
            throw new FieldException(field, where + " has a vocabulary of " + spec.vocabSize() + " tokens "
                    + "(config.json vocab_size), and the run's model " + run.vocabSize() + rule);
        }
        if (spec instanceof Record folderSpec) {
            for (RecordComponent c : folderSpec.getClass().getRecordComponents()) {
                if (TRAINING_SETTINGS.contains(c.getName())) {
                    continue;
                }
                Object a = component(c, folderSpec);
                Object b = component(c, (Record) run);
                if (!Objects.equals(a, b)) {
                    throw new FieldException(field, where + " has " + c.getName() + " " + Printable.escape(
                            String.valueOf(a)) + ", and the run's model " + Printable.escape(String.valueOf(b)) + rule);
                }
            }
        }
        try (QaTokenizer tokenizer = folder.tokenizer(field)) {
            String differs = tokenizerDifference(tokenizer, runTokenizer);
            if (differs != null) {
                throw new FieldException(field, where + " has another tokenizer than the run's model: " + differs
                        + rule);
            }
        }
    }

    /**
     * Refuses a lettered multiple-choice suite in the evaluate stage at {@code index} when the run's tokenizer cannot
     * tell the letters apart ({@link MultipleChoiceSuite#lettersProblem}), before any training.
     */
    private static void requireLetters(int index, Evaluation evaluation, Tokenizer tokenizer) {
        for (int j = 0; j < evaluation.suites().size(); j++) {
            if (evaluation.suites().get(j) instanceof MultipleChoiceSuite mc
                    && mc.format() == MultipleChoiceSuite.Format.LETTERED) {
                String problem = MultipleChoiceSuite.lettersProblem(tokenizer);
                if (problem != null) {
                    throw new FieldException("stages[" + index + "]." + Evaluation.KIND.name() + ".suites[" + j + "]."
                            + MultipleChoiceSuite.KIND.name() + ".format", problem);
                }
            }
        }
    }

    /** How {@code folder}'s tokenizer differs from {@code run}'s, or null when they read and write alike. */
    static @Nullable String tokenizerDifference(Tokenizer folder, Tokenizer run) {
        if (folder.vocabSize() != run.vocabSize()) {
            return "it has " + folder.vocabSize() + " tokens, the run's " + run.vocabSize();
        }
        List<String> a = folder.vocabulary();
        List<String> b = run.vocabulary();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!a.get(i).equals(b.get(i))) {
                return "token " + i + " is '" + Printable.escape(a.get(i)) + "' in it and '" + Printable.escape(b.get(i))
                        + "' in the run's";
            }
        }
        if (folder.padId() != run.padId() || folder.bosId() != run.bosId() || folder.eosId() != run.eosId()) {
            return "its pad, bos and eos ids are " + folder.padId() + ", " + folder.bosId() + ", " + folder.eosId()
                    + ", the run's " + run.padId() + ", " + run.bosId() + ", " + run.eosId();
        }
        if (!Arrays.equals(folder.encodePrompt(PROBE_QUESTION), run.encodePrompt(PROBE_QUESTION))
                || !Arrays.equals(folder.encodeAnswer(PROBE_QUESTION, PROBE_ANSWER),
                        run.encodeAnswer(PROBE_QUESTION, PROBE_ANSWER))) {
            return "it encodes a question-answer pair otherwise (another chat template or tokenization)";
        }
        return null;
    }

    private static String architecture(ModelSpec spec) {
        String name = spec.getClass().getSimpleName();
        return name.endsWith("Config") ? name.substring(0, name.length() - "Config".length()) : name;
    }

    private static @Nullable Object component(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + c + " of " + r.getClass().getName(), e);
        }
    }

    /**
     * Refuses a training example whose prompt alone fills its stage's longest sequence (the stage's
     * {@code max_length}, at most {@code context}): cut at the end, it would keep no answer token. Names the stage,
     * split, row and question ({@link Streams#answers}).
     */
    static void requireRoom(Recipe recipe, Dataset data, Tokenizer tokenizer, int context) {
        for (NamedStage s : recipe.named()) {
            if (s.stage() instanceof Unlearning u) {
                if (u.trainOn().answers()) {
                    requireRoom(s.name(), reads(u.objective()), u.maxLength(), data, tokenizer, context);
                }
            } else if (s.stage() instanceof Learn l && l.texts().answers()) {
                requireRoom(s.name(), l.splits(), l.training().maxLength(), data, tokenizer, context);
            } else if (s.stage() instanceof Finetune f && f.texts().answers()) {
                requireRoom(s.name(), f.splits(), f.training().maxLength(), data, tokenizer, context);
            } else if (s.stage() instanceof Reference r && r.texts().answers()) {
                requireRoom(s.name(), r.splits(), r.training().maxLength(), data, tokenizer, context);
            } else if (s.stage() instanceof AcuLearning a) {
                requireRoom(s.name(), a.splits(), 0, data, tokenizer, context);
            }
        }
    }

    private static void requireRoom(String stage, Iterable<Split> splits, int maxLength, Dataset data,
            Tokenizer tokenizer, int context) {
        for (Split split : splits) {
            Streams.answers(stage, split, tokenizer, data.get(split), Streams.maxLength(maxLength, context));
        }
    }

    /** Refuses examples that are in both the forget and the retain split: unlearning would fight itself. */
    static void requireDisjoint(Dataset data) {
        Set<QaExample> retain = new HashSet<>(data.get(Split.RETAIN));
        List<QaExample> both = data.get(Split.FORGET).stream().filter(retain::contains).toList();
        if (!both.isEmpty()) {
            throw new IllegalArgumentException("data: " + both.size() + " example(s) are in both the forget and the "
                    + "retain split (first: question '" + Printable.escape(both.get(0).question()) + "'); a model cannot "
                    + "forget and keep the same answer: remove them from one of the two files");
        }
    }

    private static void requireTrainingSplits(String stage, List<Split> splits, Texts texts, Dataset data) {
        for (Split split : splits) {
            requireExamples("stage " + stage + " trains on", split, texts, data, "list the splits it should train on, "
                    + "e.g. splits: [forget, retain]");
        }
    }

    /** Refuses a split with nothing to read in {@code texts}: {@code what} the split ..., which has no examples. */
    static void requireExamples(String what, Split split, Texts texts, Dataset data, String otherwise) {
        boolean has = (texts.answers() && !data.get(split).isEmpty())
                || (texts.passages() && !data.passages(split).isEmpty());
        if (!has) {
            boolean passages = texts.passages() && !texts.answers();
            String where = data.muse(Split.FORGET) != null
                    ? "MUSE's files give the forget, retain and holdout splits texts only, read with train_on: passages"
                            + " or both"
                    : "a jsonl data folder holds them in " + split.id() + (passages ? ".passages.jsonl" : ".jsonl");
            throw new IllegalArgumentException(what + " the " + split.id() + " split, which has no "
                    + (passages ? "passages" : "examples") + " (" + where + "); add them, or " + otherwise);
        }
    }

    /**
     * The splits {@code objective} reads: the forget split, every split named in its parameters (nested objectives
     * included), and the retain split for the two built-ins whose formula reads it without naming it.
     */
    static Set<Split> reads(Objective objective) {
        Set<Split> out = EnumSet.of(Split.FORGET);
        collect(objective, out);
        return out;
    }

    private static void collect(Object value, Set<Split> out) {
        if (value instanceof Split s) {
            out.add(s);
        } else if (value instanceof Iterable<?> items) {
            items.forEach(i -> collect(i, out));
        } else if (value instanceof Map<?, ?> map) {
            map.values().forEach(v -> collect(v, out));
        } else if (value instanceof Record r && value instanceof Objective) {
            if (value instanceof GradDiff || value instanceof Rmu) {
                out.add(Split.RETAIN);
            }
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                try {
                    collect(c.getAccessor().invoke(r), out);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot read " + c + " of " + r.getClass().getName(), e);
                }
            }
        }
    }

    /**
     * Refuses a model whose parameters cannot be held: a tensor with more than {@link Integer#MAX_VALUE} entries,
     * or more bytes to train than {@code memory}.
     */
    static void requireFits(ModelSpec config, long memory) {
        double parameters = config.parameterCount();
        double bytes = parameters * TRAINING_BYTES_PER_PARAMETER;
        if (config.largestTensor() > Integer.MAX_VALUE || bytes > memory) {
            throw new IllegalArgumentException("model: " + Printable.escape(config.toString()) + " has about "
                    + String.format(Locale.ROOT, "%.3g", parameters) + " parameters"
                    + (config.largestTensor() > Integer.MAX_VALUE ? String.format(Locale.ROOT,
                            ", and one tensor of %.3g entries (at most %d fit one array)", config.largestTensor(),
                            Integer.MAX_VALUE) : "")
                    + "; training needs about " + bytesText(bytes) + " (weights, gradients and Adam's moments in "
                    + "float32), and this machine has " + bytesText(memory) + " of memory: make it smaller (width, "
                    + "layers, vocab_size, context_length)");
        }
    }

    /**
     * Refuses an {@code acu_learn} stage whose analytic head cannot be updated on the Java heap: an update holds R
     * (expansion² float64 values) twice, the old and the new one, before anything is computed.
     */
    static void requireAnalyticFits(Recipe recipe, long heap) {
        for (NamedStage s : recipe.named()) {
            if (s.stage() instanceof AcuLearning a) {
                double bytes = 2.0 * Double.BYTES * a.expansion() * a.expansion();
                if (bytes > heap) {
                    throw new IllegalArgumentException("stage " + s.name() + ": expansion " + a.expansion() + " needs "
                            + "about " + bytesText(bytes) + " of Java heap for the analytic head (R, expansion × "
                            + "expansion float64, old and new during an update), and the heap holds at most "
                            + bytesText(heap) + ": make the expansion smaller, or give the JVM more (-Xmx)");
                }
            }
        }
    }

    private static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory();
    }

    private static String bytesText(double bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        int u = 0;
        while (bytes >= 1024 && u < units.length - 1) {
            bytes /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", bytes, units[u]);
    }
}
