package dev.lethe.run;

import dev.lethe.util.Printable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exclusive lock of a run directory, so that one process at a time writes it: an operating-system lock
 * ({@link FileChannel#tryLock()}) on the file {@value #FILE} inside it, which the system releases when the
 * process ends, however it ends; and, since such a lock belongs to the whole JVM, a set of the directories
 * locked in this JVM. The file holds the process id of the holder and is never deleted (deleting it would let
 * two processes lock two different files).
 */
final class RunLock implements AutoCloseable {
    static final String FILE = "run.lock";
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path key, FileChannel channel, FileLock lock) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code dir}.
     *
     * @throws IllegalArgumentException in one line when another process (or another user in this one) holds it,
     *     or when the lock file cannot be written (a read-only directory)
     */
    static RunLock take(Path dir) {
        Path file = dir.resolve(FILE);
        String shown = Printable.escape(dir.toString());
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(Printable.escape(file.toString()) + " is not an ordinary file (a link, "
                    + "FIFO, device or folder); it must be the run directory's lock file: remove it");
        }
        Path key;
        try {
            key = dir.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot lock " + shown + ": " + reason(e), e);
        }
        if (!HELD.add(key)) {
            throw new IllegalArgumentException(shown + " is in use: this process already holds its lock (" + FILE
                    + "); close the other RunDirectory first");
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw busy(shown, file);
            }
            RunLock taken = new RunLock(key, channel, lock);
            taken.recordHolder();
            return taken;
        } catch (IOException e) {
            close(channel);
            HELD.remove(key);
            throw new IllegalArgumentException(shown + " cannot be locked (" + reason(e) + "): a run or an evaluation "
                    + "writes into its run directory, which must be writable; copy it to a writable place", e);
        } catch (RuntimeException e) {
            close(channel);
            HELD.remove(key);
            throw e;
        }
    }

    private static IllegalArgumentException busy(String shown, Path file) {
        String holder = "";
        try {
            if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) < 64) {
                String pid = Files.readString(file, StandardCharsets.UTF_8).strip();
                holder = pid.matches("\\d{1,19}") ? " (pid " + pid + ")" : "";
            }
        } catch (IOException e) {
            holder = "";
        }
        return new IllegalArgumentException(shown + " is in use: another process" + holder + " holds its lock ("
                + FILE + "); wait until it ends, or copy the run directory");
    }

    /**
     * Writes this process's id into the lock file, for the refusal another process prints; a full disk leaves it
     * empty, which only makes that refusal less precise.
     */
    private void recordHolder() {
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        } catch (IOException e) {
            // the lock is held all the same
        }
    }

    /** What went wrong, in a few words ({@code Read-only file system}, {@code permission denied}, ...). */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private static void close(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing was locked through it
            }
        }
    }

    /** Releases the lock. */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel below releases it too
        } finally {
            close(channel);
            HELD.remove(key);
        }
    }
}
