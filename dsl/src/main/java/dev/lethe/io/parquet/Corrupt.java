package dev.lethe.io.parquet;

/**
 * A Parquet file that cannot be read as the format says (truncated, an offset or a length out of range) or that
 * uses a part of the format this reader does not implement; {@link Parquet} adds the file and the column to the
 * message.
 */
final class Corrupt extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Corrupt(String message) {
        super(message, null, false, false);
    }
}
