package dev.lethe.data;

import static dev.lethe.part.ParamTypes.path;

import dev.lethe.io.ConfinedPaths;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.util.Printable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
    /** The data source {@code jsonl}. */
    public static final Kind<JsonlData> KIND = Kind.of("jsonl", JsonlData.class,
            "a folder of TOFU-layout JSON-lines files: forget.jsonl, retain.jsonl, holdout.jsonl, world.jsonl",
            List.of(Param.required("dir", path(), "the folder (relative to the working directory)", JsonlData::dir)),
            a -> new JsonlData(a.get("dir")));

    @Override
    public Dataset load(long seed) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("data folder " + Printable.escape(dir.toString()) + (Files.exists(dir)
                    ? " is not a folder" : " does not exist") + "; jsonl: {dir: ...} names a folder holding "
                    + "forget.jsonl and retain.jsonl");
        }
        for (Split required : new Split[] {Split.FORGET, Split.RETAIN}) {
            Path f = dir.resolve(required.id() + ".jsonl");
            if (!Files.exists(f)) {
                throw new IllegalArgumentException(Printable.escape(f.toString()) + ": missing; a dataset folder needs "
                        + "at least forget.jsonl and retain.jsonl");
            }
            ConfinedPaths.regularFile(f, "data file");
        }
        return Dataset.readFrom(dir);
    }
}
