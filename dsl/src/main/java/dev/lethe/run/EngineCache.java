package dev.lethe.run;

import ai.djl.util.Utils;
import dev.lethe.util.Printable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Where DJL extracts the native libraries it loads (libtorch, the tokenizers' library), and whether loading
 * them from there is safe. DJL uses {@code ENGINE_CACHE_DIR}, else {@code DJL_CACHE_DIR}, else
 * {@code ~/.djl.ai} — and when the home folder is not writable, {@code <java.io.tmpdir>/.djl.ai}, a folder in
 * {@code /tmp} that any user can create first and fill with a libtorch of their own (issue 13, item 4).
 * {@link #requireSafe()} refuses such a folder before anything touches the engine; {@code lethe doctor}
 * reports it.
 *
 * <p>A folder is safe when it and every folder above it are owned by the current user or root, and none of
 * them can be written by other users (a folder above may be, when its sticky bit keeps others from renaming
 * what it holds, as {@code /tmp}'s does). A folder that does not exist yet is safe when the folder it would
 * be created in is safe and not writable by others (else another user could create it first).
 */
public final class EngineCache {
    /** The environment variable (or system property) that moves DJL's whole cache. */
    public static final String DJL_CACHE_DIR = "DJL_CACHE_DIR";
    /** The environment variable (or system property) that moves only the engines' native libraries. */
    public static final String ENGINE_CACHE_DIR = "ENGINE_CACHE_DIR";
    /** The environment variable (or system property) of a libtorch folder DJL loads instead of extracting one. */
    public static final String PYTORCH_LIBRARY_PATH = "PYTORCH_LIBRARY_PATH";

    private static final int STICKY = 01000;

    private EngineCache() {}

    /** The folder DJL extracts and loads the engines' native libraries from (DJL's own rule, asked of DJL). */
    public static Path directory() {
        return Utils.getEngineCacheDir();
    }

    /** A libtorch folder set with {@value #PYTORCH_LIBRARY_PATH}, which DJL loads instead of extracting one, or null. */
    public static @Nullable Path libtorchOverride() {
        String v = setting(PYTORCH_LIBRARY_PATH);
        return v == null ? null : Path.of(v);
    }

    /**
     * Refuses to go on when DJL would load native code from a folder other users can write to.
     *
     * @throws IllegalArgumentException saying which folder, why it is unsafe and what to set
     */
    public static void requireSafe() {
        String problem = problem();
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Why the native libraries' folder (or {@value #PYTORCH_LIBRARY_PATH}) is unsafe and what to set, or null. */
    public static @Nullable String problem() {
        Path override = libtorchOverride();
        if (override != null) {
            String why = whyUnsafe(override, System.getProperty("user.name", ""));
            return why == null ? null : "libtorch would be loaded from " + PYTORCH_LIBRARY_PATH + "="
                    + Printable.escape(override.toString()) + ", which " + why + "; point it at a folder only you can write to";
        }
        Path dir = directory();
        String why = whyUnsafe(dir, System.getProperty("user.name", ""));
        if (why == null) {
            return null;
        }
        Path home = Path.of(System.getProperty("user.home", ""));
        boolean fellBack = setting(DJL_CACHE_DIR) == null && setting(ENGINE_CACHE_DIR) == null
                && !Files.isWritable(home);
        return "libtorch would be extracted to and loaded from " + Printable.escape(dir.toString()) + ", which " + why
                + (fellBack ? " (DJL falls back to java.io.tmpdir because the home folder "
                        + Printable.escape(home.toString()) + " is not writable)" : "")
                + "; set " + DJL_CACHE_DIR + " (or " + ENGINE_CACHE_DIR + ") to a folder only you can write to, e.g. one "
                + "made with mkdir -m 700";
    }

    /**
     * Why loading native code from {@code dir} is unsafe for {@code user}, or null when it is safe (see the class
     * comment); null as well where the file system has no owners and modes to check.
     */
    public static @Nullable String whyUnsafe(Path dir, String user) {
        Path absolute = dir.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return null;
        }
        try {
            Path real = existing.toRealPath();
            if (!real.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                return null;
            }
            boolean missing = !existing.equals(absolute);
            if (missing && othersMayWrite(real)) {
                return "does not exist yet and would be created in " + Printable.escape(real.toString())
                        + ", where other users can create it first";
            }
            for (Path p = real; p != null; p = p.getParent()) {
                String owner = Files.getOwner(p).getName();
                if (!owner.equals(user) && !owner.equals("root")) {
                    return (p.equals(real) && !missing ? "is" : "lies in " + Printable.escape(p.toString() + ", which is"))
                            + " owned by another user (" + Printable.escape(owner) + ")";
                }
                if (othersMayWrite(p) && (p.equals(real) || !sticky(p))) {
                    return (p.equals(real) && !missing ? "is" : "lies in " + Printable.escape(p.toString() + ", which is"))
                            + " writable by other users";
                }
            }
            return null;
        } catch (IOException | UnsupportedOperationException e) {
            return "cannot be checked (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
        }
    }

    private static boolean othersMayWrite(Path p) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
        return perms.contains(PosixFilePermission.OTHERS_WRITE);
    }

    private static boolean sticky(Path p) {
        try {
            return (((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & STICKY) != 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** An environment variable, else a system property of that name, as DJL reads them; null when unset or empty. */
    private static @Nullable String setting(String name) {
        String v = System.getenv(name);
        if (v == null || v.isEmpty()) {
            v = System.getProperty(name);
        }
        return v == null || v.isEmpty() ? null : v;
    }
}
