package dev.lethe.data;

import static dev.lethe.part.ParamTypes.choice;
import static dev.lethe.part.ParamTypes.path;
import static dev.lethe.part.ParamTypes.text;

import dev.lethe.io.ConfinedPaths;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes;
import dev.lethe.util.Printable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * TOFU (Maini et al. 2024, "TOFU: A Task of Fictitious Unlearning for LLMs") read from a folder holding the files of
 * the hub dataset {@code locuslab/TOFU} as a user downloads them. Each file is JSON lines (the hub's {@code .json}
 * files are), or one JSON array; {@code NAME.json} and {@code NAME.jsonl} are both accepted. Which file feeds which
 * split:
 *
 * <ul>
 *   <li><b>forget</b>: {@code forget01}, {@code forget05} or {@code forget10} ({@code question}, {@code answer}), each
 *       row completed from {@code forgetXX_perturbed} by its question: {@code paraphrased_answer} (what TOFU's truth
 *       ratio compares the wrong answers with), {@code perturbed_answer} (a list of wrong answers) and, when present,
 *       {@code paraphrased_question}. Every forget row must be there;
 *   <li><b>retain</b>: by default the forget split's complement {@code retain99}, {@code retain95} or {@code retain90};
 *       the rows that {@code retain_perturbed} asks about are completed from it the same way, the others keep their
 *       answer as the paraphrase and have no wrong answers;
 *   <li><b>holdout</b>: by default {@code holdout01}, {@code holdout05} or {@code holdout10} ({@code question},
 *       {@code answer}), never trained on;
 *   <li><b>world</b>: {@code world_facts_perturbed} ({@code question}, {@code answer}, {@code perturbed_answer}); the
 *       answer itself is the one compared with the wrong answers, as TOFU's evaluation does for world facts;
 *   <li><b>real_authors</b>: {@code real_authors_perturbed}, the same fields and use as world facts.
 * </ul>
 *
 * <p>{@code full} is not read: it is {@code forgetXX} and {@code retainYY} together, which a {@code finetune} stage on
 * the forget and retain splits trains on. TOFU's files name no author, so every example's subject and fact are
 * empty. The seed is not used.
 *
 * @param dir the folder
 * @param forget the forget split
 * @param retain the retain file's name in the folder, or null for the forget split's ({@link Forget#retain})
 * @param holdout the holdout file's name in the folder, or null for the forget split's ({@link Forget#holdout})
 */
public record TofuData(Path dir, Forget forget, @Nullable String retain, @Nullable String holdout)
        implements DataSource {
    /** The data source {@code tofu}. */
    public static final Kind<TofuData> KIND = Kind.of("tofu", TofuData.class,
            "TOFU's files as published on the hub (locuslab/TOFU; Maini et al. 2024), from a local folder",
            List.of(Param.required("dir", path(), "the folder (relative to the working directory)", TofuData::dir),
                    Param.of("forget", choice(Forget.class), Forget.FORGET10, "the forget split; it chooses the retain "
                            + "and holdout files unless they are named", (TofuData t) -> t.forget()),
                    Param.optional("retain", text(), "the retain file (absent: retain99, retain95 or retain90, "
                            + "the forget split's complement)", (TofuData t) -> t.retain()),
                    Param.optional("holdout", text(), "the holdout file (absent: holdout01, holdout05 or holdout10, "
                            + "as the forget split)", (TofuData t) -> t.holdout())),
            a -> new TofuData(a.get("dir"), a.get("forget"), a.get("retain"), a.get("holdout")));

    /** The retain split's wrong answers, for the rows of the retain file it asks about. */
    static final String RETAIN_PERTURBED = "retain_perturbed";
    /** The world split. */
    static final String WORLD_FACTS = "world_facts_perturbed";
    /** Questions about real authors, read and checked; the split they belong to is not part of Lethe yet. */
    static final String REAL_AUTHORS = "real_authors_perturbed";

    /** TOFU's three forget splits, each with the retain and holdout files that go with it. */
    public enum Forget {
        /** 1 % of the authors (40 questions). */
        FORGET01("retain99", "holdout01"),
        /** 5 % of the authors (200 questions). */
        FORGET05("retain95", "holdout05"),
        /** 10 % of the authors (400 questions). */
        FORGET10("retain90", "holdout10");

        private final String retain;
        private final String holdout;

        Forget(String retain, String holdout) {
            this.retain = retain;
            this.holdout = holdout;
        }

        /** The file's name without extension, e.g. {@code forget10}. */
        public String file() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Its wrong and paraphrased answers: {@code forget10_perturbed}. */
        public String perturbed() {
            return file() + "_perturbed";
        }

        /** The retain file that goes with it: the other authors ({@code retain90} for {@code forget10}). */
        public String retain() {
            return retain;
        }

        /** The holdout file of the same size ({@code holdout10} for {@code forget10}). */
        public String holdout() {
            return holdout;
        }

        /** The forget split called {@code name}: {@code forget01}, {@code forget05} or {@code forget10}. */
        public static Forget of(String name) {
            for (Forget f : values()) {
                if (f.file().equals(name)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("unknown TOFU forget split '" + Printable.escape(name)
                    + "'; expected forget01, forget05 or forget10");
        }
    }

    /** Checks the file names: each a name inside the folder. */
    public TofuData {
        for (String name : new String[] {retain, holdout}) {
            if (name != null && !ParamTypes.staysInside(name)) {
                throw new IllegalArgumentException("tofu: '" + Printable.escape(name) + "' is not a file name "
                        + "inside the data folder (a relative name without '..', e.g. retain90)");
            }
        }
    }

    /** TOFU in {@code dir}, forgetting {@code forget10} (retain90, holdout10). */
    public static TofuData at(Path dir) {
        return new TofuData(dir, Forget.FORGET10, null, null);
    }

    /** TOFU in the folder {@code dir}, forgetting {@code forget10} (retain90, holdout10). */
    public static TofuData at(String dir) {
        return at(Path.of(dir));
    }

    /**
     * A copy forgetting {@code name} ({@code forget01}, {@code forget05} or {@code forget10}), with that split's
     * retain and holdout files unless they were named.
     */
    public TofuData forget(String name) {
        return new TofuData(dir, Forget.of(name), retain, holdout);
    }

    /** A copy whose retain split is the file {@code name} of the folder ({@code retain90}, or a file of one's own). */
    public TofuData retain(String name) {
        return new TofuData(dir, forget, name, holdout);
    }

    /** A copy whose holdout split is the file {@code name} of the folder. */
    public TofuData holdout(String name) {
        return new TofuData(dir, forget, retain, name);
    }

    /** The retain file's name: as named, else the forget split's. */
    public String retainFile() {
        return retain != null ? retain : forget.retain();
    }

    /** The holdout file's name: as named, else the forget split's. */
    public String holdoutFile() {
        return holdout != null ? holdout : forget.holdout();
    }

    /**
     * The forget, retain, holdout and world splits.
     *
     * @throws IllegalArgumentException for a missing folder or file, and naming the file, line and field of the first
     *     record that is not a JSON object, lacks a field or has one of the wrong type, and of a question the
     *     perturbed files and the split files disagree on
     */
    @Override
    public Dataset load(long seed) {
        return read().dataset();
    }

    /** Reads and checks every file this source uses. */
    Contents read() {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("TOFU folder " + Printable.escape(dir.toString()) + (Files.exists(dir)
                    ? " is not a folder" : " does not exist") + "; tofu: {dir: ...} names a folder holding the files "
                    + "of the hub dataset locuslab/TOFU (forget10.json, retain90.json, ...)");
        }
        Path forgetFile = file(forget.file());
        Path forgetPerturbed = file(forget.perturbed());
        Path retainFile = file(retainFile());
        Path retainPerturbed = file(RETAIN_PERTURBED);
        return new Contents(
                completed(plain(forgetFile), forgetFile, perturbed(forgetPerturbed, true), forgetPerturbed, true),
                completed(plain(retainFile), retainFile, perturbed(retainPerturbed, true), retainPerturbed, false),
                examples(plain(file(holdoutFile()))),
                examples(perturbed(file(WORLD_FACTS), false)),
                examples(perturbed(file(REAL_AUTHORS), false)));
    }

    /**
     * The examples read, by the file they came from.
     *
     * @param forget the forget split
     * @param retain the retain split
     * @param holdout the holdout split
     * @param world the world facts
     * @param realAuthors the real authors
     */
    record Contents(List<QaExample> forget, List<QaExample> retain, List<QaExample> holdout, List<QaExample> world,
            List<QaExample> realAuthors) {
        Dataset dataset() {
            Map<Split, List<QaExample>> splits = new EnumMap<>(Split.class);
            splits.put(Split.FORGET, forget);
            splits.put(Split.RETAIN, retain);
            splits.put(Split.HOLDOUT, holdout);
            splits.put(Split.WORLD, world);
            splits.put(Split.REAL_AUTHORS, realAuthors);
            return new Dataset(splits);
        }
    }

    /** One record of a file, with the line it is on. */
    private record Row(int line, String question, String answer, String paraphrasedQuestion,
            String paraphrasedAnswer, List<String> perturbed) {
        QaExample example() {
            return new QaExample(question, answer, paraphrasedQuestion, paraphrasedAnswer, perturbed, "", "");
        }
    }

    /** The file {@code name} of the folder: {@code name} itself when it ends in .json or .jsonl, else one of those. */
    private Path file(String name) {
        String what = "tofu: the file '" + Printable.escape(name) + "'";
        if (name.endsWith(".json") || name.endsWith(".jsonl")) {
            return existing(ConfinedPaths.inside(dir, name, what), name);
        }
        Path json = ConfinedPaths.inside(dir, name + ".json", what);
        Path jsonl = ConfinedPaths.inside(dir, name + ".jsonl", what);
        if (Files.exists(json) && Files.exists(jsonl)) {
            throw new IllegalArgumentException(Printable.escape(json.toString()) + " and " + name + ".jsonl both "
                    + "exist; keep one, or name one with its extension");
        }
        return existing(Files.exists(jsonl) ? jsonl : json, name);
    }

    private static Path existing(Path file, String name) {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(Printable.escape(file.toString()) + ": missing; the tofu data source "
                    + "reads " + name + " (.json or .jsonl) as published in the hub dataset locuslab/TOFU: download it "
                    + "into the folder");
        }
        return ConfinedPaths.regularFile(file, "TOFU file");
    }

    /** Records with a {@code question} and an {@code answer}. */
    private static List<Row> plain(Path file) {
        List<Row> out = new ArrayList<>();
        for (Jsonl.Record l : Jsonl.objects(file)) {
            String question = required(l, "question", file);
            String answer = required(l, "answer", file);
            out.add(new Row(l.line(), question, answer, question, answer, List.of()));
        }
        return out;
    }

    /**
     * Records with a {@code question}, a non-empty {@code perturbed_answer} list and, when {@code paraphrased}, a
     * {@code paraphrased_answer} (and optionally a {@code paraphrased_question}); else an {@code answer}, which is
     * then the paraphrase.
     */
    private static List<Row> perturbed(Path file, boolean paraphrased) {
        List<Row> out = new ArrayList<>();
        for (Jsonl.Record l : Jsonl.objects(file)) {
            String question = required(l, "question", file);
            String answer = required(l, paraphrased ? "paraphrased_answer" : "answer", file);
            List<String> wrong = Jsonl.texts(l.value(), "perturbed_answer", file, l.line());
            if (wrong.isEmpty()) {
                throw Jsonl.bad(file, l.line(), "field 'perturbed_answer' is an empty list; expected TOFU's wrong "
                        + "answers to the question (a list of strings)");
            }
            String paraphrasedQuestion = paraphrased
                    ? Jsonl.text(l.value(), "paraphrased_question", file, l.line(), question) : question;
            out.add(new Row(l.line(), question, answer, paraphrasedQuestion, answer, wrong));
        }
        return out;
    }

    private static String required(Jsonl.Record l, String field, Path file) {
        String value = Jsonl.text(l.value(), field, file, l.line(), null);
        if (value.isBlank()) {
            throw Jsonl.bad(file, l.line(), "field '" + field + "' is blank; expected the " + field.replace('_', ' ')
                    + " as text");
        }
        return value;
    }

    private static List<QaExample> examples(List<Row> rows) {
        return rows.stream().map(Row::example).toList();
    }

    /**
     * {@code rows} completed from the {@code perturbed} rows that ask the same question (white space at the ends
     * ignored), in order when a question repeats. Every perturbed row must complete a row, and with
     * {@code everyRow} every row must be completed.
     */
    private static List<QaExample> completed(List<Row> rows, Path rowsFile, List<Row> perturbed, Path perturbedFile,
            boolean everyRow) {
        Map<String, ArrayDeque<Row>> byQuestion = new LinkedHashMap<>();
        for (Row p : perturbed) {
            byQuestion.computeIfAbsent(p.question().strip(), q -> new ArrayDeque<>()).add(p);
        }
        List<QaExample> out = new ArrayList<>();
        for (Row r : rows) {
            ArrayDeque<Row> same = byQuestion.get(r.question().strip());
            Row p = same == null ? null : same.poll();
            if (p == null && everyRow) {
                throw Jsonl.bad(rowsFile, r.line(), "field 'question' is not asked in " + perturbedFile.getFileName()
                        + ", which must hold the paraphrased and wrong answers of every row; use the files of one "
                        + "download of locuslab/TOFU");
            }
            out.add(p == null ? r.example() : new QaExample(r.question(), r.answer(), p.paraphrasedQuestion(),
                    p.paraphrasedAnswer(), p.perturbed(), "", ""));
        }
        for (ArrayDeque<Row> left : byQuestion.values()) {
            if (!left.isEmpty()) {
                throw Jsonl.bad(perturbedFile, left.peek().line(), "field 'question' is not asked in "
                        + rowsFile.getFileName() + " (or more often here than there); the perturbed file must describe "
                        + "rows of the split's file: use the files of one download of locuslab/TOFU");
            }
        }
        return out;
    }
}
