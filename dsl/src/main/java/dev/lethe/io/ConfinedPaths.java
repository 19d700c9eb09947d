package dev.lethe.io;

import dev.lethe.util.Printable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Paths read from files (manifests, indexes) kept inside the folder that holds them, and files opened
 * only when they are ordinary files: a FIFO or a device would make a reader hang or read forever.
 */
public final class ConfinedPaths {
    private ConfinedPaths() {}

    /**
     * {@code name}, a path read from a file, resolved inside {@code dir}.
     *
     * @param what names the field it came from, for the error (e.g. {@code "checkpoints/manifest.json, field 'learned'"})
     * @throws IllegalArgumentException when {@code name} is empty, absolute, contains {@code ..} or a control
     *     character, or resolves (through symbolic links) outside {@code dir}
     */
    public static Path inside(Path dir, String name, String what) {
        if (name.isEmpty() || Printable.firstControl(name) >= 0) {
            throw new IllegalArgumentException(what + ": '" + Printable.escape(name)
                    + "' is not a file name (empty or with control characters)");
        }
        Path relative = dir.getFileSystem().getPath(name);
        if (relative.isAbsolute() || name.startsWith("/") || name.startsWith("\\")) {
            throw new IllegalArgumentException(what + ": '" + name + "' is an absolute path; only names inside "
                    + dir + " are allowed");
        }
        for (Path part : relative) {
            if (part.toString().equals("..")) {
                throw new IllegalArgumentException(what + ": '" + name + "' leaves its folder through '..'; only "
                        + "names inside " + dir + " are allowed");
            }
        }
        Path resolved = dir.resolve(relative).normalize();
        requireWithin(dir, resolved, what);
        return resolved;
    }

    /**
     * Checks that {@code path}, with every symbolic link followed as far as it exists, lies inside
     * {@code dir} (also followed).
     *
     * @throws IllegalArgumentException when it does not
     */
    public static void requireWithin(Path dir, Path path, String what) {
        Path realDir = real(dir);
        Path real = real(path);
        if (!real.startsWith(realDir)) {
            throw new IllegalArgumentException(what + ": " + Printable.escape(path.toString()) + " leads to "
                    + Printable.escape(real.toString()) + ", outside " + Printable.escape(realDir.toString()));
        }
    }

    /**
     * {@code file} when it exists and is an ordinary file (symbolic links followed).
     *
     * @param what what the file is for the error, e.g. {@code "recipe file"}
     * @throws IllegalArgumentException when it is missing, a directory, a FIFO, a device or a socket
     */
    public static Path regularFile(Path file, String what) {
        if (Files.isRegularFile(file)) {
            return file;
        }
        String shown = Printable.escape(file.toString());
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(what + " " + shown + " does not exist");
        }
        String kind = Files.isDirectory(file) ? "a directory" : "not an ordinary file (a FIFO, device or socket)";
        throw new IllegalArgumentException(what + " " + shown + " is " + kind + "; give a file");
    }

    /** The real path of {@code path}'s longest existing prefix, with the rest appended normalised. */
    private static Path real(Path path) {
        return real(path, 0);
    }

    private static Path real(Path path, int links) {
        Path absolute = path.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return absolute;
        }
        try {
            if (Files.isSymbolicLink(existing) && !Files.exists(existing) && links < 40) {
                // a dangling link: where it would lead once its target is created
                Path target = existing.getParent().resolve(Files.readSymbolicLink(existing));
                return real(target.resolve(existing.relativize(absolute)), links + 1);
            }
            return existing.toRealPath().resolve(existing.relativize(absolute)).normalize();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve " + existing, e);
        }
    }
}
