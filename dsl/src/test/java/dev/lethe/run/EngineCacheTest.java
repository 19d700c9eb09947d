package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, item 4: libtorch must not be extracted to and loaded from a folder other users can write to
 * ({@code /tmp/.djl.ai} when the home folder is not writable).
 */
class EngineCacheTest {
    private static final String ME = System.getProperty("user.name");

    @Test
    void aPrivateFolderIsSafeAndAWorldWritableOneIsNot(@TempDir Path tmp) throws IOException {
        Path mine = Files.createDirectory(tmp.resolve("mine"));
        assertNull(EngineCache.whyUnsafe(mine, ME));
        assertNull(EngineCache.whyUnsafe(mine.resolve("not-yet"), ME), "created in a private folder");
        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals("is writable by other users", EngineCache.whyUnsafe(open, ME));
        assertTrue(EngineCache.whyUnsafe(open.resolve(".djl.ai"), ME).contains("other users can create it first"));
        Path inside = Files.createDirectories(open.resolve("deeper/cache"));
        assertTrue(EngineCache.whyUnsafe(inside, ME).contains("writable by other users"),
                "a folder inside a world-writable folder without the sticky bit can be swapped");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), open);
        assertEquals("is writable by other users", EngineCache.whyUnsafe(link, ME), "links are followed");
    }

    @Test
    void theTmpFallbackIsUnsafe() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        assumeTrue(Files.isWritable(tmp) && tmp.toFile().canWrite());
        String why = EngineCache.whyUnsafe(tmp.resolve(".djl.ai-" + ProcessHandle.current().pid()), ME);
        assertTrue(why != null && why.contains("other users can create it first"), String.valueOf(why));
    }

    @Test
    void aFolderOwnedByAnotherUserIsUnsafe(@TempDir Path tmp) throws IOException {
        assumeTrue("root".equals(ME), "only root can give a folder away");
        Path theirs = Files.createDirectory(tmp.resolve("theirs"));
        UserPrincipal nobody = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(theirs, nobody);
        assertEquals("is owned by another user (nobody)", EngineCache.whyUnsafe(theirs, ME));
    }

    /** Reproduction 8: {@code LETHE_JAVA_OPTS=-Duser.home=<read-only dir>} made DJL load libtorch from /tmp. */
    @Test
    void anUnwritableHomeIsRefusedSayingWhatToSet(@TempDir Path tmp) throws Exception {
        assumeTrue(System.getenv(EngineCache.DJL_CACHE_DIR) == null && System.getenv(EngineCache.ENGINE_CACHE_DIR) == null
                && System.getenv(EngineCache.PYTORCH_LIBRARY_PATH) == null);
        try (ReadOnlyMount home = ReadOnlyMount.at(tmp.resolve("home"))) {
            assumeTrue(home != null, "needs a read-only tmpfs mount (root)");
            String before = System.getProperty("user.home");
            System.setProperty("user.home", home.path().toString());
            try {
                assertEquals(Path.of(System.getProperty("java.io.tmpdir"), ".djl.ai"), EngineCache.directory(),
                        "DJL falls back to the temporary folder");
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, EngineCache::requireSafe);
                assertTrue(e.getMessage().contains(".djl.ai"), e.getMessage());
                assertTrue(e.getMessage().contains("home folder " + home.path() + " is not writable"), e.getMessage());
                assertTrue(e.getMessage().contains("set DJL_CACHE_DIR (or ENGINE_CACHE_DIR)"), e.getMessage());
                System.setProperty(EngineCache.DJL_CACHE_DIR, tmp.resolve("private").toString());
                assertNull(EngineCache.problem(), "a private folder set with DJL_CACHE_DIR is used");
            } finally {
                System.setProperty("user.home", before);
                System.clearProperty(EngineCache.DJL_CACHE_DIR);
            }
        }
    }

    /** A read-only tmpfs mounted for a test (root only); null when it cannot be mounted. */
    record ReadOnlyMount(Path path) implements AutoCloseable {
        static ReadOnlyMount at(Path dir) throws IOException, InterruptedException {
            Files.createDirectories(dir);
            Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", dir.toString())
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() != 0 || Files.isWritable(dir)) {
                return null;
            }
            return new ReadOnlyMount(dir);
        }

        @Override
        public void close() throws IOException, InterruptedException {
            new ProcessBuilder("umount", path.toString()).inheritIO().start().waitFor();
        }
    }
}
