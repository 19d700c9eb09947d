package dev.lethe;

import java.nio.file.Path;

/**
 * The {@code save} stage: writes the current model's weights as a safetensors file (atomically) at
 * {@code file}, a relative path resolved inside the run's output directory (a run directory's
 * {@code models/} for {@code lethe run}; see {@code Runner.saveTo}); it cannot leave that directory.
 *
 * @param file a relative path without {@code ..}, ending in {@code .safetensors}
 */
public record Save(String file) implements Stage {
    /** The kind's name in recipe files. */
    public static final String KIND = "save";

    /** Checks that the path stays inside the directory it is resolved in. */
    public Save {
        Path p = Path.of(file);
        boolean climbs = false;
        for (Path part : p) {
            climbs |= part.toString().equals("..");
        }
        if (file.isBlank() || p.isAbsolute() || climbs) {
            throw new IllegalArgumentException("save: file must be a relative path inside the output directory, "
                    + "without '..', was '" + file + "'");
        }
        if (!file.endsWith(".safetensors")) {
            throw new IllegalArgumentException("save: file must end in .safetensors, was '" + file + "'");
        }
    }

    @Override
    public String kind() {
        return KIND;
    }
}
