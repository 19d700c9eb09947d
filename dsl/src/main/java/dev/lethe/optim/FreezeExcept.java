package dev.lethe.optim;

import static dev.lethe.part.ParamTypes.list;
import static dev.lethe.part.ParamTypes.text;

import dev.lethe.model.RolePattern;
import dev.lethe.model.Weights;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.PartText;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Only some parameters trainable (Optax's {@code partition} with a zero branch): the updates of every
 * parameter that matches none of {@code patterns} become zeros, so those weights stay bit-identical.
 * RMU updates only three blocks' MLP weights this way (Li et al. 2024, "The WMDP Benchmark", §5; see
 * {@code Rmu.trainableParameters}).
 *
 * <p>A pattern is a glob over the model's parameter names (GPT-2's {@code h.1.mlp.c_fc.weight}): {@code *}
 * matches any run of characters (dots included), {@code ?} one character, everything else itself, and the
 * whole name must match: {@code h.1.mlp.*}, {@code h.?.attn.c_attn.weight}, {@code *.bias}. A pattern
 * starting with {@code regex:} is a Java regular expression instead ({@code regex:h\.[0-2]\.mlp\..*}).
 * A pattern starting with {@code role:} chooses by {@link dev.lethe.model.Role} instead of by name, the same
 * for every architecture ({@link RolePattern}): {@code role:mlp_down@2.weight}, {@code role:mlp_up@*},
 * {@code role:final_norm}; it matches the arrays the model's architecture gives that role
 * ({@link Weights#roles()}), and nothing in weights without roles (an adapter view's).
 *
 * @param patterns the names that stay trainable; at least one
 */
public record FreezeExcept(List<String> patterns) implements Transform {
    /** The transform {@code freeze_except}. */
    public static final Kind<FreezeExcept> KIND = Kind.of("freeze_except", FreezeExcept.class,
            "zero the updates of every parameter not matching a pattern: a role (role:mlp_down@1) or a name glob",
            List.of(Param.required("patterns", list(text(), 1), "role patterns or globs of trainable parameter names",
                    FreezeExcept::patterns)),
            a -> new FreezeExcept(a.list("patterns")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** Copies and checks the patterns. */
    public FreezeExcept {
        if (patterns.isEmpty()) {
            throw new IllegalArgumentException("FreezeExcept needs at least one pattern, or nothing would train");
        }
        patterns = List.copyOf(patterns);
        for (String p : patterns) {
            if (RolePattern.isRolePattern(p)) {
                RolePattern.parse(p);
            } else {
                compile(p);
            }
        }
    }

    /** Whether parameter {@code name} of {@code weights} matches one of the patterns. */
    public boolean trains(String name, Weights weights) {
        for (String p : patterns) {
            if (RolePattern.isRolePattern(p)
                    ? RolePattern.parse(p).matches(name, weights.rolesOf(name))
                    : compile(p).matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Updates update(Updates updates, TransformState state, Weights weights, long step, long totalSteps) {
        return updates.map((name, u) -> trains(name, weights) ? u : u.zerosLike());
    }

    /** The pattern as a regular expression (see the class comment). */
    static Pattern compile(String pattern) {
        if (pattern.startsWith("regex:")) {
            return Pattern.compile(pattern.substring("regex:".length()));
        }
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(regex.toString());
    }
}
