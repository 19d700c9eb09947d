package dev.lethe.spec;

import static dev.lethe.part.ParamTypes.fileName;

import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes;
import java.util.List;

/**
 * The {@code save} stage: writes the current model's weights as a safetensors file (atomically) at
 * {@code file}, a relative path resolved inside the run's output directory (a run directory's
 * {@code models/} for {@code lethe run}; see {@code Runner.saveTo}); it cannot leave that directory.
 *
 * @param file a relative path without {@code ..}, ending in {@code .safetensors}
 */
public record Save(String file) implements Stage {
    /** What a saved model's file name ends in. */
    public static final String SUFFIX = ".safetensors";
    /** The {@code save} stage in recipe files. */
    public static final Kind<Save> KIND = Kind.of("save", Save.class,
            "write the current model as safetensors inside the run's models/ folder",
            List.of(Param.required("file", fileName(SUFFIX), "where, inside the output folder", (Save x) -> x.file())),
            a -> new Save(a.text("file")));

    /** Checks that the path stays inside the directory it is resolved in. */
    public Save {
        if (!ParamTypes.staysInside(file)) {
            throw new IllegalArgumentException("save: file must be a relative path inside the output directory, "
                    + "without '..', was '" + file + "'");
        }
        if (!file.endsWith(SUFFIX)) {
            throw new IllegalArgumentException("save: file must end in .safetensors, was '" + file + "'");
        }
    }

    @Override
    public String kind() {
        return KIND.name();
    }
}
