package dev.lethe.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Examples read from a folder of JSON-lines files in TOFU's field layout, one file per split:
 * {@code forget.jsonl}, {@code retain.jsonl}, {@code holdout.jsonl}, {@code world.jsonl}, and optionally
 * per split MUSE-style passages ({@code forget.passages.jsonl}, ...) and WMDP-style multiple-choice
 * questions ({@code forget.choices.jsonl}, ...) (see {@link Jsonl} for the layouts). A missing file is an
 * empty list, but forget.jsonl and retain.jsonl must exist. The seed is not used.
 *
 * @param dir the folder
 */
public record JsonlData(Path dir) implements DataSource {

    @Override
    public Dataset load(long seed) {
        for (Split required : new Split[] {Split.FORGET, Split.RETAIN}) {
            Path f = dir.resolve(required.id() + ".jsonl");
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException(f + ": missing; a dataset folder needs at least forget.jsonl and "
                        + "retain.jsonl");
            }
        }
        return Dataset.readFrom(dir);
    }
}
