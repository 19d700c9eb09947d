package dev.lethe.part;

import org.jspecify.annotations.Nullable;

/**
 * A recipe that reads but cannot run, blamed on one of its fields: a model folder that is not one, a reference
 * of another architecture. The command line finds the field's line in the recipe file and prints it as a
 * {@link Problem} ({@code file:line:column: field: reason}); from Java or a notebook the message is
 * {@code field: reason}.
 */
public final class FieldException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;
    private final String reason;

    /**
     * @param field the field's path as problems write it, e.g. {@code stages[1].reference.hf}
     * @param reason what is wrong and what to do
     */
    public FieldException(String field, String reason) {
        this(field, reason, null);
    }

    /** {@link #FieldException(String, String)} caused by {@code cause}. */
    public FieldException(String field, String reason, @Nullable Throwable cause) {
        super(field + ": " + reason, cause);
        this.field = field;
        this.reason = reason;
    }

    /** The field's path, e.g. {@code stages[1].reference.hf}. */
    public String field() {
        return field;
    }

    /** What is wrong, without the field. */
    public String reason() {
        return reason;
    }
}
