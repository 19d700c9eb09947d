package dev.lethe.model;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A choice of parameter arrays by {@link Role} rather than by name, so that the same choice holds for every
 * architecture. Written {@code role:<role>[@<block>|@*][.weight|.bias]}: {@code role:mlp_down@2} is the
 * weight and bias of block 2's MLP down-projection, {@code role:mlp_down@2.weight} its weight only,
 * {@code role:attention_qkv} (or {@code @*}) that role in every block, {@code role:token_embedding} a
 * model-wide role (which takes no block).
 *
 * @param role the role
 * @param block the 0-based block, or null for every block (and for a model-wide role)
 * @param part which arrays of the module
 */
public record RolePattern(Role role, @Nullable Integer block, Part part) {
    /** What every role pattern starts with. */
    public static final String PREFIX = "role:";
    private static final Pattern FORM = Pattern.compile("role:([a-z_]+)(?:@(\\d+|\\*))?(?:\\.(weight|bias))?");

    /** Which arrays of a module a pattern takes. */
    public enum Part {
        /** Weight and bias. */
        ALL,
        /** The weight only. */
        WEIGHT,
        /** The bias only. */
        BIAS
    }

    /** Checks that only per-block roles have a block. */
    public RolePattern {
        if (block != null && (!role.perBlock() || block < 0)) {
            throw new IllegalArgumentException(role.perBlock() ? "a block must be >= 0, was " + block
                    : role.key() + " is not per block: write role:" + role.key() + " without @");
        }
    }

    /** Whether {@code text} is written as a role pattern (starts with {@link #PREFIX}). */
    public static boolean isRolePattern(String text) {
        return text.startsWith(PREFIX);
    }

    /**
     * The pattern written {@code text}.
     *
     * @throws IllegalArgumentException showing the form when {@code text} is not one, or naming the roles
     *     when the role is unknown
     */
    public static RolePattern parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a role pattern: write role:<role>[@<block>|@*]"
                    + "[.weight|.bias], e.g. role:mlp_down@2.weight");
        }
        Role role = Role.of(m.group(1));
        String b = m.group(2);
        Integer block = b == null || b.equals("*") ? null : Integer.valueOf(b);
        String p = m.group(3);
        Part part = p == null ? Part.ALL : p.equals("weight") ? Part.WEIGHT : Part.BIAS;
        return new RolePattern(role, block, part);
    }

    /** Whether array {@code name} is chosen, given the modules that own it ({@link Weights#rolesOf}). */
    public boolean matches(String name, List<RoleModule> modules) {
        for (RoleModule m : modules) {
            if (m.role() == role && (block == null || block == m.block()) && m.owns(name)) {
                boolean isWeight = name.equals(m.weight());
                if (part == Part.ALL || (part == Part.WEIGHT) == isWeight) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The written form, which {@link #parse} reads back. */
    @Override
    public String toString() {
        return PREFIX + role.key() + (block == null ? "" : "@" + block)
                + (part == Part.ALL ? "" : part == Part.WEIGHT ? ".weight" : ".bias");
    }
}
