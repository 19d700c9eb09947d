package dev.lethe.model;

/** The check that model shapes share: a condition and the message of the {@link IllegalArgumentException}. */
final class Shapes {
    private Shapes() {}

    /** Throws an {@link IllegalArgumentException} with {@code message} unless {@code ok}. */
    static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
