package dev.lethe.data;

import dev.lethe.model.WordTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Question-answer examples, passages and multiple-choice questions by split, and for data read from MUSE's
 * files the split's {@link MuseProbes}. Immutable. Models train on the question-answer examples
 * ({@link #get}) or the passages (see {@link Texts}); the rest is evaluation data ({@link #view}).
 */
public final class Dataset {
    private final Map<Split, List<QaExample>> splits;
    private final Map<Split, List<Passage>> passages;
    private final Map<Split, List<MultipleChoice>> choices;
    private final Map<Split, MuseProbes> muse;

    /** A dataset with the given question-answer splits and no passages or choices; an absent split is empty. */
    public Dataset(Map<Split, List<QaExample>> splits) {
        this(splits, Map.of(), Map.of());
    }

    /** A dataset with examples, passages and multiple-choice questions per split; an absent split is empty. */
    public Dataset(Map<Split, List<QaExample>> splits, Map<Split, List<Passage>> passages,
            Map<Split, List<MultipleChoice>> choices) {
        this(splits, passages, choices, Map.of());
    }

    /**
     * A dataset with examples, passages, multiple-choice questions and MUSE's probes per split; an absent
     * split is empty, and a split absent from {@code muse} has no probes.
     */
    public Dataset(Map<Split, List<QaExample>> splits, Map<Split, List<Passage>> passages,
            Map<Split, List<MultipleChoice>> choices, Map<Split, MuseProbes> muse) {
        this.splits = copy(splits);
        this.passages = copy(passages);
        this.choices = copy(choices);
        EnumMap<Split, MuseProbes> m = new EnumMap<>(Split.class);
        m.putAll(muse);
        this.muse = Collections.unmodifiableMap(m);
    }

    private static <T> Map<Split, List<T>> copy(Map<Split, List<T>> m) {
        EnumMap<Split, List<T>> copy = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            copy.put(s, List.copyOf(m.getOrDefault(s, List.of())));
        }
        return Collections.unmodifiableMap(copy);
    }

    /** The question-answer examples of {@code split}. */
    public List<QaExample> get(Split split) {
        return splits.get(split);
    }

    /** The passages of {@code split}. */
    public List<Passage> passages(Split split) {
        return passages.get(split);
    }

    /** The multiple-choice questions of {@code split}. */
    public List<MultipleChoice> choices(Split split) {
        return choices.get(split);
    }

    /** MUSE's probes of {@code split}; null when the data was not read from MUSE's files. */
    public @Nullable MuseProbes muse(Split split) {
        return muse.get(split);
    }

    /** Examples, passages, choices and MUSE's probes of {@code split}, as an evaluation suite sees them. */
    public SplitData view(Split split) {
        return new SplitData(split, get(split), passages(split), choices(split), muse(split));
    }

    /** This dataset with {@code data.split()} replaced by {@code data}; the other splits are unchanged. */
    public Dataset with(SplitData data) {
        EnumMap<Split, List<QaExample>> e = new EnumMap<>(splits);
        EnumMap<Split, List<Passage>> p = new EnumMap<>(passages);
        EnumMap<Split, List<MultipleChoice>> c = new EnumMap<>(choices);
        e.put(data.split(), data.examples());
        p.put(data.split(), data.passages());
        c.put(data.split(), data.choices());
        EnumMap<Split, MuseProbes> m = new EnumMap<>(Split.class);
        m.putAll(muse);
        MuseProbes probes = data.muse();
        if (probes == null) {
            m.remove(data.split());
        } else {
            m.put(data.split(), probes);
        }
        return new Dataset(e, p, c, m);
    }

    /** The examples of several splits, in the order given. */
    public List<QaExample> union(Split... which) {
        List<QaExample> out = new ArrayList<>();
        for (Split s : which) {
            out.addAll(get(s));
        }
        return out;
    }

    /**
     * A word tokenizer over every text of every split (examples, passages, multiple-choice questions and
     * options, MUSE's probes with the words of its few-shot frame) and the {@link Refusals#TEMPLATES}, so that refusal answers (IdK, IdkPO, FLAT) encode without
     * unknown words.
     */
    public WordTokenizer fitTokenizer() {
        List<String> texts = new ArrayList<>(Refusals.TEMPLATES);
        for (Split s : Split.values()) {
            for (QaExample e : get(s)) {
                texts.addAll(e.texts());
            }
            for (Passage p : passages(s)) {
                texts.add(p.text());
            }
            for (MultipleChoice c : choices(s)) {
                texts.add(c.question());
                texts.addAll(c.options());
            }
            MuseProbes probes = muse(s);
            if (probes != null) {
                texts.addAll(probes.texts());
            }
        }
        return WordTokenizer.fit(texts);
    }

    /**
     * Writes {@code <split>.jsonl} for each split into {@code dir}, and {@code <split>.passages.jsonl} and
     * {@code <split>.choices.jsonl} for each split that has passages or choices (each file atomically; see
     * {@link Jsonl} for the layouts). MUSE's probes are not written: {@link MuseData} reads them from MUSE's
     * own files.
     */
    public void writeTo(Path dir) {
        for (Split s : Split.values()) {
            Jsonl.write(dir.resolve(s.id() + ".jsonl"), get(s));
            if (!passages(s).isEmpty()) {
                Jsonl.writePassages(dir.resolve(s.id() + ".passages.jsonl"), passages(s));
            }
            if (!choices(s).isEmpty()) {
                Jsonl.writeChoices(dir.resolve(s.id() + ".choices.jsonl"), choices(s));
            }
        }
    }

    /**
     * Reads the {@code <split>.jsonl}, {@code <split>.passages.jsonl} and {@code <split>.choices.jsonl}
     * files of {@code dir}; a missing file is an empty list.
     */
    public static Dataset readFrom(Path dir) {
        EnumMap<Split, List<QaExample>> e = new EnumMap<>(Split.class);
        EnumMap<Split, List<Passage>> p = new EnumMap<>(Split.class);
        EnumMap<Split, List<MultipleChoice>> c = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            Path qa = dir.resolve(s.id() + ".jsonl");
            Path text = dir.resolve(s.id() + ".passages.jsonl");
            Path mc = dir.resolve(s.id() + ".choices.jsonl");
            e.put(s, Files.exists(qa) ? Jsonl.read(qa) : List.of());
            p.put(s, Files.exists(text) ? Jsonl.readPassages(text) : List.of());
            c.put(s, Files.exists(mc) ? Jsonl.readChoices(mc) : List.of());
        }
        return new Dataset(e, p, c);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Dataset d && d.splits.equals(splits) && d.passages.equals(passages)
                && d.choices.equals(choices) && d.muse.equals(muse);
    }

    @Override
    public int hashCode() {
        return ((splits.hashCode() * 31 + passages.hashCode()) * 31 + choices.hashCode()) * 31 + muse.hashCode();
    }
}
