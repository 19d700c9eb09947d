package dev.lethe.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes files so that a reader sees either the old content or the complete new content, never a
 * partial file: the bytes go to a temporary file in the same folder, which is synced and then renamed
 * over the target.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** What writes the content; may throw {@link IOException}. */
    @FunctionalInterface
    public interface Writer {
        /** Writes the whole content to {@code out}. */
        void writeTo(OutputStream out) throws IOException;
    }

    /** Atomically replaces {@code file} with what {@code writer} writes. */
    public static void write(Path file, Writer writer) {
        Path target = file.toAbsolutePath();
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            try (var channel = Files.newOutputStream(tmp);
                    OutputStream out = new BufferedOutputStream(channel, 1 << 16)) {
                writer.writeTo(out);
            }
            try (var fc = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                fc.force(true);
            }
            if (Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
                // temporary files are created owner-only; the result is an ordinary file
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the temporary file is left behind; the target is untouched
                }
            }
        }
    }

    /** Atomically replaces {@code file} with {@code text} in UTF-8. */
    public static void writeString(Path file, String text) {
        write(file, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }
}
