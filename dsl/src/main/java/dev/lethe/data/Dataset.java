package dev.lethe.data;

import dev.lethe.model.WordTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Question-answer examples by split. Immutable. */
public final class Dataset {
    private final Map<Split, List<QaExample>> splits;

    /** A dataset with the given splits; a split that is absent is empty. */
    public Dataset(Map<Split, List<QaExample>> splits) {
        EnumMap<Split, List<QaExample>> copy = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            copy.put(s, List.copyOf(splits.getOrDefault(s, List.of())));
        }
        this.splits = Collections.unmodifiableMap(copy);
    }

    /** The examples of {@code split}. */
    public List<QaExample> get(Split split) {
        return splits.get(split);
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
     * A word tokenizer over every text of every split and the {@link Refusals#TEMPLATES}, so that refusal
     * answers (IdK, IdkPO, FLAT) encode without unknown words.
     */
    public WordTokenizer fitTokenizer() {
        List<String> texts = new ArrayList<>(Refusals.TEMPLATES);
        for (Split s : Split.values()) {
            for (QaExample e : get(s)) {
                texts.addAll(e.texts());
            }
        }
        return WordTokenizer.fit(texts);
    }

    /** Writes {@code <split>.jsonl} for each split into {@code dir} (each file atomically). */
    public void writeTo(Path dir) {
        for (Split s : Split.values()) {
            Jsonl.write(dir.resolve(s.id() + ".jsonl"), get(s));
        }
    }

    /** Reads the {@code <split>.jsonl} files of {@code dir}; a missing file is an empty split. */
    public static Dataset readFrom(Path dir) {
        EnumMap<Split, List<QaExample>> m = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            Path f = dir.resolve(s.id() + ".jsonl");
            m.put(s, java.nio.file.Files.exists(f) ? Jsonl.read(f) : List.of());
        }
        return new Dataset(m);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Dataset d && d.splits.equals(splits);
    }

    @Override
    public int hashCode() {
        return splits.hashCode();
    }
}
