package dev.lethe.spec;

import static dev.lethe.part.ParamTypes.fileName;

import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code save} stage: writes the current model at {@code file}, a relative path resolved inside the run's
 * output directory (a run directory's {@code models/} for {@code lethe run}; see {@code Runner.saveTo}); it cannot
 * leave that directory. A name ending in {@code .safetensors} is one safetensors file of the weights (atomically);
 * a name without an extension is a Hugging Face folder ({@code config.json}, {@code model.safetensors}, the
 * tokenizer files; {@code dev.lethe.model.HfFolder#save}) that {@code transformers} and a recipe's
 * {@code model: {hf: ...}} load: for a model that came from a folder, that folder's configuration, tokenizer
 * settings and chat template are carried over.
 *
 * @param file a relative path without {@code ..}: ending in {@code .safetensors}, or a folder name without an
 *     extension
 */
public record Save(String file) implements Stage {
    /** What a saved model's file name ends in. */
    public static final String SUFFIX = ".safetensors";
    /** The {@code save} stage in recipe files. */
    public static final Kind<Save> KIND = Kind.of("save", Save.class,
            "write the current model inside the run's models/ folder: x.safetensors, or a Hugging Face folder x",
            List.of(Param.required("file", fileName(""), "where, inside the output folder: a .safetensors file, or a "
                    + "folder name without an extension for a Hugging Face folder", (Save x) -> x.file())),
            a -> new Save(a.text("file")));

    /** Checks that the path stays inside the directory it is resolved in and names a file or a folder. */
    public Save {
        if (!ParamTypes.staysInside(file)) {
            throw new IllegalArgumentException("save: file must be a relative path inside the output directory, "
                    + "without '..', was '" + file + "'");
        }
        if (!file.endsWith(SUFFIX) && Path.of(file).getFileName().toString().contains(".")) {
            throw new IllegalArgumentException("save: file must end in .safetensors (one file), or be a folder name "
                    + "without an extension (a Hugging Face folder), was '" + file + "'");
        }
    }

    /** Whether it writes a Hugging Face folder rather than one safetensors file. */
    public boolean folder() {
        return !file.endsWith(SUFFIX);
    }

    @Override
    public String kind() {
        return KIND.name();
    }
}
