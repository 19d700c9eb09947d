package dev.lethe.data;

import static dev.lethe.part.ParamTypes.list;
import static dev.lethe.part.ParamTypes.part;
import static dev.lethe.part.ParamTypes.path;

import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.Slot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;

/**
 * Another data source with multiple-choice questions read from files attached to its splits: WMDP's questions as
 * forget-domain knowledge, MMLU's as general knowledge ({@link ChoiceFiles} reads WMDP and {@code cais/mmlu} as the
 * hub holds them (Parquet) or exported (JSON lines or arrays), and Hendrycks' MMLU CSV files). A split that names
 * files has exactly their questions, in the order given (the wrapped source's own questions on that split are
 * replaced); the other splits, and every split's question-answer examples and passages, are the wrapped source's.
 * The questions are evaluation data only: the {@code multiple_choice} suite reads them (with
 * {@code format: lettered}, the prompt lm-evaluation-harness uses).
 *
 * <pre>{@code
 * data:
 *   with_choices:
 *     data: {tofu: {dir: data/TOFU}}
 *     forget: [data/wmdp/wmdp-bio.jsonl]
 *     world: [data/mmlu/data/test]
 * }</pre>
 *
 * <p>A wrapping kind, rather than a parameter on each data kind, so that the files attach the same way to any
 * source (the built-in benchmark, {@code jsonl}, {@code tofu}, {@code muse}) and are declared once.
 *
 * @param data the data source whose splits get the questions
 * @param forget files of the forget split's questions (e.g. a WMDP subset)
 * @param retain files of the retain split's questions
 * @param holdout files of the holdout split's questions
 * @param world files of the world split's questions (e.g. MMLU)
 * @param realAuthors files of the real_authors split's questions
 */
public record WithChoices(DataSource data, List<Path> forget, List<Path> retain, List<Path> holdout, List<Path> world,
        List<Path> realAuthors) implements DataSource {
    /**
     * {@link DataSource#SLOT}, spelled again (a slot is a record, so the two are equal): reading DataSource's field
     * here would initialise DataSource, whose {@link DataSource#KINDS} lists this kind, while this kind is still being
     * initialised.
     */
    private static final Slot<DataSource> DATA = new Slot<>("data", DataSource.class);

    /** The data source {@code with_choices}. */
    public static final Kind<WithChoices> KIND = Kind.of("with_choices", WithChoices.class,
            "another data source with multiple-choice files (WMDP, MMLU) attached to its splits",
            List.of(Param.required("data", part(DATA), "the data source whose splits get the questions",
                            WithChoices::data),
                    files("forget", "e.g. a WMDP subset: the hub's wmdp-bio/ folder, or wmdp-bio.jsonl",
                            WithChoices::forget),
                    files("retain", "", WithChoices::retain),
                    files("holdout", "", WithChoices::holdout),
                    files("world", "e.g. MMLU: cais/mmlu's all/ folder (the hub's Parquet files) or data/test "
                            + "(Hendrycks' CSV folder)",
                            WithChoices::world),
                    files("real_authors", "", WithChoices::realAuthors)),
            a -> new WithChoices(a.get("data"), a.list("forget"), a.list("retain"), a.list("holdout"), a.list("world"),
                    a.list("real_authors")));

    private static Param files(String split, String example, java.util.function.Function<WithChoices, ?> accessor) {
        return Param.of(split, list(path(), 0), List.of(), "files of the " + split + " split's questions, replacing "
                + "the source's (.parquet, .json/.jsonl, .csv, or a folder of .parquet or .csv files)"
                + (example.isEmpty() ? "" : "; " + example),
                accessor);
    }

    /** Copies the lists. */
    public WithChoices {
        forget = List.copyOf(forget);
        retain = List.copyOf(retain);
        holdout = List.copyOf(holdout);
        world = List.copyOf(world);
        realAuthors = List.copyOf(realAuthors);
    }

    /**
     * {@code data} with no files yet; attach them with {@link #forget(Path...)}, {@link #world(Path...)} or
     * {@link #split}: {@code WithChoices.on(TofuData.at(dir)).forget(wmdpBio).world(mmluTest)}.
     */
    public static WithChoices on(DataSource data) {
        return new WithChoices(data, List.of(), List.of(), List.of(), List.of(), List.of());
    }

    /** A copy with {@code paths} added to {@code split}'s files. */
    public WithChoices split(Split split, Path... paths) {
        EnumMap<Split, List<Path>> files = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            files.put(s, new ArrayList<>(files(s)));
        }
        files.get(split).addAll(Arrays.asList(paths));
        return new WithChoices(data, files.get(Split.FORGET), files.get(Split.RETAIN), files.get(Split.HOLDOUT),
                files.get(Split.WORLD), files.get(Split.REAL_AUTHORS));
    }

    /** A copy with {@code paths} added to the forget split's files (e.g. WMDP's {@code wmdp-bio.jsonl}). */
    public WithChoices forget(Path... paths) {
        return split(Split.FORGET, paths);
    }

    /** A copy with {@code paths} added to the world split's files (e.g. MMLU's {@code data/test}). */
    public WithChoices world(Path... paths) {
        return split(Split.WORLD, paths);
    }

    /** The files of {@code split}. */
    public List<Path> files(Split split) {
        return switch (split) {
            case FORGET -> forget;
            case RETAIN -> retain;
            case HOLDOUT -> holdout;
            case WORLD -> world;
            case REAL_AUTHORS -> realAuthors;
        };
    }

    /**
     * The wrapped source's dataset with each split that names files holding their questions instead of its own.
     *
     * @throws IllegalArgumentException as the wrapped source does, and as {@link ChoiceFiles#read} does (naming the
     *     file, line and field of a malformed record)
     */
    @Override
    public Dataset load(long seed) {
        Dataset d = data.load(seed);
        for (Split s : Split.values()) {
            List<Path> paths = files(s);
            if (paths.isEmpty()) {
                continue;
            }
            List<MultipleChoice> choices = new ArrayList<>();
            for (Path p : paths) {
                choices.addAll(ChoiceFiles.read(p));
            }
            d = d.with(new SplitData(s, d.get(s), d.passages(s), choices, d.muse(s)));
        }
        return d;
    }
}
