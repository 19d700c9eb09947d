package dev.lethe.model;

import org.jspecify.annotations.Nullable;

/**
 * The module that plays a {@link Role} in a model: a named group of parameter arrays, {@code <name>.weight}
 * and, when {@code hasBias}, {@code <name>.bias} (the Hugging Face naming every architecture follows).
 *
 * @param role what the module does
 * @param block the 0-based block it belongs to, or {@link #WHOLE_MODEL} for a role that is not per block
 * @param name the module's name, e.g. {@code h.0.attn.c_attn} in GPT-2
 * @param hasBias whether the module has a bias array
 */
public record RoleModule(Role role, int block, String name, boolean hasBias) {
    /** The {@code block} of a role the model has once (embeddings, final norm, head). */
    public static final int WHOLE_MODEL = -1;

    /** Checks that per-block roles have a block and the others have none. */
    public RoleModule {
        if (role.perBlock() ? block < 0 : block != WHOLE_MODEL) {
            throw new IllegalArgumentException(role.key() + (role.perBlock() ? " needs a block >= 0" : " is not per block")
                    + ", was " + block);
        }
    }

    /** The weight array's name. */
    public String weight() {
        return name + ".weight";
    }

    /** The bias array's name, or null when the module has none. */
    public @Nullable String bias() {
        return hasBias ? name + ".bias" : null;
    }

    /** Whether {@code parameter} is this module's weight or bias. */
    public boolean owns(String parameter) {
        return parameter.equals(weight()) || parameter.equals(bias());
    }
}
