package dev.lethe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lethe base}: writes a model folder, and refuses a folder that is not empty in one line. */
class BaseCommandTest {

    @Test
    void writesAModelFolderAndRefusesToOverwriteIt(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("base");
        Cli.Outcome made = Cli.lethe("base", "--out", out.toString(), "--steps", "1", "--seed", "3");
        assertEquals(0, made.exit(), made.err());
        assertTrue(made.out().startsWith("base model written to " + out), made.out());
        for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
            "generation_config.json"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        byte[] weights = Files.readAllBytes(out.resolve("model.safetensors"));
        Cli.Outcome again = Cli.lethe("base", "--out", out.toString(), "--steps", "1");
        assertEquals(2, again.exit());
        assertTrue(again.err().startsWith("lethe base: " + out + " is not empty"), again.err());
        assertEquals(1, again.err().strip().lines().count(), again.err());
        assertTrue(java.util.Arrays.equals(weights, Files.readAllBytes(out.resolve("model.safetensors"))),
                "nothing overwritten");
    }
}
