package dev.lethe.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Paths read from files stay inside their folder; only ordinary files are opened. */
class ConfinedPathsTest {
    @TempDir Path tmp;

    private static void refused(Executable call, String... inMessage) {
        String message = assertThrows(IllegalArgumentException.class, call).getMessage();
        for (String part : inMessage) {
            assertTrue(message.contains(part), () -> "'" + part + "' not in: " + message);
        }
    }

    @Test
    void namesInsideTheFolderResolve() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("run/checkpoints"));
        assertEquals(dir.resolve("learn.safetensors"), ConfinedPaths.inside(dir, "learn.safetensors", "manifest"));
        assertEquals(dir.resolve("sub/x.bin"), ConfinedPaths.inside(dir, "sub/./x.bin", "manifest"));
    }

    @Test
    void refusesParentAbsoluteAndControlNames() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("run/checkpoints"));
        refused(() -> ConfinedPaths.inside(dir, "../../../../tmp/x.safetensors", "manifest.json, field 'learned'"),
                "manifest.json, field 'learned'", "'..'");
        refused(() -> ConfinedPaths.inside(dir, "a/../b", "m"), "'..'");
        refused(() -> ConfinedPaths.inside(dir, "/tmp/x.safetensors", "m"), "absolute");
        refused(() -> ConfinedPaths.inside(dir, "", "m"), "not a file name");
        refused(() -> ConfinedPaths.inside(dir, "x\u001b[2K", "m"), "\\e[2K");
    }

    @Test
    void refusesSymbolicLinksThatLeadOut() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("zoo"));
        Files.writeString(outside.resolve("precious.safetensors"), "x");
        Path dir = Files.createDirectories(tmp.resolve("run"));
        Files.createSymbolicLink(dir.resolve("checkpoints"), outside);
        Files.createSymbolicLink(dir.resolve("dangling"), tmp.resolve("nowhere/yet"));
        refused(() -> ConfinedPaths.inside(dir, "checkpoints/precious.safetensors", "m"), "outside");
        refused(() -> ConfinedPaths.inside(dir, "dangling/x", "m"), "outside");
        Files.createSymbolicLink(dir.resolve("inner"), dir);
        assertEquals(dir.resolve("inner/a"), ConfinedPaths.inside(dir, "inner/a", "m"));
    }

    @Test
    void regularFileRefusesDirectoriesFifosAndMissingFiles() throws Exception {
        Path file = Files.writeString(tmp.resolve("r.yaml"), "name: x");
        assertEquals(file, ConfinedPaths.regularFile(file, "recipe file"));
        refused(() -> ConfinedPaths.regularFile(tmp, "recipe file"), "recipe file", "a directory");
        refused(() -> ConfinedPaths.regularFile(tmp.resolve("none"), "recipe file"), "does not exist");
        refused(() -> ConfinedPaths.regularFile(Path.of("/dev/null"), "recipe file"), "not an ordinary file");
        Path fifo = tmp.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        refused(() -> ConfinedPaths.regularFile(fifo, "data file 'forget.jsonl'"), "data file 'forget.jsonl'", "FIFO");
    }
}
