package dev.lethe.run;

import dev.lethe.model.HfFolder;
import dev.lethe.model.HfModel;
import dev.lethe.model.QaTokenizer;
import dev.lethe.model.Tokenizer;
import dev.lethe.result.RunEvent;
import dev.lethe.spec.NamedStage;
import dev.lethe.spec.Save;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code save} stage: writes the current model inside the runner's output directory ({@link Runner#saveTo}),
 * as safetensors (atomically) or as a Hugging Face folder ({@link HfFolder#save}: the run's tokenizer, and, for a
 * model that came from a folder, that folder's configuration and tokenizer settings carried over); a path that
 * would leave the directory, also through a symbolic link, is refused.
 */
final class SaveStage {
    private SaveStage() {}

    static void run(NamedStage named, Save save, RunContext run) {
        long start = System.nanoTime();
        run.emit(new RunEvent.StageStarted(named.name(), 1));
        Path target = inside(run.saveDir(), save.file());
        if (save.folder()) {
            Tokenizer tokenizer = run.tokenizer() instanceof QaTokenizer t ? t.tokenizer() : run.tokenizer();
            HfFolder.SaveOptions options = run.recipe().model() instanceof HfModel hf
                    ? HfFolder.SaveOptions.defaults().withSource(hf.dir()) : HfFolder.SaveOptions.defaults();
            HfFolder.save(target, run.current(), tokenizer, options);
        } else {
            run.current().save(target);
        }
        run.emit(new RunEvent.StageFinished(named.name(), (System.nanoTime() - start) / 1e9, 1, "", false));
    }

    /** {@code file} resolved in {@code dir}, its parent folders created, refused when it is not inside. */
    static Path inside(Path dir, String file) {
        try {
            Files.createDirectories(dir);
            Path root = dir.toRealPath();
            Path target = root.resolve(file).normalize();
            Files.createDirectories(target.getParent());
            if (!target.getParent().toRealPath().startsWith(root) || Files.isSymbolicLink(target)) {
                throw new IllegalArgumentException("save: '" + file + "' leads outside " + root);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("save: cannot create the folder for " + file + " in " + dir, e);
        }
    }
}
