package dev.lethe.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The hand-written TOFU folder of {@code src/test/resources/tofu}, in the layout of the hub dataset locuslab/TOFU: five
 * fictitious authors of two questions each ({@code full.json}), forget10/05/01 the last 4/2/1 questions,
 * retain90/95/99 the others, three holdout questions, two rows of {@code retain_perturbed}, three world facts and two
 * real-author questions.
 */
public final class TofuFixtures {
    private TofuFixtures() {}

    /** The folder, as committed (do not write into it). */
    public static Path folder() {
        try {
            return Path.of(TofuFixtures.class.getResource("/tofu").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of the folder at {@code dir}, to edit. */
    public static Path copy(Path dir) {
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(folder())) {
                for (Path f : files.toList()) {
                    Files.copy(f, dir.resolve(f.getFileName()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }
}
